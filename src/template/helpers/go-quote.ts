/** Go's strconv.Quote, QuoteToASCII and CanBackquote, for printf's %q. */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const SHORT_ESCAPES: Readonly<Record<number, string>> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v' };

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

function escapeRune(cp: number): string {
  const short = SHORT_ESCAPES[cp];
  if (short) return short;
  if (cp < 0x20 || cp === 0x7f) return `\\x${hex(cp, 2)}`;
  // A lone surrogate cannot be written as UTF-8: Go prints the replacement character.
  const valid = cp < 0xd800 || (cp > 0xdfff && cp <= 0x10ffff);
  const rune = valid ? cp : 0xfffd;
  return rune < 0x10000 ? `\\u${hex(rune, 4)}` : `\\U${hex(rune, 8)}`;
}

/** strconv.Quote (asciiOnly: QuoteToASCII): a double-quoted Go string literal. */
export function goQuote(text: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (PRINTABLE.test(ch) && (!asciiOnly || cp < 0x80)) out += ch;
    else out += escapeRune(cp);
  }
  return `${out}"`;
}

/** strconv.CanBackquote: the text fits in a raw `...` literal unchanged. */
export function canBackquote(text: string): boolean {
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if ((cp >= 0xd800 && cp <= 0xdfff) || cp === 0xfeff) return false;
    if ((cp < 0x20 && cp !== 0x09) || cp === 0x60 || cp === 0x7f) return false;
  }
  return true;
}
