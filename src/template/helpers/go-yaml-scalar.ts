/**
 * How yaml.v2 writes one string: whether it would read back as something else (resolve.go), what
 * its characters allow (emitterc.go's analyze_scalar), and the style that follows (encode.go's
 * stringv with select_scalar_style): plain, single-quoted, double-quoted or a literal block.
 */
import { parseGoFloat } from './go-number.js';

const SPECIAL = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON',
  'n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF',
  '', '~', 'null', 'Null', 'NULL',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF',
]);

const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

function goFloatQuietly(text: string): boolean {
  try {
    return parseGoFloat(text, 'toYAML') !== undefined;
  } catch {
    return false;
  }
}

/** strconv.ParseInt(s, 0, 64) or ParseUint(s, 0, 64) would succeed. */
function goIntBase0(text: string): boolean {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return false;
  const [, sign, body] = m as unknown as [string, string, string];
  const digits = /^0[oO]/.test(body) ? `0o${body.slice(2)}` : /^0[0-7]+$/.test(body) ? `0o${body.slice(1)}` : body;
  const n = BigInt(digits) * (sign === '-' ? -1n : 1n);
  return (n >= -(2n ** 63n) && n < 2n ** 63n) || (sign === '' && n < 2n ** 64n);
}

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** yaml.v2's parseTimestamp: 2006-1-2, with an optional time (T, t or space) and zone. */
function isTimestamp(text: string): boolean {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt ])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(text);
  if (!m) return false;
  const [, y, mo, d, sep, h, mi, s, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (sep === undefined) return true;
  // With T the zone is required; with a space it is not allowed.
  if ((sep === ' ') !== (zone === undefined)) return false;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return false;
  if (zone && zone !== 'Z' && (Number(zone.slice(1, 3)) > 24 || Number(zone.slice(4)) > 60)) return false;
  return true;
}

/** yaml.v2's resolve(): this text, written plain, reads back as a bool, null, number or timestamp. */
export function yamlResolvesToNonString(text: string): boolean {
  const first = text[0] ?? '';
  if (text === '') return true;
  if ('+-0123456789yYnNtTfFoO~.'.includes(first) && SPECIAL.has(text)) return true;
  if (first === '.') return goFloatQuietly(text);
  if (!'+-0123456789'.includes(first)) return false;
  if (isTimestamp(text)) return true;
  const plain = text.replace(/_/g, '');
  if (goIntBase0(plain)) return true;
  return YAML_FLOAT.test(plain) && goFloatQuietly(plain);
}

export type Style = 'plain' | 'single' | 'double' | 'literal';

export const isBreakChar = (ch: string): boolean => ch === '\r' || ch === '\n' || ch === '\u0085' || ch === '\u2028' || ch === '\u2029';

/** yaml.v2's is_printable: LF, printable ASCII, U+00A0–U+D7FF, U+E000–U+FFFD except the BOM. */
export function isPrintable(ch: string): boolean {
  const cp = ch.codePointAt(0) as number;
  if (cp === 0x0a || (cp >= 0x20 && cp <= 0x7e)) return true;
  if (cp >= 0xa0 && cp <= 0xd7ff) return true;
  return cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff;
}

interface Analysis {
  multiline: boolean;
  blockPlain: boolean;
  single: boolean;
  block: boolean;
}

/** yaml_emitter_analyze_scalar, for block context (ctmpl never writes flow collections with content). */
export function analyze(value: string): Analysis {
  if (value === '') return { multiline: false, blockPlain: true, single: true, block: false };
  const chars = [...value];
  let blockIndicators = value.startsWith('---') || value.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWhitespace = true;
  let previousSpace = false;
  let previousBreak = false;
  chars.forEach((ch, i) => {
    const next = chars[i + 1];
    const followedByWhitespace = next === undefined || next === ' ' || next === '\t';
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      else if ((ch === '?' || ch === ':' || ch === '-') && followedByWhitespace) blockIndicators = true;
    } else if ((ch === ':' && followedByWhitespace) || (ch === '#' && precededByWhitespace)) {
      blockIndicators = true;
    }
    if (!isPrintable(ch)) special = true;
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreakChar(ch)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = ch === ' ' || ch === '\t' || ch === '\0' || isBreakChar(ch);
  });
  const plainOk = !(leadingSpace || leadingBreak || trailingSpace || trailingBreak || breakSpace || spaceBreak || special || lineBreaks || blockIndicators);
  return { multiline: lineBreaks, blockPlain: plainOk, single: !(breakSpace || spaceBreak || special), block: !(trailingSpace || spaceBreak || special) };
}

/** yaml.v2's base-60 floats ("1:20") stay quoted. */
const BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** encode.go stringv + emitterc.go select_scalar_style. */
export function chooseStyle(value: string, simpleKey: boolean): Style {
  const canUsePlain = !yamlResolvesToNonString(value) && !BASE60.test(value);
  let style: Style = value.includes('\n') ? 'literal' : canUsePlain ? 'plain' : 'double';
  const a = analyze(value);
  if (simpleKey && a.multiline) style = 'double';
  if (style === 'plain' && (!a.blockPlain || (value === '' && simpleKey))) style = 'single';
  if (style === 'single' && !a.single) style = 'double';
  if (style === 'literal' && (!a.block || simpleKey)) style = 'double';
  return style;
}

const DOUBLE_ESCAPES: Readonly<Record<number, string>> = {
  0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0b: 'v', 0x0c: 'f', 0x0d: 'r', 0x1b: 'e',
  0x22: '"', 0x5c: '\\', 0x85: 'N', 0xa0: '_', 0x2028: 'L', 0x2029: 'P',
};

export function doubleEscape(cp: number): string {
  const short = DOUBLE_ESCAPES[cp];
  if (short) return `\\${short}`;
  const hex = cp.toString(16).toUpperCase();
  return cp <= 0xff ? `\\x${hex.padStart(2, '0')}` : cp <= 0xffff ? `\\u${hex.padStart(4, '0')}` : `\\U${hex.padStart(8, '0')}`;
}
