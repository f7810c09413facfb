/**
 * Numbers the way consul-template's Go code sees them. Templates get numbers as decimal strings
 * (handlebars 4.7.10 adds adjacent numbers), so a helper tells Go's two kinds apart by their text:
 * an int64 is written in decimal digits, anything else that strconv.ParseFloat accepts is a
 * float64. A JavaScript number (a Handlebars literal, a value from parseJSON) is an int when it is
 * a safe integer and a float64 otherwise.
 */

export type GoNumber = { readonly kind: 'int'; readonly value: bigint } | { readonly kind: 'float'; readonly value: number };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Wraps like Go's int64 arithmetic does (no overflow error in Go). */
export const wrapInt64 = (n: bigint): bigint => BigInt.asIntN(64, n);

/**
 * strconv.ParseInt(s, 10, 64): optional sign, decimal digits, within int64; undefined when the
 * text is not an integer, an error when it is one Go cannot hold.
 */
export function parseGoInt(text: string, helper: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const n = BigInt(text);
  if (n < INT64_MIN || n > INT64_MAX) throw new Error(`${helper}: ${JSON.stringify(text)} is out of range for a 64-bit integer`);
  return n;
}

/** Go allows `_` only between digits (or right after a base prefix). */
function underscoresOk(body: string, hex: boolean): boolean {
  const digit = hex ? /[0-9a-fA-F]/ : /[0-9]/;
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '_') continue;
    const before = i === 0 ? '' : (body[i - 1] as string);
    const after = body[i + 1] ?? '';
    const afterPrefix = hex && i === 2;
    if (!(digit.test(before) || afterPrefix) || !digit.test(after)) return false;
  }
  return true;
}

const DECIMAL = /^[+-]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9][0-9_]*)?$/;
const HEX = /^([+-]?)0[xX]((?:[0-9a-fA-F_]+(?:\.[0-9a-fA-F_]*)?|\.[0-9a-fA-F][0-9a-fA-F_]*))[pP]([+-]?[0-9][0-9_]*)$/;

function parseHexFloat(m: RegExpExecArray): number {
  const [, sign, mantissa, exp] = m as unknown as [string, string, string, string];
  const [whole, frac = ''] = mantissa.replace(/_/g, '').split('.') as [string, string?];
  const digits = `${whole}${frac}`;
  const value = digits === '' ? 0 : Number(BigInt(`0x${digits}`)) * 2 ** (Number(exp.replace(/_/g, '')) - 4 * frac.length);
  return sign === '-' ? -value : value;
}

/**
 * strconv.ParseFloat(s, 64): decimal or hexadecimal (`0x1p-2`) syntax, `_` between digits,
 * `inf`/`infinity`/`nan` in any case. Undefined when the text is not a number; an error when it
 * is one beyond float64's range (Go's "value out of range").
 */
export function parseGoFloat(text: string, helper: string): number | undefined {
  if (/^[+-]?(?:inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return NaN;
  const body = text.replace(/^[+-]/, '');
  const hex = HEX.exec(text);
  let value: number;
  if (hex) {
    if (!underscoresOk(body, true)) return undefined;
    value = parseHexFloat(hex);
  } else if (DECIMAL.test(text)) {
    if (!underscoresOk(body, false)) return undefined;
    value = Number(text.replace(/_/g, ''));
  } else {
    return undefined;
  }
  if (!Number.isFinite(value)) throw new Error(`${helper}: ${JSON.stringify(text)} is out of range for a 64-bit float`);
  return value;
}

/** A template value as a Go number, or undefined when it is not one. */
export function toGoNumber(value: unknown, helper: string): GoNumber | undefined {
  if (typeof value === 'bigint') return { kind: 'int', value: wrapInt64(value) };
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && !Object.is(value, -0) ? { kind: 'int', value: BigInt(value) } : { kind: 'float', value };
  }
  if (typeof value !== 'string') return undefined;
  // Go never prints an int as -0: that text is a float (the result of 0 * -1.5, say).
  if (value === '-0') return { kind: 'float', value: -0 };
  const int = parseGoInt(value, helper);
  if (int !== undefined) return { kind: 'int', value: int };
  const float = parseGoFloat(value, helper);
  return float === undefined ? undefined : { kind: 'float', value: float };
}

/** Like toGoNumber, with an error naming the helper when the value is not a number. */
export function goNumberArg(value: unknown, helper: string): GoNumber {
  const n = toGoNumber(value, helper);
  if (n === undefined) {
    const shown = typeof value === 'string' ? JSON.stringify(value) : value === undefined ? 'nothing' : Array.isArray(value) ? 'a list' : typeof value === 'object' && value !== null ? 'a map' : String(value);
    throw new Error(`${helper}: ${shown} is not a number`);
  }
  return n;
}

/** A Go number as a template sees it: an int in decimal, a float as Go's `%v` prints it. */
export const goNumberText = (n: GoNumber): string => (n.kind === 'int' ? n.value.toString() : formatGoFloat(n.value));

// ---------------------------------------------------------------------------------------------
// Printing floats. Go prints the exact binary value rounded half to even; JavaScript's toFixed
// rounds ties away from zero and switches to exponents at 1e21, so the digits are computed here.

/** The exact decimal digits of |f| (finite, non-zero): value = 0.DIGITS × 10^point. */
function exactDigits(f: number): { digits: string; point: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(f));
  const bits = view.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = exponentBits === 0 ? fraction : fraction | (1n << 52n);
  const exp2 = (exponentBits === 0 ? 1 : exponentBits) - 1075;
  const digits = exp2 >= 0 ? (mantissa << BigInt(exp2)).toString() : (mantissa * 5n ** BigInt(-exp2)).toString();
  const point = exp2 >= 0 ? digits.length : digits.length + exp2;
  const trimmed = digits.replace(/0+$/, '');
  return { digits: trimmed, point };
}

/** Rounds a digit string to `keep` digits, half to even, as strconv's decimal does. */
function roundDigits(digits: string, point: number, keep: number): { digits: string; point: number } {
  if (keep >= digits.length) return { digits, point };
  if (keep < 0) return { digits: '', point };
  const next = digits.charCodeAt(keep) - 48;
  const exactHalf = next === 5 && keep + 1 === digits.length;
  const up = exactHalf ? keep > 0 && (digits.charCodeAt(keep - 1) - 48) % 2 === 1 : next >= 5;
  let kept = digits.slice(0, keep);
  if (!up) return { digits: kept.replace(/0+$/, ''), point };
  let i = kept.length - 1;
  while (i >= 0 && kept[i] === '9') i--;
  if (i < 0) return { digits: '1', point: point + 1 };
  kept = kept.slice(0, i) + String.fromCharCode(kept.charCodeAt(i) + 1);
  return { digits: kept, point };
}

/** %e body: d.ddde±XX with `prec` fraction digits. */
function eForm(digits: string, point: number, prec: number, upper: boolean): string {
  const first = digits[0] ?? '0';
  const rest = digits.slice(1).padEnd(prec, '0').slice(0, prec);
  const exp = digits === '' ? 0 : point - 1;
  const expText = String(Math.abs(exp)).padStart(2, '0');
  return `${first}${prec > 0 ? `.${rest}` : ''}${upper ? 'E' : 'e'}${exp < 0 ? '-' : '+'}${expText}`;
}

/** %f body with `prec` fraction digits. */
function fForm(digits: string, point: number, prec: number): string {
  const whole = point <= 0 ? '0' : digits.slice(0, point).padEnd(point, '0');
  const frac = point >= 0 ? digits.slice(point) : '0'.repeat(-point) + digits;
  return prec > 0 ? `${whole}.${frac.padEnd(prec, '0').slice(0, prec)}` : whole;
}

/**
 * strconv.FormatFloat for the verbs 'f', 'e', 'g' (prec -1 = shortest), with a sign only for
 * negative values; `Inf`/`NaN` as `+Inf`, `-Inf`, `NaN`.
 */
export function formatFloat(f: number, verb: 'f' | 'e' | 'E' | 'g', prec: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  const sign = f < 0 || Object.is(f, -0) ? '-' : '';
  let digits: string;
  let point: number;
  if (f === 0) {
    digits = '';
    point = 1;
  } else if (prec < 0) {
    // Shortest digits that read back as the same float: JavaScript and Go agree on these.
    const [mantissa, exp] = Math.abs(f).toExponential().split('e') as [string, string];
    digits = mantissa.replace('.', '').replace(/0+$/, '');
    point = Number(exp) + 1;
  } else {
    const exact = exactDigits(f);
    const keep = verb === 'f' ? exact.point + prec : verb === 'g' ? Math.max(prec, 1) : prec + 1;
    ({ digits, point } = roundDigits(exact.digits, exact.point, keep));
  }
  if (verb === 'f') return sign + fForm(digits, point, prec < 0 ? Math.max(digits.length - point, 0) : prec);
  if (verb === 'e' || verb === 'E') return sign + eForm(digits, point, prec < 0 ? Math.max(digits.length - 1, 0) : prec, verb === 'E');
  // %g: %e when the exponent is < -4 or >= the precision (6 when shortest), else %f.
  const shown = Math.max(digits.length, 1);
  let eprec = prec < 0 ? 6 : Math.max(prec, 1);
  if (prec >= 0 && eprec > shown && shown >= point) eprec = shown;
  const exp = point - 1;
  if (digits !== '' && (exp < -4 || exp >= eprec)) return sign + eForm(digits, point, shown - 1, false);
  return sign + fForm(digits, point, Math.max(shown - point, 0));
}

/** Go's `%v` of a float64: the shortest digits that read back, with an exponent below 1e-4 and from 1e6 up. */
export const formatGoFloat = (f: number): string => formatFloat(f, 'g', -1);
