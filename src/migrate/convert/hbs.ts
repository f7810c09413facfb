/**
 * Writing Handlebars text: literal content, string and number literals, paths, and tags. These
 * follow Handlebars 4.7's lexer (handlebars.l) so that what is written reads back as meant.
 */

/** Output pieces: literal text and Handlebars tags, joined by `joinSegments`. */
export type Segment = { readonly text: string } | { readonly tag: string };

const RESERVED_SEGMENTS = new Set(['true', 'false', 'null', 'undefined', 'this', 'else', 'as']);
/** What Handlebars reads as an ID (handlebars.l `ID`): no spaces or punctuation it uses itself. */
const ID = /^[^\s!"#%-,./;->@[-^`{-~]+$/u;

/** A path segment: `[name]` where the plain form would read as a keyword or not as an ID. */
export function pathSegment(name: string): string {
  if (!RESERVED_SEGMENTS.has(name) && ID.test(name)) return name;
  if (name.includes(']')) throw new Error(`a map key containing "]" (${JSON.stringify(name)}) cannot be written as a Handlebars path`);
  return `[${name}]`;
}

/**
 * A Handlebars string literal. Handlebars reads `\"` as a quote and every other backslash as
 * itself, so only a value ending in a backslash cannot be written (it would escape the quote).
 */
export function stringLiteral(value: string): string {
  if (value.endsWith('\\')) throw new Error(`a string ending in a backslash (${JSON.stringify(value)}) cannot be written as a Handlebars literal`);
  if (value.includes('\0')) throw new Error('a string containing a NUL character cannot be written as a Handlebars literal');
  return `"${value.replace(/"/g, '\\"')}"`;
}

/** A Handlebars number literal (`-?[0-9]+(\.[0-9]+)?`), or undefined when it has no such form. */
export function numberLiteral(value: number | bigint): string | undefined {
  const text = typeof value === 'bigint' ? value.toString() : Object.is(value, -0) ? '0' : String(value);
  return /^-?[0-9]+(\.[0-9]+)?$/.test(text) ? text : undefined;
}

/** `{{x}}` for a param: a subexpression `(h a b)` becomes `{{h a b}}`, a path stays a path. */
export function mustache(param: string): string {
  return param.startsWith('(') ? `{{${param.slice(1, -1)}}}` : `{{${param}}}`;
}

/** `#if (h a)` → `#if (h a)`; params keep their parentheses inside block tags. */
export function blockOpen(helper: string, param: string, blockParams: readonly string[] = []): string {
  const bp = blockParams.length > 0 ? ` as |${blockParams.join(' ')}|` : '';
  return `{{#${helper} ${param}${bp}}}`;
}

/**
 * Literal text as Handlebars content. `{{` is written `\{{`; backslashes just before a `{{`
 * (literal or a real tag) need one more backslash, since Handlebars reads `\\{{` as "a backslash,
 * then a tag" and strips one; before a literal `{{` a `{{!}}` comment separates the two.
 */
function escapeContent(text: string, tagFollows: boolean): string {
  let out = '';
  let rest = text;
  for (;;) {
    const at = rest.indexOf('{{');
    if (at < 0) break;
    const before = rest.slice(0, at);
    const slashes = /\\+$/.exec(before)?.[0].length ?? 0;
    out += slashes > 0 ? `${before}\\{{!}}\\{{` : `${before}\\{{`;
    rest = rest.slice(at + 2);
  }
  out += rest;
  if (tagFollows && /\\$/.test(out)) out += '\\';
  return out;
}

/**
 * Joins segments into a template, merging adjacent texts before escaping them. A `{` just before
 * a tag or a `}` just after one would make `{{{` / `}}}` (Handlebars' unescaped mustache): a space
 * is put between, and a `~` on the tag's side strips exactly that space again.
 */
export function joinSegments(segments: readonly Segment[]): string {
  const merged: Segment[] = [];
  for (const s of segments) {
    const last = merged[merged.length - 1];
    if ('text' in s && last && 'text' in last) merged[merged.length - 1] = { text: last.text + s.text };
    else if (!('text' in s && s.text === '')) merged.push(s);
  }
  const out: string[] = merged.map((s, i) => ('tag' in s ? s.tag : escapeContent(s.text, merged[i + 1] !== undefined)));
  for (let i = 0; i < out.length; i++) {
    const seg = merged[i] as Segment;
    if (!('tag' in seg)) continue;
    const before = merged[i - 1];
    const after = merged[i + 1];
    if (before && 'text' in before && (out[i - 1] as string).endsWith('{')) {
      out[i - 1] += ' ';
      out[i] = `{{~${(out[i] as string).slice(2)}`;
    }
    if (after && 'text' in after && (out[i + 1] as string).startsWith('}')) {
      out[i] = `${(out[i] as string).slice(0, -2)}~}}`;
      out[i + 1] = ` ${out[i + 1] as string}`;
    }
  }
  return out.join('');
}
