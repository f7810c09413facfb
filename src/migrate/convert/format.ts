/**
 * Go's formatting rules the converter applies itself: how Go prints a float constant, and which
 * printf formats ctmpl's printf reproduces for which argument types.
 */
import { describeType, type GoType } from './types.js';

/** Go's `%v` of a float64 (strconv 'g' with the shortest digits; %e from exponent -5 or 21… ). */
export function formatGoFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa, expText] = f.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const sign = negative ? '-' : '';
  // strconv: %e when the exponent is < -4 or >= the precision, which is 6 for shortest output.
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : String(e)}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}${frac ? `.${frac}` : ''}`;
}

/** One directive of a printf format. */
export interface Verb {
  readonly verb: string;
  readonly spec: string;
}

/** Verbs ctmpl's printf implements, and the Go types each prints without a `%!` error. */
const VERB_TYPES: Readonly<Record<string, (t: GoType) => boolean>> = {
  s: (t) => t.k === 'string' || t.k === 'any',
  q: (t) => t.k === 'string' || t.k === 'any',
  d: (t) => t.k === 'int' || t.k === 'any',
  f: (t) => t.k === 'float' || t.k === 'any',
  x: (t) => t.k === 'int' || t.k === 'string' || t.k === 'any',
  X: (t) => t.k === 'int' || t.k === 'string' || t.k === 'any',
  v: (t) => t.k !== 'struct' && t.k !== 'nil' && !((t.k === 'list' || t.k === 'map') && t.of.k === 'struct'),
};

/** The directives of a format, or a reason it cannot be reproduced. */
export function parseFormat(format: string): Verb[] | string {
  const verbs: Verb[] = [];
  const re = /%([-+# 0]*)(\d*)(?:\.(\d*))?(.?)/gsu;
  for (let m = re.exec(format); m !== null; m = re.exec(format)) {
    const verb = m[4] ?? '';
    if (verb === '%' && m[0] === '%%') continue;
    if (verb === '' ) return 'the format ends with a lone %';
    if (verb === '*' || verb === '[' || /\*|\[/.test(m[0])) return `${m[0]}: * widths and [n] argument indexes are not supported`;
    if (!(verb in VERB_TYPES)) return `the verb %${verb} is not one ctmpl's printf has (it has %s %q %d %f %x %X %v)`;
    verbs.push({ verb, spec: m[0] });
  }
  return verbs;
}

/** Why these argument types would not print the same (Go's `%!d(string=…)`), or undefined. */
export function checkFormatArgs(verbs: readonly Verb[], args: readonly GoType[]): string | undefined {
  if (verbs.length !== args.length) return `the format has ${verbs.length} verbs for ${args.length} arguments (Go would print %!(EXTRA …) or %!v(MISSING))`;
  for (let i = 0; i < verbs.length; i++) {
    const v = verbs[i] as Verb;
    const t = args[i] as GoType;
    if (!(VERB_TYPES[v.verb] as (t: GoType) => boolean)(t)) return `${v.spec} with a ${describeType(t)} argument (Go prints %!${v.verb}(${describeType(t)}=…))`;
  }
  return undefined;
}
