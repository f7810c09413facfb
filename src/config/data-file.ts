import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Document } from 'yaml';
import type * as z from 'zod';
import { InputError } from '../errors.js';

/**
 * YAML and JSON files (config and catalog) are read through one parser that keeps source
 * positions, so every validation error can point at file:line:column. JSON is YAML 1.2, so one
 * parser serves both.
 */
export interface DataFile {
  readonly path: string;
  readonly value: unknown;
  /**
   * `file:line:column` of the node at `path`, or of its nearest existing parent. With `atKey`, the
   * position of the last key itself (for "unknown key"), not of its value.
   */
  locate(path: readonly PropertyKey[], atKey?: boolean): string;
}

/**
 * Large generated catalogs are JSON: JSON.parse is two orders of magnitude faster than building a
 * YAML document with positions, which is then built only when an error needs locating.
 */
export function parseDataText(path: string, text: string): DataFile {
  if (/^\s*[{[]/.test(text)) {
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      return parseYaml(path, text);
    }
    let located: DataFile | undefined;
    return { path, value, locate: (keys, atKey) => (located ??= parseYaml(path, text)).locate(keys, atKey) };
  }
  return parseYaml(path, text);
}

let yamlModule: typeof import('yaml') | undefined;
/** The yaml package, loaded on first use: runs from flags alone (a registry, no files) never need it. */
const yaml = (): typeof import('yaml') => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

function parseYaml(path: string, text: string): DataFile {
  const { isMap, isScalar, LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    const reason = first.message.split('\n')[0] ?? first.message;
    throw new InputError(reason, `${path}:${pos.line}:${pos.col}`, 'fix the YAML/JSON syntax at that position');
  }
  const position = (offset: number): string => {
    const pos = lineCounter.linePos(offset);
    return `${path}:${pos.line}:${pos.col}`;
  };
  const locate = (keys: readonly PropertyKey[], atKey = false): string => {
    if (atKey && keys.length > 0) {
      const parent = doc.getIn(keys.slice(0, -1) as unknown[], true);
      const last = String(keys[keys.length - 1]);
      const pair = isMap(parent) ? parent.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === last) : undefined;
      const range = isScalar(pair?.key) ? pair.key.range : undefined;
      if (range) return position(range[0]);
    }
    for (let n = keys.length; n >= 0; n--) {
      const node = doc.getIn(keys.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
      const range = n === 0 ? doc.contents?.range : node?.range;
      if (range) return position(range[0]);
    }
    return path;
  };
  return { path, value: toValue(doc, path, position), locate };
}

/**
 * The document as plain data. The yaml library refuses to expand aliases past a budget (an alias
 * bomb: a few lines that expand to gigabytes) and can run out of stack on absurd nesting: both
 * are bad input, reported at the first alias (or the document) like any other error.
 */
function toValue(doc: Document, path: string, position: (offset: number) => string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    if (!(err instanceof ReferenceError || err instanceof RangeError)) throw err;
    const { visit, isAlias } = yaml();
    let at: number | undefined;
    visit(doc, {
      Alias(_key, node) {
        if (isAlias(node) && node.range) at = node.range[0];
        return visit.BREAK;
      },
    });
    const bomb = /alias/i.test(err.message);
    throw new InputError(
      bomb ? 'too many alias expansions (a YAML alias bomb?)' : `the document is too deeply nested to read (${err.message})`,
      at === undefined ? `${path}:1:1` : position(at),
      bomb ? 'use each alias a few times at most, or write the values out' : 'flatten the document',
    );
  }
}

export async function readDataFile(path: string, what: string): Promise<DataFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${what} (${code ?? String(err)})`, path, `check that ${path} exists and is readable`);
  }
  return parseDataText(path, text);
}

/** Extra help for a config file's unknown key (`template` → `templates`), by its key path. */
export type UnknownKeyHint = (keyPath: readonly PropertyKey[]) => string | undefined;

/**
 * Validates a parsed file against a zod schema; the first problem becomes an InputError with its
 * position. `unknownKey` adds help to an unknown key's error (the nearest known key, or the name
 * ctmpl uses for a consul-template key).
 */
export function validateDataFile<S extends z.ZodType>(file: DataFile, schema: S, hint: string, unknownKey?: UnknownKeyHint): z.output<S> {
  const result = schema.safeParse(file.value ?? {});
  if (result.success) return result.data;
  const first = preferPresent(result.error.issues);
  if (!first) throw new InputError('invalid content', file.path, hint);
  const { issue, path } = deepest(first, first.path as PropertyKey[]);
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const where = keys.length > 0 ? file.locate([...path, keys[0] as string], true) : file.locate(path);
  const dotted = path.map(String).join('.');
  const keyHint = keys.length > 0 ? unknownKey?.([...path, keys[0] as string]) : undefined;
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}${dotted ? ` in ${dotted}` : ''}`
      : issue.code === 'invalid_key'
        ? `${dotted}: bad key: ${issue.issues[0]?.message ?? issue.message}`
        : issue.code === 'invalid_union'
          ? `${dotted || 'document'}: expected ${expectedForms(issue)}`
          : `${dotted || 'document'}: ${issue.message}`;
  return ((): never => {
    throw new InputError(message, where, keyHint === undefined ? hint : `${keyHint}; ${hint}`);
  })();
}

/**
 * What is written wrong goes before what is missing: a misspelt key is two issues, the unknown
 * key and the key it should have been, missing; a wrong value beside a missing key is the one
 * the operator is looking at. A key is missing when its value is undefined.
 */
function preferPresent(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue | undefined {
  return issues.find((issue) => !isMissing(issue)) ?? issues[0];
}

function isMissing(issue: z.core.$ZodIssue): boolean {
  if (issue.code === 'invalid_type') return / received undefined$/.test(issue.message);
  if (issue.code === 'invalid_union') return issue.errors.every((branch) => branch[0] !== undefined && isMissing(branch[0]));
  return false;
}

/**
 * Zod reports a value that fits no form of a union (`wait: "2s:10s"` or `wait: { min, max }`) as
 * "Invalid input". When one form fits the value's type and only a part of it is wrong, that part
 * is the problem (`wait.min: …`); otherwise the message lists the forms.
 */
function deepest(issue: z.core.$ZodIssue, path: PropertyKey[]): { issue: z.core.$ZodIssue; path: PropertyKey[] } {
  if (issue.code !== 'invalid_union') return { issue, path };
  // A form whose type matched says what is wrong inside: its problem is not a wrong type of the
  // value itself (an object form's problems are with its keys).
  const inner = issue.errors
    .map((branch) => preferPresent(branch))
    .find((b) => b !== undefined && (b.path.length > 0 || (b.code !== 'invalid_type' && b.code !== 'invalid_union')));
  return inner ? deepest(inner, [...path, ...(inner.path as PropertyKey[])]) : { issue, path };
}

function expectedForms(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_union') return issue.message;
  const forms = issue.errors.map((branch) => {
    const b = branch[0];
    if (b === undefined) return 'a value';
    if (b.code === 'invalid_type') return b.expected === 'array' ? 'a list' : b.expected === 'object' ? 'a block of keys' : `a ${b.expected}`;
    return b.code === 'invalid_union' ? expectedForms(b) : b.message;
  });
  return [...new Set(forms)].join(' or ');
}
