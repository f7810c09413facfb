/**
 * Go's regexp package on JavaScript's engine: compile (through go-regexp-syntax.ts), the
 * replacement template ($1, ${name}), and ReplaceAllString's rules for empty matches.
 */
import { Refused, Translator } from './go-regexp-syntax.js';

const cache = new Map<string, RegExp>();

/** Go's regexp.Compile for `helper`, as a JavaScript RegExp (global, for exec loops). */
export function compileGoRegexp(pattern: string, helper: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  let re: RegExp;
  try {
    const { source, flags } = new Translator(pattern).translate();
    re = new RegExp(source, `g${flags}`);
  } catch (err) {
    const reason = err instanceof Refused ? err.message : (err as Error).message.replace(/^Invalid regular expression: /, '');
    throw new Error(`${helper}: cannot use the regular expression ${JSON.stringify(pattern)}: ${reason}`);
  }
  if (cache.size >= 256) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, re);
  return re;
}

/** Expands Go's replacement template ($1, ${1}, $name, ${name}, $$) for one match. */
export function expandGoTemplate(template: string, match: RegExpExecArray): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) return out + template.slice(i);
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    const m = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(template.slice(i));
    if (!m) {
      out += '$';
      continue;
    }
    i += m[0].length;
    const name = (m[1] ?? m[2]) as string;
    const num = /^(?:0|[1-9][0-9]{0,7})$/.test(name) ? Number(name) : undefined;
    const value = num !== undefined ? match[num] : match.groups?.[name];
    out += value ?? '';
  }
  return out;
}

/**
 * The next match at or after `pos`. V8 can report an empty match between the two halves of a
 * surrogate pair (`\B` in "😀"); Go works on whole characters, so such a match is skipped.
 */
export function execFrom(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  let from = pos;
  for (;;) {
    re.lastIndex = from;
    const m = re.exec(text);
    if (!m) return null;
    const inPair = m.index > 0 && /[\ud800-\udbff]/.test(text[m.index - 1] as string) && /[\udc00-\udfff]/.test(text[m.index] ?? '');
    if (!inPair) return m;
    from = m.index + 1;
  }
}

/** regexp.ReplaceAllString: an empty match right after a previous match is not replaced. */
export function goReplaceAll(re: RegExp, text: string, template: string): string {
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= text.length) {
    const m = execFrom(re, text, searchPos);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    out += text.slice(lastMatchEnd, start);
    if (end > lastMatchEnd || start === 0) out += expandGoTemplate(template, m);
    lastMatchEnd = end;
    const width = (text.codePointAt(searchPos) ?? 0) > 0xffff ? 2 : 1;
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + text.slice(lastMatchEnd);
}
