/**
 * fmt's formatting of numbers for printf: padding, integers (precision = minimum digits, 0x),
 * floats (%f, %g, hex floats, the # flag), signs and zero padding placed as Go places them.
 */
import { formatFloat } from './go-number.js';

export interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
  /** %+v / %#v: Go moves the flags aside for the v verb. */
  sharpV: boolean;
}

const runeCount = (s: string): number => [...s].length;

export function fail(message: string): never {
  throw new Error(`printf: ${message}`);
}

/** Go's padding: spaces (zeros with the 0 flag) on the left, or spaces on the right with `-`. */
export function pad(s: string, spec: Spec): string {
  const fill = spec.width === undefined ? 0 : spec.width - runeCount(s);
  if (fill <= 0) return s;
  if (spec.minus) return s + ' '.repeat(fill);
  return (spec.zero ? '0' : ' ').repeat(fill) + s;
}

/** fmt's integer formatting: precision is a minimum digit count, `0` pads after the sign. */
export function formatInteger(n: bigint, base: 10 | 16, upper: boolean, spec: Spec): string {
  if (spec.prec === 0 && n === 0n) return pad('', { ...spec, zero: false });
  const negative = n < 0n;
  let digits = (negative ? -n : n).toString(base);
  if (upper) digits = digits.toUpperCase();
  let minDigits = 0;
  if (spec.prec !== undefined) minDigits = spec.prec;
  else if (spec.zero && !spec.minus && spec.width !== undefined) minDigits = spec.width - (negative || spec.plus || spec.space ? 1 : 0);
  digits = digits.padStart(minDigits, '0');
  if (spec.sharp && base === 16) digits = (upper ? '0X' : '0x') + digits;
  const sign = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  // Go has already zero-filled through the precision: the width pads with spaces.
  return pad(sign + digits, { ...spec, zero: false });
}

/**
 * The # flag on a float: a decimal point always, and trailing zeros kept up to the precision
 * (6 for %v and %x without one), as fmt does.
 */
function sharpFloat(num: string, verb: string, prec: number): string {
  let digits = verb === 'g' || verb === 'x' ? (prec === -1 ? 6 : prec) : 0;
  const tailAt = num.slice(1).search(verb === 'x' || verb === 'X' ? /[pP]/ : /[eEpP]/);
  const body = tailAt < 0 ? num : num.slice(0, tailAt + 1);
  const tail = tailAt < 0 ? '' : num.slice(tailAt + 1);
  let sawNonzero = false;
  for (const ch of body.slice(1)) {
    if (ch === '.') continue;
    if (ch !== '0') sawNonzero = true;
    if (sawNonzero) digits--;
  }
  let out = body;
  if (!body.includes('.')) {
    if (body.length === 2 && body[1] === '0') digits--;
    out += '.';
  }
  return out + '0'.repeat(Math.max(digits, 0)) + tail;
}

export function formatFloatVerb(f: number, verb: 'f' | 'g' | 'x' | 'X', spec: Spec): string {
  if (spec.sharpV) fail('%#v is not supported');
  const prec = spec.prec ?? (verb === 'f' ? 6 : -1);
  let num: string;
  if (verb === 'x' || verb === 'X') {
    num = hexFloat(f, verb === 'X', prec);
  } else {
    num = formatFloat(f, verb, prec);
  }
  if (!num.startsWith('-') && !num.startsWith('+')) num = `+${num}`;
  if (spec.space && num.startsWith('+') && !spec.plus) num = ` ${num.slice(1)}`;
  if (/^[+\- ](?:Inf|NaN)$/.test(num)) {
    if (num.endsWith('NaN') && !spec.space && !spec.plus) num = num.slice(1);
    return pad(num, { ...spec, zero: false });
  }
  if (spec.sharp) num = sharpFloat(num, verb, prec);
  if (spec.plus || !num.startsWith('+')) {
    const zeroFill = spec.zero && !spec.minus && spec.width !== undefined && spec.width > num.length;
    if (zeroFill) return num[0] + pad(num.slice(1), { ...spec, width: (spec.width as number) - 1 });
    return pad(num, spec);
  }
  return pad(num.slice(1), spec);
}

/** %x of a string: two hex digits per UTF-8 byte; ` ` separates bytes, `#` adds 0x. */
export function formatHexBytes(text: string, upper: boolean, spec: Spec): string {
  let bytes = [...Buffer.from(text, 'utf8')];
  if (spec.prec !== undefined) bytes = bytes.slice(0, spec.prec);
  const prefix = upper ? '0X' : '0x';
  const pairs = bytes.map((b) => {
    const h = b.toString(16).padStart(2, '0');
    return upper ? h.toUpperCase() : h;
  });
  const body = spec.space ? pairs.map((p) => (spec.sharp ? prefix + p : p)).join(' ') : (spec.sharp && pairs.length > 0 ? prefix : '') + pairs.join('');
  return pad(body, spec);
}

/** strconv's 'x' format: 0x1.8p+00 (prec -1: as many hex digits as needed). */
function hexFloat(f: number, upper: boolean, prec: number): string {
  if (Number.isNaN(f) || !Number.isFinite(f)) return formatFloat(f, 'g', -1);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(f));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp = biased === 0 ? -1022 : biased - 1023;
  if (biased !== 0) mant |= 1n << 52n;
  // Normalize so the leading 1 sits at bit 60, as Go's fmtX does (subnormals shift up).
  mant <<= 8n;
  if (mant === 0n) exp = 0;
  else while ((mant & (1n << 60n)) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & ((1n << 60n) - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  let digits = '';
  let rest = (mant << 4n) & ((1n << 64n) - 1n);
  const hexDigit = (): string => {
    const d = Number((rest >> 60n) & 15n).toString(16);
    rest = (rest << 4n) & ((1n << 64n) - 1n);
    return d;
  };
  if (prec < 0) while (rest !== 0n) digits += hexDigit();
  else for (let k = 0; k < prec; k++) digits += hexDigit();
  const expText = String(Math.abs(exp)).padStart(2, '0');
  const text = `${f < 0 || Object.is(f, -0) ? '-' : ''}0x${(mant >> 60n) & 1n}${digits ? `.${digits}` : ''}p${exp < 0 ? '-' : '+'}${expText}`;
  return upper ? text.toUpperCase() : text;
}
