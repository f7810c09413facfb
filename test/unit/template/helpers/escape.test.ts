/**
 * Output-aware escaping (README "Security"): whatever the value, `nginxString`, `haproxyString`,
 * `haproxyFormatString`, `shellQuote` and `json` give ONE token of their language that reads back as the value (control
 * characters made spaces, `$` dropped for nginx), so a value can never end the line, statement
 * or block it is in. Checked with reference readers written from each program's quoting rules,
 * with /bin/sh itself, and with the real nginx and haproxy parsers.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHelpers } from '../../../../src/template/helpers/escape.js';
import { render } from '../fixtures.js';
import { haproxyCheck, nginxCheck } from '../../../support/checkers.js';
import { HOSTILE_PIECES, hostileText } from '../../../support/hostile-values.js';

/** Calls a helper as Handlebars does: the value, then the options object. */
function helper(name: 'nginxString' | 'haproxyString' | 'haproxyFormatString' | 'shellQuote' | 'json', value: unknown): string {
  const fn = escapeHelpers[name];
  if (fn === undefined) throw new Error(`no helper ${name}`);
  return String(fn(value, { hash: {} }));
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/g;

/** Any text, with a bias towards what breaks configs. */
const anyText = fc.oneof(hostileText, fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom(...HOSTILE_PIECES));

/**
 * nginx's reading of a double-quoted token (src/core/ngx_conf_file.c): `\"`, `\'`, `\\` give the
 * character, `\t` `\r` `\n` give TAB, CR, LF, any other `\x` stays as is; the token ends at the
 * first unescaped `"`. Returns the value and what follows the closing quote.
 */
function readNginxQuoted(text: string): { value: string; rest: string } {
  if (!text.startsWith('"')) throw new Error(`not a quoted token: ${text}`);
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      const next = text[i + 1] as string;
      value += next === '"' || next === "'" || next === '\\' ? next : next === 't' ? '\t' : next === 'r' ? '\r' : next === 'n' ? '\n' : `\\${next}`;
      i++;
    } else if (c === '"') {
      return { value, rest: text.slice(i + 1) };
    } else {
      value += c;
    }
  }
  throw new Error(`unterminated quoted token: ${text}`);
}

/**
 * haproxy's splitting of a line into words (src/tools.c parse_line): whitespace separates words
 * outside quotes; `'…'` is literal; `"…"` allows escapes and expands `$VAR`; `\x` outside single
 * quotes gives x; `#` outside quotes starts a comment. Returns the words and whether anything
 * would have been expanded or commented out.
 */
function haproxyWords(line: string): { words: string[]; expanded: boolean; comment: boolean } {
  const words: string[] = [];
  let word: string | undefined;
  let expanded = false;
  let comment = false;
  let mode: 'plain' | 'single' | 'double' = 'plain';
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (mode === 'single') {
      if (c === "'") mode = 'plain';
      else word = (word ?? '') + c;
      continue;
    }
    if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + (line[i + 1] as string);
      i++;
      continue;
    }
    if (mode === 'double') {
      if (c === '"') mode = 'plain';
      else {
        if (c === '$') expanded = true;
        word = (word ?? '') + c;
      }
      continue;
    }
    if (c === "'") {
      mode = 'single';
      word ??= '';
    } else if (c === '"') {
      mode = 'double';
      word ??= '';
    } else if (c === '#') {
      comment = true;
      break;
    } else if (c === ' ' || c === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return { words, expanded, comment };
}

describe('nginxString', () => {
  it('gives one double-quoted nginx token that reads back as the value, controls as spaces and $ dropped', () => {
    fc.assert(
      fc.property(anyText, (value) => {
        const token = helper('nginxString', value);
        expect(token).not.toMatch(CONTROL);
        expect(token).not.toContain('$');
        const { value: read, rest } = readNginxQuoted(token);
        expect(rest, 'nothing after the closing quote').toBe('');
        expect(read).toBe(value.replace(CONTROL, ' ').replace(/\$/g, ''));
      }),
      { numRuns: 500 },
    );
  });

  it('is one argument to the real nginx in a directive (nginx -t on 200 values at once)', async () => {
    const values = fc.sample(anyText, { numRuns: 200, seed: 20_260 });
    const include = join(dir, 'headers.conf');
    await writeFile(include, values.map((v, i) => `add_header X-Note-${i} ${helper('nginxString', v)};\n`).join(''));
    const result = await nginxCheck(include);
    expect(result.ok, result.output).toBe(true);
  });
});

describe('haproxyString', () => {
  it('gives one haproxy word (no expansion, no comment) that reads back as the value, controls as spaces', () => {
    fc.assert(
      fc.property(anyText, (value) => {
        const token = helper('haproxyString', value);
        expect(token).not.toMatch(CONTROL);
        const { words, expanded, comment } = haproxyWords(`description ${token}`);
        expect({ words, expanded, comment }).toEqual({ words: ['description', value.replace(CONTROL, ' ')], expanded: false, comment: false });
      }),
      { numRuns: 500 },
    );
  });

  // haproxy reads an empty word ('') as no argument, and `description` needs one: the shipped
  // template writes a description only for a service with tags, and tags are never empty.
  it('is accepted by the real haproxy as a backend description (haproxy -c on 200 non-empty values at once)', async () => {
    const values = fc.sample(anyText.filter((v) => v !== ''), { numRuns: 200, seed: 20_261 });
    const backends = join(dir, 'backends.cfg');
    await writeFile(backends, values.map((v, i) => `backend b${i}\n    description ${helper('haproxyString', v)}\n    server s1 127.0.0.1:8080\n`).join(''));
    const result = await haproxyCheck(backends);
    expect(result.ok, result.output).toBe(true);
  });
});

describe('haproxyFormatString', () => {
  /** Text rich in what haproxy's log-format parser acts on: `%[fetch]`, `%{flags}`, `%var`, `%%`. */
  const formatText = fc.oneof(
    anyText,
    fc.array(fc.constantFrom('%', '%[', '%[env(HOME)]', '%[nosuchfetch]', '%{+Q}', '%ci', '%%', ']', '{', "'", ' ', 'x'), { maxLength: 12 }).map((parts) => parts.join('')),
  );

  it('gives one haproxy word in which every % is doubled (log-format reads %% as one %)', () => {
    fc.assert(
      fc.property(formatText, (value) => {
        const token = helper('haproxyFormatString', value);
        const { words, expanded, comment } = haproxyWords(`set-header X-Note ${token}`);
        expect({ words, expanded, comment }).toEqual({ words: ['set-header', 'X-Note', value.replace(CONTROL, ' ').replace(/%/g, '%%')], expanded: false, comment: false });
      }),
      { numRuns: 500 },
    );
  });

  it('is accepted by the real haproxy as a set-header value, where haproxyString is not (haproxy -c)', async () => {
    const values = fc.sample(formatText.filter((v) => v.trim() !== ''), { numRuns: 200, seed: 20_262 });
    const rules = (name: 'haproxyString' | 'haproxyFormatString', list: readonly string[]): string =>
      `backend b\n${list.map((v, i) => `    http-response set-header X-Note-${i} ${helper(name, v)}\n`).join('')}    server s1 127.0.0.1:8080\n`;
    const escaped = join(dir, 'format.cfg');
    await writeFile(escaped, rules('haproxyFormatString', [...values, '%[nosuchfetch]']));
    const result = await haproxyCheck(escaped);
    expect(result.ok, result.output).toBe(true);
    // The same value through the plain helper runs as a sample fetch, which is why this helper exists.
    const plain = join(dir, 'plain.cfg');
    await writeFile(plain, rules('haproxyString', ['%[nosuchfetch]']));
    const refused = await haproxyCheck(plain);
    expect(refused.ok).toBe(false);
    expect(refused.output).toMatch(/nosuchfetch/);
  });
});

describe('shellQuote', () => {
  it('gives each value as exactly one /bin/sh word, side by side on one command line (NUL dropped)', () => {
    fc.assert(
      fc.property(fc.array(anyText, { minLength: 1, maxLength: 5 }), (values) => {
        const words = values.map((v) => helper('shellQuote', v)).join(' ');
        const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${words}`], { encoding: 'utf8' });
        // eslint-disable-next-line no-control-regex -- matching control characters is the point
        expect(out.split('\0').slice(0, -1)).toEqual(values.map((v) => v.replace(/\u0000/g, '')));
      }),
      { numRuns: 100 },
    );
  });
});

describe('json', () => {
  it('gives JSON text that parses back to the value, on one line', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), anyText), (value) => {
        const text = helper('json', value);
        expect(text).not.toMatch(/[\n\r]/);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
  });
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ctmpl-escaping-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Examples, rendered through a template as operators write them.

// A KV value may hold anything (a meta value with a control character is refused at the edge).
const catalogWithKey = (value: string): string => `kv:\n  note: ${JSON.stringify(value)}\n`;
const rendered = (name: string, value: string): string => render(`{{${name} (key "note")}}`, catalogWithKey(value));

describe('escaping helpers', () => {
  it.each([
    ['plain', '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['a;b}\n{c', '"a;b} {c"'],
    ['$host', '"host"'],
  ])('nginxString %j → %s', (value, expected) => {
    expect(rendered('nginxString', value)).toBe(expected);
  });

  it.each([
    ['plain', "'plain'"],
    ["it's", "'it'\\''s'"],
    ['$HOME #x\nbind', "'$HOME #x bind'"],
  ])('haproxyString %j → %s', (value, expected) => {
    expect(rendered('haproxyString', value)).toBe(expected);
  });

  it.each([
    ['100%', "'100%%'"],
    ["%[env(SECRET)] it's", "'%%[env(SECRET)] it'\\''s'"],
  ])('haproxyFormatString %j → %s', (value, expected) => {
    expect(rendered('haproxyFormatString', value)).toBe(expected);
  });

  it('json gives JSON text', () => {
    expect(rendered('json', 'a"b\n')).toBe('"a\\"b\\n"');
  });

  it('shellQuote gives one word to /bin/sh, whatever the value', { timeout: 60_000 }, () => {
    fc.assert(
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\u0000/g, '')), (value) => {
        const word = render('{{shellQuote (key "v")}}', `kv:\n  v: ${JSON.stringify(value)}\n`);
        const echoed = execFileSync('/bin/sh', ['-c', `printf '%s' ${word}`], { encoding: 'utf8' });
        expect(echoed).toBe(value);
      }),
      { numRuns: 50 },
    );
  });
});
