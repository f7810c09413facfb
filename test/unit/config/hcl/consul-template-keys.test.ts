import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONSUL_TEMPLATE_KEYS, unknownKeyHint } from '../../../../src/config/hcl/consul-template-keys.js';
import { ctmplKeysAt, PENDING_CTMPL_KEYS, schemaHasKey, splitPath } from '../../../../src/config/hcl/ctmpl-keys.js';
import { decodeFile } from '../../../../src/config/hcl/decode.js';
import { editDistance } from '../../../../src/config/hcl/edit-distance.js';
import { parseHclText } from '../../../../src/config/hcl/index.js';
import { parseSyntax } from '../../../../src/config/hcl/parser.js';
import { SourceText } from '../../../../src/config/hcl/source.js';
import type { Node } from '../../../../src/config/hcl/tree.js';
import { InputError } from '../../../../src/errors.js';
import { positionOf } from './position.js';

const EVERY_KEY = fileURLToPath(new URL('../../../fixtures/hcl/every-key.hcl', import.meta.url));

/** Every key path in a decoded file, blocks included (`template[]` inside templates). */
function pathsOf(node: Node, prefix = ''): string[] {
  if (node.kind !== 'object') return [];
  return [...node.entries].flatMap(([key, child]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const inside = child.kind === 'list' && path === 'template' ? child.items.flatMap((item) => pathsOf(item, 'template[]')) : pathsOf(child, path);
    return [path, ...inside];
  });
}

/** A file that sets only `ctPath` (to "v"), inside its blocks. */
function snippet(ctPath: string): string {
  const parts = splitPath(ctPath).filter((part) => part !== '[]');
  const last = parts.pop() as string;
  return parts.reduceRight((inner, block) => `${block} {\n${inner}\n}`, `${last} = "v"`);
}

describe('the table of consul-template keys', () => {
  const source = new SourceText(EVERY_KEY, readFileSync(EVERY_KEY, 'utf8'));
  const everyKey = pathsOf(decodeFile(parseSyntax(source), source, {}, []));

  it('names exactly the keys of the every-key fixture (a config consul-template 0.42.1 loads)', () => {
    expect(new Set(everyKey)).toEqual(new Set(CONSUL_TEMPLATE_KEYS.keys()));
    expect(everyKey.length).toBeGreaterThan(150);
  });

  it("maps keys only to ctmpl keys its schema has or that are being added (PENDING_CTMPL_KEYS)", () => {
    for (const [key, rule] of CONSUL_TEMPLATE_KEYS) {
      if (rule.kind === 'refused' || rule.to === undefined) continue;
      expect.soft(schemaHasKey(rule.to) || PENDING_CTMPL_KEYS.includes(rule.to), `${key} → ${rule.to}`).toBe(true);
    }
  });

  it('gives every refused key a reason that says what to do instead', () => {
    for (const [key, rule] of CONSUL_TEMPLATE_KEYS) {
      if (rule.kind === 'refused') expect.soft(rule.reason.length, key).toBeGreaterThan(25);
    }
  });

  it('puts every mapped key, written alone, at its ctmpl key, located where it was written', () => {
    for (const [key, rule] of CONSUL_TEMPLATE_KEYS) {
      if (rule.kind !== 'mapped') continue;
      const text = snippet(key);
      const file = parseHclText('ct.hcl', text);
      const target = splitPath(rule.to).map((part) => (part === '[]' ? 0 : part));
      const landed = target.reduce<unknown>((value, part) => (value as Record<string | number, unknown> | undefined)?.[part], file.value);
      expect.soft(landed, `${key} → ${rule.to}`).toBe('v');
      expect.soft(file.locate(target), key).toBe(positionOf('ct.hcl', text, '"v"'));
    }
  });

  it('refuses every refused key, or drops it with a warning at its block or key', () => {
    for (const [key, rule] of CONSUL_TEMPLATE_KEYS) {
      if (rule.kind !== 'refused') continue;
      const text = snippet(key);
      let outcome: InputError | ReturnType<typeof parseHclText>;
      try {
        outcome = parseHclText('ct.hcl', text);
      } catch (err) {
        outcome = err as InputError;
      }
      if (outcome instanceof InputError) {
        expect.soft(outcome.message, key).toMatch(/^consul-template's .* is not supported$/);
        expect.soft(outcome.hint, key).toBeTruthy();
      } else {
        expect.soft(JSON.stringify(outcome.value), key).not.toContain('"v"');
        expect.soft(outcome.warnings.map((w) => w.message).join(), key).toContain('is ignored');
      }
    }
  });
});

describe('unknownKeyHint', () => {
  it('suggests the nearest key for a typo', () => {
    expect(unknownKeyHint(['templates', 0, 'destinaton'])).toBe('did you mean "destination"?');
    expect(unknownKeyHint(['consul', 'ssl', 'ca_certs'])).toBe('did you mean "ca_cert"?');
    expect(unknownKeyHint(['consul', 'adress'])).toBe('did you mean "address"?');
    expect(unknownKeyHint(['Log_Level'])).toBe('did you mean "log_level"?');
  });

  it("gives consul-template's refusal for a refused key", () => {
    expect(unknownKeyHint(['vault'])).toBe('ctmpl does not read Vault; render secrets with consul-template or vault agent');
    expect(unknownKeyHint(['consul', 'namespace'])).toContain('namespace');
    expect(unknownKeyHint(['templates', 2, 'error_fatal'])).toContain('keeps the last good file');
  });

  it("names ctmpl's key for a consul-template key written with consul-template's name", () => {
    expect(unknownKeyHint(['deduplicate'])).toBe("consul-template's deduplicate { } is dedup in ctmpl");
    expect(unknownKeyHint(['max_stale'])).toBe("consul-template's max_stale is consul.max_stale in ctmpl");
    expect(unknownKeyHint(['templates', 0, 'uid'])).toBe("consul-template's template[].uid is templates[].user in ctmpl");
    expect(unknownKeyHint(['template'])).toBe("consul-template's template { } is templates in ctmpl");
    expect(unknownKeyHint(['templates', 0, 'exec'])).toBe('ctmpl has no template[].exec { }; use command, command_timeout');
    expect(unknownKeyHint(['dedup', 'max_stale'])).toContain('no max_stale of its own');
  });

  it('follows a typo of a consul-template name to its hint', () => {
    expect(unknownKeyHint(['deduplicat'])).toBe(`did you mean "deduplicate"? (consul-template's deduplicate { } is dedup in ctmpl)`);
  });

  it('points keys consul-template reads inside consul { } there', () => {
    expect(unknownKeyHint(['ssl'])).toContain('inside consul { }');
  });

  it('has nothing to say about a name far from every key', () => {
    expect(unknownKeyHint(['completely_different'])).toBeUndefined();
    expect(unknownKeyHint(['templates', 0])).toBeUndefined();
  });
});

describe("ctmpl's keys, read from its schema", () => {
  it('finds keys of blocks, lists and records', () => {
    expect(schemaHasKey('templates[].source')).toBe(true);
    expect(schemaHasKey('consul.ssl.ca_cert')).toBe(true);
    expect(schemaHasKey('services.web.max_removal')).toBe(true);
    expect(schemaHasKey('templates[].nonsense')).toBe(false);
    expect(ctmplKeysAt('consul.ssl')).toEqual(expect.arrayContaining(['ca_cert', 'verify', 'server_name']));
    expect(ctmplKeysAt('consul')).toEqual(expect.arrayContaining(['auth', 'retry']));
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('destinaton', 'destination')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});
