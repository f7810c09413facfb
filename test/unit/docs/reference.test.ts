import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildProgram } from '../../../src/cli/program.js';
import { parseDuration } from '../../../src/config/duration.js';
import { configFileSchema } from '../../../src/config/schema.js';
import { REGISTRIES } from '../../../src/registries/list.js';
import { HELPER_NAMES } from '../../../src/template/engine.js';
import { generateReference, REFERENCE_DIR, REPO_ROOT } from '../../../scripts/docs/generate.js';
import { helperDocs, HELPER_NOTES } from '../../../scripts/docs/helpers.js';
import { brokenLinks, linksOf, markdownFiles } from '../../../scripts/docs/links.js';
import { metricDocs } from '../../../scripts/docs/metrics.js';
import { registryPage } from '../../../scripts/docs/registries.js';
import { CODE_DEFAULTS, KEY_NOTES } from '../../../scripts/docs/settings-notes.js';
import { settingsModel } from '../../../scripts/docs/settings.js';
import { noteProblems, type InterfaceDoc } from '../../../scripts/docs/interfaces.js';
import { FIELD_NOTES, statusInterfaces } from '../../../scripts/docs/status-format.js';
import { DATA_NOTES, dataInterfaces } from '../../../scripts/docs/template-data.js';

const read = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');
const generated = generateReference();
const reference = (name: string): string => generated.get(`${REFERENCE_DIR}/${name}`) ?? '';

/** Where two texts first differ, as a hint for the failure message. */
function firstDifference(expected: string, actual: string): string {
  const want = expected.split('\n');
  const have = actual.split('\n');
  const line = want.findIndex((l, i) => l !== have[i]);
  const at = line < 0 ? want.length : line;
  return `first difference at line ${at + 1}:\n  committed: ${JSON.stringify(have[at] ?? '(end of file)')}\n  generated: ${JSON.stringify(want[at] ?? '(end of file)')}`;
}

/** Every key path of a zod schema, walked independently of the generator (lists `[]`, maps `.*`). */
function keysOf(schema: unknown, prefix = ''): string[] {
  const def = (schema as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'nullable':
      return keysOf(def.innerType, prefix);
    case 'pipe':
      return keysOf(def.in, prefix);
    case 'array':
      return keysOf(def.element, `${prefix}[]`);
    case 'record':
      return keysOf(def.valueType, `${prefix}.*`);
    case 'union':
      return [...new Set((def.options as unknown[]).flatMap((o) => keysOf(o, prefix)))];
    case 'object':
      return Object.entries(def.shape as Record<string, unknown>).flatMap(([name, value]) => {
        const key = prefix === '' ? name : `${prefix}.${name}`;
        return [key, ...keysOf(value, key)];
      });
    default:
      return [];
  }
}

describe('the generated reference (docs/reference/) is what npm run docs produces', () => {
  for (const [path, content] of generated) {
    it(`${path} is up to date`, () => {
      const committed = existsSync(join(REPO_ROOT, path)) ? read(path) : undefined;
      expect(committed, `${path} is missing: run npm run docs`).toBeDefined();
      expect(committed === content, `${path} differs from what the code produces: run npm run docs\n${firstDifference(content, committed ?? '')}`).toBe(true);
    });
  }

  it('is the same every time it is generated', () => {
    expect(generateReference()).toEqual(generated);
  });
});

describe('the reference covers every setting', () => {
  const model = settingsModel();

  it('lists every flag of the program', () => {
    const flags = buildProgram()
      .options.map((o) => o.long)
      .filter((l): l is string => l !== undefined);
    expect(flags).toContain('--listen');
    const listed = (flag: string): boolean => new RegExp(`\\| \`(-\\w, )?${flag}[ \`]`).test(reference('flags.md'));
    expect(flags.filter((f) => !listed(f))).toEqual([]);
  });

  it('lists every key of the config schema, nested ones included', () => {
    const keys = keysOf(configFileSchema);
    expect(keys).toContain('templates[].source');
    expect(keys.filter((k) => !reference('config.md').includes(`| \`${k}\` |`))).toEqual([]);
  });

  it('describes every config key (in the schema, a note, or the help of the flag that sets it)', () => {
    expect(model.keys.filter((k) => k.description === undefined || k.description.trim() === '').map((k) => k.key)).toEqual([]);
  });

  it('keeps no note or default for a key the schema does not have, and no description the schema gives', () => {
    const keys = new Set(model.keys.map((k) => k.key));
    expect([...Object.keys(KEY_NOTES), ...Object.keys(CODE_DEFAULTS)].filter((k) => !keys.has(k))).toEqual([]);
    expect(model.keys.filter((k) => k.describedInSchema && KEY_NOTES[k.key]?.description !== undefined).map((k) => k.key)).toEqual([]);
  });

  it('gives no flag to two keys', () => {
    const flags = model.keys.flatMap((k) => (k.flag ? [k.flag.long] : []));
    expect(flags.filter((f, i) => flags.indexOf(f) !== i)).toEqual([]);
  });

  it('states the same defaults in the flags help as src/config/defaults.ts', () => {
    const same = (a: string, b: string): boolean => {
      if (a.replace(/%$/, '') === b.replace(/%$/, '')) return true;
      try {
        return parseDuration(a, 'a') === parseDuration(b, 'b');
      } catch {
        return false;
      }
    };
    const differing = model.keys.flatMap((k) => {
      const noted = CODE_DEFAULTS[k.key];
      const stated = k.flag?.statedDefault;
      return noted !== undefined && stated !== undefined && !same(noted, stated) ? [`${k.flag?.long}: help says ${stated}, the code ${noted}`] : [];
    });
    expect(differing).toEqual([]);
  });
});

describe('the reference covers every helper, metric and /status field', () => {
  it('lists and describes every helper the engine registers', () => {
    const docs = helperDocs(REPO_ROOT);
    expect(docs.map((d) => d.name)).toEqual([...HELPER_NAMES]);
    expect(docs.filter((d) => d.doc === undefined).map((d) => d.name)).toEqual([]);
    expect(HELPER_NAMES.filter((n) => !reference('helpers.md').includes(`| \`${n}\` |`))).toEqual([]);
  });

  it('keeps no helper note the code does not need (a helper gone, or documented in its source)', () => {
    const documented = new Map(helperDocs(REPO_ROOT).map((d) => [d.name, d.doc]));
    const stale = Object.entries(HELPER_NOTES).filter(([name, note]) => documented.get(name) !== note);
    expect(stale.map(([name]) => name)).toEqual([]);
  });

  it('lists every metric ctmpl registers', () => {
    const { own } = metricDocs();
    expect(own.map((m) => m.name)).toContain('ctmpl_renders_total');
    expect(own.filter((m) => !reference('metrics.md').includes(`| \`${m.name}\` |`)).map((m) => m.name)).toEqual([]);
  });

  it('describes every /status field, and keeps no note the code does not need', () => {
    const interfaces = statusInterfaces(REPO_ROOT);
    expect(interfaces.map((i) => i.name)).toEqual(expect.arrayContaining(['PipelineStatus', 'TemplateStatus', 'SourceStatus']));
    expect(noteProblems(interfaces, FIELD_NOTES)).toEqual({ undocumented: [], stale: [] });
  });

  it('describes every field of the data templates see, and keeps no note the code does not need', () => {
    const interfaces = dataInterfaces(REPO_ROOT);
    expect(interfaces.map((i) => i.name)).toEqual(expect.arrayContaining(['Instance', 'ServiceSummary', 'KeyPair']));
    expect(noteProblems(interfaces, DATA_NOTES)).toEqual({ undocumented: [], stale: [] });
  });
});

/** Problems of a JSON value against a /status interface: unknown fields, missing required ones. */
function statusProblems(value: unknown, name: string, interfaces: ReadonlyMap<string, InterfaceDoc>, at: string): string[] {
  const shape = interfaces.get(name);
  if (!shape || value === null || typeof value !== 'object' || Array.isArray(value)) return shape ? [`${at}: expected an object (${name})`] : [];
  const entries = Object.entries(value);
  const problems = entries.filter(([key]) => !shape.fields.some((f) => f.name === key)).map(([key]) => `${at}.${key}: not a field of ${name}`);
  problems.push(...shape.fields.filter((f) => !f.optional && !Object.hasOwn(value, f.name)).map((f) => `${at}.${f.name}: missing (${name})`));
  for (const [key, inner] of entries) {
    const type = shape.fields.find((f) => f.name === key)?.type ?? '';
    const list = /^([\w. ]+)\[\]$/.exec(type)?.[1];
    const map = /^map of .+ → ([\w. ]+)$/.exec(type)?.[1];
    if (list && Array.isArray(inner)) inner.forEach((item, i) => problems.push(...statusProblems(item, list, interfaces, `${at}.${key}[${i}]`)));
    if (map && inner !== null && typeof inner === 'object') for (const [k, v] of Object.entries(inner)) problems.push(...statusProblems(v, map, interfaces, `${at}.${key}.${k}`));
  }
  return problems;
}

describe('the hand-written pages agree with the code', () => {
  it('has a page for every registry in the registry list', () => {
    expect(REGISTRIES.map((r) => `docs/${registryPage(r)}`).filter((p) => !existsSync(join(REPO_ROOT, p)))).toEqual([]);
  });

  it('shows a /status example whose fields are the documented ones (docs/operations/status.md)', () => {
    const example = /```json\n([\s\S]*?)\n```/.exec(read('docs/operations/status.md'))?.[1];
    expect(example, 'a ```json block with an example of /status').toBeDefined();
    const interfaces = new Map(statusInterfaces(REPO_ROOT).map((i) => [i.name, i]));
    expect(statusProblems(JSON.parse(example ?? '{}'), 'PipelineStatus', interfaces, '$')).toEqual([]);
  });

  it('shows only config files the schema accepts (yaml blocks that start with a "# ….yaml" comment naming ctmpl\'s config)', () => {
    const pages = ['README.md', ...markdownFiles(REPO_ROOT, 'docs')];
    const examples = pages.flatMap((page) => [...read(page).matchAll(/```yaml\n(# \S*ctmpl\S*\.ya?ml[^\n]*\n[\s\S]*?)```/g)].map((m) => ({ page, block: m[1] as string })));
    for (const page of ['README.md', 'docs/configuration.md']) expect(examples.some((e) => e.page === page), `${page} has a config example`).toBe(true);
    for (const { page, block } of examples) {
      const result = configFileSchema.safeParse(parseYaml(block));
      expect(result.success, `${page}:\n${block}\n${result.error?.message ?? ''}`).toBe(true);
    }
  });
});

describe('links', () => {
  const pages = markdownFiles(REPO_ROOT, 'docs');

  it('README.md links to every page of docs/', () => {
    const linked = new Set(linksOf('README.md', read('README.md')).map((l) => l.target.split('#')[0]));
    expect(pages.filter((p) => !linked.has(p))).toEqual([]);
  });

  it('every link of README.md and docs/ leads to a file (and heading) that exists', () => {
    expect(['README.md', ...pages].flatMap((p) => brokenLinks(REPO_ROOT, p))).toEqual([]);
  });
});
