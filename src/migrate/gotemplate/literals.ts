/**
 * Go's literal syntax inside actions: quoted and raw strings (strconv.Unquote), character
 * constants and numbers (parse.NumberNode), read the way Go reads them.
 */
import type { NumberValue } from './ast.js';

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/**
 * One escape sequence or character of a quoted literal at `i`; returns the code point and the
 * next index. Byte escapes above 0x7f (`\xff`, `\377`) would make raw bytes, which a JavaScript
 * string cannot hold: they are refused.
 */
function unquoteChar(s: string, i: number, quote: string): { cp: number; next: number } {
  const c = s[i];
  if (c === undefined) throw new Error('unterminated literal');
  if (c !== '\\') {
    const cp = s.codePointAt(i) as number;
    if (c === quote) throw new Error('unescaped quote');
    return { cp, next: i + (cp > 0xffff ? 2 : 1) };
  }
  const e = s[i + 1];
  if (e === undefined) throw new Error('unterminated escape');
  if (e in SIMPLE_ESCAPES) return { cp: (SIMPLE_ESCAPES[e] as string).charCodeAt(0), next: i + 2 };
  if (e === quote) return { cp: quote.charCodeAt(0), next: i + 2 };
  const hex = (n: number): { cp: number; next: number } => {
    const digits = s.slice(i + 2, i + 2 + n);
    if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits)) throw new Error(`invalid escape \\${e}${digits}`);
    return { cp: parseInt(digits, 16), next: i + 2 + n };
  };
  let out: { cp: number; next: number };
  if (e === 'x') {
    out = hex(2);
    if (out.cp > 0x7f) throw new Error(`byte escape \\x${s.slice(i + 2, i + 4)} makes a raw byte, not a character`);
  } else if (e === 'u') out = hex(4);
  else if (e === 'U') out = hex(8);
  else if (/[0-7]/.test(e)) {
    const digits = s.slice(i + 1, i + 4);
    if (!/^[0-7]{3}$/.test(digits)) throw new Error(`invalid octal escape \\${digits}`);
    out = { cp: parseInt(digits, 8), next: i + 4 };
    if (out.cp > 0x7f) throw new Error(`octal escape \\${digits} makes a raw byte, not a character`);
  } else throw new Error(`unknown escape sequence \\${e}`);
  if (out.cp > 0x10ffff || (out.cp >= 0xd800 && out.cp <= 0xdfff)) throw new Error('escape is not a valid character');
  return out;
}

/** The value of a `"…"` or `` `…` `` literal (Go's strconv.Unquote). */
export function unquoteString(text: string): string {
  if (text.startsWith('`')) return text.slice(1, -1).replace(/\r/g, '');
  let out = '';
  const body = text.slice(1, -1);
  for (let i = 0; i < body.length; ) {
    const { cp, next } = unquoteChar(body, i, '"');
    out += String.fromCodePoint(cp);
    i = next;
  }
  return out;
}

/** A character constant such as `'a'` or `'\n'`: an integer (its code point), as in Go. */
export function charValue(text: string): NumberValue {
  const { cp, next } = unquoteChar(text, 1, "'");
  if (next !== text.length - 1) throw new Error(`malformed character constant: ${text}`);
  return { isInt: true, floatSyntax: false, int: BigInt(cp), float: cp, complex: false };
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** Go's strconv.ParseInt(text, 0, 64) rules: sign, 0x/0o/0b/legacy-octal, `_` between digits. */
function parseGoInt(text: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(text);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1n : 1n;
  let body = m[2] as string;
  // Underscores only between digits or after the base prefix (Go's underscoreOK).
  if (/__|_$/.test(body)) return undefined;
  body = body.replace(/_/g, '');
  let value: bigint;
  if (/^0[xX]/.test(body)) value = BigInt(body);
  else if (/^0[oO]/.test(body)) value = BigInt(`0o${body.slice(2)}`);
  else if (/^0[bB]/.test(body)) value = BigInt(body);
  else if (/^0[0-7]+$/.test(body)) value = BigInt(`0o${body.slice(1)}`);
  else value = BigInt(body);
  value *= sign;
  return value >= INT64_MIN && value <= INT64_MAX ? value : undefined;
}

/** A number literal read as Go's parser reads it; throws on what Go rejects. */
export function numberValue(text: string, complex: boolean): NumberValue {
  if (complex || text.endsWith('i')) return { isInt: false, floatSyntax: true, float: NaN, complex: true };
  const asInt = parseGoInt(text);
  const floatSyntax = /[.eEpP]/.test(text) && !/^[+-]?0[xX][^pP]*$/.test(text);
  if (asInt !== undefined) return { isInt: true, floatSyntax, int: asInt, float: Number(asInt), complex: false };
  if (/^[+-]?0[xX]/.test(text)) throw new Error(`hexadecimal floating-point literal ${text} is not supported`);
  if (!/^[+-]?([0-9][0-9_]*)?(\.[0-9_]*)?([eE][+-]?[0-9_]+)?$/.test(text) || !/[0-9]/.test(text) || /__|_$|_\.|\._/.test(text)) {
    throw new Error(`illegal number syntax: ${JSON.stringify(text)}`);
  }
  const f = Number(text.replace(/_/g, ''));
  if (!Number.isFinite(f)) throw new Error(`illegal number syntax: ${JSON.stringify(text)}`);
  if (!floatSyntax) throw new Error(`integer overflow: ${JSON.stringify(text)}`);
  const integral = Number.isInteger(f) && Math.abs(f) < 2 ** 63;
  return { isInt: integral, floatSyntax: true, ...(integral ? { int: BigInt(f) } : {}), float: f, complex: false };
}
