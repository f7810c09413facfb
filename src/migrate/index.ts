/**
 * consul-template → ctmpl: converts a Go text/template into Handlebars that renders the same
 * bytes with ctmpl's engine as it compiles every template, or refuses the whole template with the
 * list of constructs it cannot convert faithfully.
 */
import Handlebars from 'handlebars';
import { GoSyntaxError, LineMap } from './gotemplate/errors.js';
import { DEFAULT_DELIMITERS, type Delimiters } from './gotemplate/lexer.js';
import { parseGoTemplate } from './gotemplate/parser.js';
import { joinSegments } from './convert/hbs.js';
import type { MigrationProblem } from './convert/problems.js';
import { StatementConverter } from './convert/statements.js';

export type { MigrationProblem } from './convert/problems.js';
export type { Delimiters } from './gotemplate/lexer.js';

export type ConversionResult =
  | { readonly ok: true; readonly output: string; readonly helpersUsed: string[] }
  | { readonly ok: false; readonly problems: MigrationProblem[] };

/** Every helper the converter may emit (ctmpl's own and the ones added for migrated templates). */
export const EMITTED_HELPERS: readonly string[] = [
  'add', 'and', 'base64Decode', 'base64Encode', 'base64URLDecode', 'base64URLEncode', 'byTag', 'contains', 'containsAll',
  'containsAny', 'containsNone', 'containsNotAll', 'datacenters', 'divide', 'entries', 'env', 'eq', 'file', 'ge', 'gt',
  'hmacSHA256Hex', 'indent', 'index', 'join', 'key', 'keyExists', 'keyOrDefault', 'le', 'len', 'loop', 'ls', 'lt',
  'maximum', 'md5sum', 'minimum', 'modulo', 'multiply', 'ne', 'node', 'nodes', 'not', 'or', 'parseBool', 'parseFloat',
  'parseInt', 'parseJSON', 'parseUint', 'printf', 'regexMatch', 'regexReplaceAll', 'replaceAll', 'scratchGet',
  'scratchKey', 'scratchMapSet', 'scratchMapSetX', 'scratchMapValues', 'scratchSet', 'scratchSetX', 'service',
  'services', 'sha256Hex', 'split', 'subtract', 'timestamp', 'toJSON', 'toJSONPretty', 'toLower', 'toTitle',
  'toUnescapedJSON', 'toUnescapedJSONPretty', 'toUpper', 'toYAML', 'tree', 'trimPrefix', 'trimSpace', 'trimSuffix',
];

const BUILTINS = new Set(['each', 'if', 'with', 'lookup', 'unless']);

/** The helpers a Handlebars program calls (block helpers included), sorted. */
function helpersOf(program: hbs.AST.Program): string[] {
  const found = new Set<string>();
  const emitted = new Set(EMITTED_HELPERS);
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const node = value as { type?: string; path?: { type: string; original?: string }; params?: unknown[] };
    if ((node.type === 'SubExpression' || node.type === 'MustacheStatement' || node.type === 'BlockStatement') && node.path?.type === 'PathExpression') {
      const name = node.path.original ?? '';
      if (emitted.has(name) || BUILTINS.has(name)) found.add(name);
    }
    for (const [k, child] of Object.entries(node)) if (k !== 'loc') visit(child);
  };
  visit(program);
  return [...found].sort();
}

const byPosition = (a: MigrationProblem, b: MigrationProblem): number => a.line - b.line || a.col - b.col;

export interface ConvertOptions {
  /** A template's own left_delimiter / right_delimiter (consul-template's config); "" is the default. */
  readonly delimiters?: Partial<Delimiters>;
}

/**
 * Converts one consul-template template. `path` only names the template in messages. Never
 * returns a partly converted template: any problem makes the result `ok: false`. The output
 * always uses Handlebars' `{{` `}}`, whatever delimiters the original used.
 */
export function convertTemplate(path: string, text: string, options: ConvertOptions = {}): ConversionResult {
  const delimiters: Delimiters = {
    left: options.delimiters?.left || DEFAULT_DELIMITERS.left,
    right: options.delimiters?.right || DEFAULT_DELIMITERS.right,
  };
  let template;
  try {
    template = parseGoTemplate(text, delimiters);
  } catch (err) {
    if (!(err instanceof GoSyntaxError)) throw err;
    const { line, col } = new LineMap(text).at(err.offset);
    return { ok: false, problems: [{ line, col, construct: 'syntax', what: `Go template syntax error: ${err.message}`, todo: 'fix the template; consul-template refuses it too' }] };
  }
  const converter = new StatementConverter(template, EMITTED_HELPERS);
  const segments = converter.convert();
  if (converter.problems.length > 0) {
    const seen = new Set<string>();
    const problems = converter.problems.filter((p) => {
      const id = `${p.line}:${p.col}:${p.what}`;
      return !seen.has(id) && seen.add(id);
    });
    return { ok: false, problems: problems.sort(byPosition) };
  }
  const output = joinSegments(segments);
  // The converter's own output must read back; a failure here is a converter bug, reported as such.
  let program: hbs.AST.Program;
  try {
    program = Handlebars.parse(output);
  } catch (err) {
    return { ok: false, problems: [{ line: 1, col: 1, construct: 'converter', what: `the conversion of ${path} does not parse: ${(err as Error).message}`, todo: 'report this template to the ctmpl developers' }] };
  }
  return { ok: true, output, helpersUsed: helpersOf(program) };
}
