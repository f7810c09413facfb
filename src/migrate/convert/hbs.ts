/**
 * Writing Handlebars text: literal content, string literals, paths and tags. These
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
 * Tags Handlebars may treat as "standalone" (block open/close/else, partial, inline partial,
 * comment): alone on their line, it removes the line's indentation and newline with them. Go
 * never does that, and ctmpl compiles templates without `ignoreStandalone`.
 */
const STANDALONE_CANDIDATE = /^\{\{~?(?:[#/^>!]|else\b)/;
const OPEN = /^\{\{~?#/;
const CLOSE = /^\{\{~?\//;
const ELSE = /^\{\{~?else\b/;
const CHAINED_ELSE = /^\{\{~?else\s/;
/** An empty comment: renders nothing and is not text, so the tag before it is never standalone. */
const NOT_STANDALONE = '{{!}}';

/** A block being written: whether it has an `else if` chain, and where the chain's first branch ends. */
interface Frame {
  chained: boolean;
  awaitingFirstBranchEnd: boolean;
  firstBranchEnd: Segment | undefined;
}

/**
 * Handlebars' isPrevWhitespace: the node before is text ending in a line break and blanks (or, for
 * the first node of the whole template, only blanks); nothing at all before counts only at the
 * start of the template.
 */
function blankBefore(before: Segment | undefined, atRoot: boolean, first: boolean): boolean {
  if (before === undefined) return atRoot;
  return 'text' in before && (atRoot && first ? /(^|\r?\n)\s*?$/ : /\r?\n\s*?$/).test(before.text);
}

/** Handlebars' isNextWhitespace, the mirror image of blankBefore. */
function blankAfter(after: Segment | undefined, atRoot: boolean, last: boolean): boolean {
  if (after === undefined) return atRoot;
  return 'text' in after && (atRoot && last ? /^\s*?(\r?\n|$)/ : /^\s*?\r?\n/).test(after.text);
}

/**
 * Puts `{{!}}` right after each tag Handlebars would take as standalone where that would remove
 * something, so the text around it is kept byte for byte. This follows Handlebars 4.7's
 * whitespace-control.js: a tag is standalone when the text on both sides is blank up to a line
 * break; the side after it is always the node that follows the tag, so breaking that side is
 * enough. A standalone tag strips the spaces and tabs ending the text before it (except at the
 * close of an `else if` chain, where Handlebars tests the chain's first branch instead and strips
 * nothing) and the spaces, tabs and first line break starting the text after it.
 */
function keepStandaloneLines(segments: readonly Segment[]): Segment[] {
  const out: Segment[] = [];
  const stack: Frame[] = [];
  const lastIndex = segments.length - 1;
  segments.forEach((s, i) => {
    out.push(s);
    if (!('tag' in s) || !STANDALONE_CANDIDATE.test(s.tag)) return;
    const before = segments[i - 1];
    const after = segments[i + 1];
    let prevBlank: boolean;
    let nextBlank: boolean;
    let stripsBefore = before !== undefined && 'text' in before && /[ \t]$/.test(before.text);
    if (OPEN.test(s.tag)) {
      prevBlank = blankBefore(before, stack.length === 0, i === 1);
      nextBlank = blankAfter(after, false, false);
      stack.push({ chained: false, awaitingFirstBranchEnd: false, firstBranchEnd: undefined });
    } else if (ELSE.test(s.tag) || CLOSE.test(s.tag)) {
      const frame = stack[stack.length - 1];
      if (frame?.awaitingFirstBranchEnd) {
        frame.firstBranchEnd = before;
        frame.awaitingFirstBranchEnd = false;
      }
      if (CLOSE.test(s.tag)) {
        stack.pop();
        const chained = frame?.chained === true;
        prevBlank = blankBefore(chained ? frame?.firstBranchEnd : before, false, false);
        nextBlank = blankAfter(after, stack.length === 0, i + 1 === lastIndex);
        if (chained) stripsBefore = false;
      } else {
        prevBlank = blankBefore(before, false, false);
        nextBlank = blankAfter(after, false, false);
        if (frame && CHAINED_ELSE.test(s.tag) && !frame.chained) {
          frame.chained = true;
          frame.awaitingFirstBranchEnd = true;
        }
      }
    } else {
      prevBlank = blankBefore(before, stack.length === 0, i === 1);
      nextBlank = blankAfter(after, stack.length === 0, i + 1 === lastIndex);
    }
    const stripsAfter = after !== undefined && 'text' in after && /^[ \t\r\n]/.test(after.text);
    if (prevBlank && nextBlank && (stripsBefore || stripsAfter)) out.push({ tag: NOT_STANDALONE });
  });
  return out;
}

/**
 * Joins segments into a template, merging adjacent texts before escaping them. A `{` just before
 * a tag or a `}` just after one would make `{{{` / `}}}` (Handlebars' unescaped mustache): a space
 * is put between, and a `~` next to it (`{ {{~!}}{{tag}}`, `{{tag~}} }`) strips exactly that space again. Lines Handlebars
 * would drop as standalone are kept (see keepStandaloneLines).
 */
export function joinSegments(segments: readonly Segment[]): string {
  const merged: Segment[] = [];
  for (const s of segments) {
    const last = merged[merged.length - 1];
    if ('text' in s && last && 'text' in last) merged[merged.length - 1] = { text: last.text + s.text };
    else if (!('text' in s && s.text === '')) merged.push(s);
  }
  return writeSegments(keepStandaloneLines(merged));
}

function writeSegments(merged: readonly Segment[]): string {
  const out: string[] = merged.map((s, i) => ('tag' in s ? s.tag : escapeContent(s.text, merged[i + 1] !== undefined)));
  for (let i = 0; i < out.length; i++) {
    const seg = merged[i] as Segment;
    if (!('tag' in seg)) continue;
    const before = merged[i - 1];
    const after = merged[i + 1];
    if (before && 'text' in before && (out[i - 1] as string).endsWith('{')) {
      // On the tag itself, `{{~/if}}` closing an `else if … else` chain would also strip the
      // `else if` branch (Handlebars 4.7 takes the wrong branch as the chain's last): a comment
      // strips the space instead.
      out[i - 1] += ' {{~!}}';
    }
    if (after && 'text' in after && (out[i + 1] as string).startsWith('}')) {
      out[i] = `${(out[i] as string).slice(0, -2)}~}}`;
      out[i + 1] = ` ${out[i + 1] as string}`;
    }
  }
  return out.join('');
}
