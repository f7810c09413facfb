import Handlebars from 'handlebars';
import { InputError } from '../errors.js';
import { adviseOnParseError } from './go-syntax.js';

/**
 * Parsing and the checks that run before anything renders, for templates and partials alike:
 * syntax (with consul-template's Go syntax named as such), helpers ctmpl does not have, and
 * partials that exist nowhere. Every error carries file:line:col.
 */

type Node = hbs.AST.Node & { loc?: hbs.AST.SourceLocation };
type Call = hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression;

const at = (path: string, node: Node): string => (node.loc ? `${path}:${node.loc.start.line}:${node.loc.start.column + 1}` : path);

/** Parses a template's text; a syntax error is an InputError at its position. */
export function parseTemplate(path: string, text: string): hbs.AST.Program {
  try {
    return Handlebars.parse(text);
  } catch (err) {
    const e = err as Error & { lineNumber?: number; column?: number };
    // Block mismatches carry a position; lexer errors keep theirs only on the shared lexer.
    const loc = (Handlebars as unknown as { Parser: { lexer: { yylloc?: { first_line: number; first_column: number } } } }).Parser.lexer.yylloc;
    const where = e.lineNumber !== undefined ? `${path}:${e.lineNumber}:${(e.column ?? 0) + 1}` : loc ? `${path}:${loc.first_line}:${loc.first_column + 1}` : path;
    const reason = (String(e.message).split('\n').slice(-1)[0] ?? 'syntax error').replace(/ - \d+:\d+$/, '');
    // A Go template (consul-template's) is named as such, with the Handlebars form of what failed.
    const advice = adviseOnParseError(text, e.lineNumber ?? loc?.first_line);
    throw new InputError(`template syntax error: ${reason}${advice.note ? `; ${advice.note}` : ''}`, where, advice.hint);
  }
}

/** Calls every node of a template (the AST is plain data). */
function walk(value: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const node = value as Node;
  if (typeof node.type === 'string') visit(node);
  for (const [key, child] of Object.entries(node)) if (key !== 'loc') walk(child, visit);
}

/**
 * Rejects calls to helpers ctmpl does not have, with their position, before anything runs. Go
 * template syntax that happens to parse (`{{ range services }}`) is named as such when `text`
 * is given.
 */
export function checkHelpers(path: string, ast: hbs.AST.Program, known: readonly string[], text?: string): void {
  walk(ast, (node) => {
    if (node.type !== 'MustacheStatement' && node.type !== 'BlockStatement' && node.type !== 'SubExpression') return;
    const call = node as Call;
    const isCall = node.type === 'SubExpression' || call.params.length > 0 || (call.hash?.pairs.length ?? 0) > 0;
    if (!isCall || call.path.type !== 'PathExpression') return;
    const name = (call.path as hbs.AST.PathExpression).original;
    if (known.includes(name)) return;
    const advice = text === undefined ? undefined : adviseOnParseError(text, node.loc?.start.line);
    if (advice?.note !== undefined) throw new InputError(`unknown helper "${name}"; ${advice.note}`, at(path, node), advice.hint);
    throw new InputError(`unknown helper "${name}"`, at(path, node), `available helpers: ${known.join(', ')}`);
  });
}

/**
 * Rejects `{{> name}}` of a partial that is neither in the partials directory nor defined in the
 * template itself (`{{#*inline "name"}}`). Dynamic names (`{{> (lookup …)}}`) are left to the render.
 */
export function checkPartials(path: string, ast: hbs.AST.Program, available: ReadonlySet<string>): void {
  const inline = new Set<string>();
  walk(ast, (node) => {
    if (node.type !== 'DecoratorBlock') return;
    const block = node as hbs.AST.BlockStatement;
    const name = block.params[0];
    if ((block.path as hbs.AST.PathExpression).original === 'inline' && name?.type === 'StringLiteral') inline.add((name as hbs.AST.StringLiteral).value);
  });
  walk(ast, (node) => {
    if (node.type !== 'PartialStatement' && node.type !== 'PartialBlockStatement') return;
    // The typings say PathExpression or SubExpression; the parser also gives `{{> "name"}}` a StringLiteral.
    const name = (node as hbs.AST.PartialStatement).name as hbs.AST.Node;
    const text = name.type === 'PathExpression' ? (name as hbs.AST.PathExpression).original : name.type === 'StringLiteral' ? (name as hbs.AST.StringLiteral).value : undefined;
    if (text === undefined || inline.has(text) || available.has(text) || node.type === 'PartialBlockStatement') return;
    const known = [...available].sort();
    throw new InputError(`unknown partial "${text}"`, at(path, node), known.length > 0 ? `partials: ${known.join(', ')}` : 'name a partials directory (--partials DIR or the partials key), or define it in the template with {{#*inline "name"}}…{{/inline}}');
  });
}

/** A field a strict render did not find, located in the file that reads it. */
export class MissingFieldError extends Error {
  override readonly name = 'MissingFieldError';

  constructor(
    readonly where: string,
    readonly field: string,
    /** What it was looked up on, as `[object Tag]` (the tag tells catalog data from other data). */
    readonly on: string,
  ) {
    super(`${where}: missing field "${field}" (check the spelling; an optional field is tested with {{#if}} first)`);
  }
}

/**
 * A render error as the operator needs it: Handlebars' strict mode says `"Adress" not defined in
 * [object Object] - 3:4`; this says `t.hbs:3:5: missing field "Adress"`. An error already located
 * (in a partial the template includes) keeps its place.
 */
export function locateRenderError(path: string, err: unknown): Error {
  if (err instanceof MissingFieldError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const missing = /^"(.*)" not defined in (.*) - (\d+):(\d+)$/s.exec(message);
  if (missing) return new MissingFieldError(`${path}:${missing[3]}:${Number(missing[4]) + 1}`, missing[1] as string, missing[2] as string);
  return err instanceof Error ? err : new Error(message);
}
