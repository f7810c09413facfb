/**
 * Characters for the Go-to-JavaScript pattern translation: Go's classes ([[:alpha:]], \\s), its
 * escapes, case forms for a (?i) that JavaScript cannot scope, and literals written so they mean
 * themselves anywhere in a `v`-flag pattern.
 */

/** A pattern Go refuses, or one JavaScript cannot reproduce. */
export class Refused extends Error {}

export const POSIX: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7f',
  blank: '\\x09\\x20',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '\\x21-\\x7e',
  lower: 'a-z',
  print: '\\x20-\\x7e',
  punct: '\\x21-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7e',
  space: '\\x09-\\x0d\\x20',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

export const GO_SPACE = '\\x09\\x0a\\x0c\\x0d\\x20';
export const CONTROL_ESCAPES: Readonly<Record<string, number>> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };


/** Characters that case folding makes equal beyond toUpperCase/toLowerCase (K and the Kelvin sign…). */
const EXTRA_FOLDS: readonly (readonly number[])[] = [
  [0x4b, 0x6b, 0x212a], [0x53, 0x73, 0x17f], [0xc5, 0xe5, 0x212b], [0x3a3, 0x3c3, 0x3c2], [0x398, 0x3b8, 0x3d1, 0x3f4], [0x392, 0x3b2, 0x3d0],
  [0x395, 0x3b5, 0x3f5], [0x39a, 0x3ba, 0x3f0], [0x3a0, 0x3c0, 0x3d6], [0x3a1, 0x3c1, 0x3f1], [0x3a6, 0x3c6, 0x3d5], [0x399, 0x3b9, 0x345, 0x1fbe], [0x39c, 0x3bc, 0xb5],
];

/** Under a scoped (?i), the other case of an ASCII range's letters (with K's and S's extra forms). */
export function foldedRange(lo: number, hi: number): string {
  const overlap = (a: number, b: number): [number, number] | undefined => (Math.max(lo, a) <= Math.min(hi, b) ? [Math.max(lo, a), Math.min(hi, b)] : undefined);
  const lower = overlap(0x61, 0x7a);
  const upper = overlap(0x41, 0x5a);
  if (hi > 0x7f) throw new Refused('a (?i) that is not at the start of the pattern cannot apply to a range beyond ASCII in ctmpl; put (?i) first');
  let out = '';
  for (const [range, shift] of [[lower, -32], [upper, 32]] as const) {
    if (!range) continue;
    out += `${literal(range[0] + shift)}-${literal(range[1] + shift)}`;
    for (const [ascii, extra] of [[0x6b, 0x212a], [0x73, 0x17f]] as const) {
      const a = shift === -32 ? ascii : ascii - 32;
      if (a >= range[0] && a <= range[1]) out += literal(extra);
    }
  }
  return out;
}

/** The code points a case-insensitive match treats as equal to cp (cp first). */
export function caseForms(cp: number): number[] {
  const ch = String.fromCodePoint(cp);
  const forms = new Set<number>([cp]);
  for (const other of [ch.toLowerCase(), ch.toUpperCase(), ch.toUpperCase().toLowerCase()]) {
    if ([...other].length === 1) forms.add(other.codePointAt(0) as number);
  }
  for (const orbit of EXTRA_FOLDS) if (orbit.some((x) => forms.has(x))) orbit.forEach((x) => forms.add(x));
  return [...forms];
}

/** A code point written so it means itself anywhere in a `v`-flag pattern. */
export function literal(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if (/[A-Za-z0-9]/.test(ch)) return ch;
  if (cp < 0x80) return `\\x${cp.toString(16).padStart(2, '0')}`;
  return `\\u{${cp.toString(16)}}`;
}
