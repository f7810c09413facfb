/**
 * Go's fmt.Sprintf for consul-template's `printf`, with the verbs %s %q %d %f %x %X %v %t %%, the
 * flags `-+# 0`, width and precision. Go decides by the argument's type; in ctmpl an int is a
 * decimal string, so a string that reads as a number is formatted as one by %d, %f, %x and %X.
 * Where Go's output for a mismatch is certain (nil, a boolean, a string that is not a number, a
 * number with a fraction, a missing argument) it is Go's own `%!d(bool=true)` text; where it
 * depends on a type ctmpl cannot know, printf throws instead.
 */
import { splitArgs, type Helper } from './args.js';
import { fail, formatFloatVerb, formatHexBytes, formatInteger, pad, type Spec } from './go-fmt-number.js';
import { parseGoFloat, parseGoInt, toGoNumber } from './go-number.js';
import { canBackquote, goQuote } from './go-quote.js';
import { goKeys, isRecord } from './go-values.js';

const VERBS = 'sqdfxXvt';

function truncate(text: string, prec: number | undefined): string {
  return prec === undefined ? text : [...text].slice(0, prec).join('');
}

/** Go's text for a verb that does not fit the value: %!d(string=abc), the value printed with %v. */
function badVerb(verb: string, type: string, value: unknown, spec: Spec): string {
  return `%!${verb}(${type}=${formatValue(value, 'v', { ...spec, sharpV: false }, 1)})`;
}

function numberFromText(text: string): number | bigint | undefined {
  try {
    return parseGoInt(text, 'printf') ?? parseGoFloat(text, 'printf');
  } catch {
    return undefined;
  }
}

/**
 * A string: Go's string formatting, except that a string that reads as a number may be one of
 * ctmpl's ints or floats, so %d %f %x %X format it as the number, and so does %v when a flag or a
 * precision would make a number look different. A verb that fits no reading throws.
 */
function formatString(text: string, verb: string, spec: Spec): string {
  const n = numberFromText(text);
  switch (verb) {
    case 'v':
      if (spec.sharpV) fail('%#v is not supported');
      if (n !== undefined && (spec.prec !== undefined || spec.zero || spec.space)) return formatNumber(n, verb, spec, 0);
      return pad(truncate(text, spec.prec), spec);
    case 's':
      return pad(truncate(text, spec.prec), spec);
    case 'q': {
      const t = truncate(text, spec.prec);
      return pad(spec.sharp && canBackquote(t) ? `\`${t}\`` : goQuote(t, spec.plus), spec);
    }
    case 'x':
    case 'X':
      // An int arrives as its decimal text: %x prints it in hex, as Go does for an int.
      return typeof n === 'bigint' ? formatInteger(n, 16, verb === 'X', spec) : formatHexBytes(text, verb === 'X', spec);
    case 'd':
      if (typeof n === 'bigint') return formatInteger(n, 10, false, spec);
      if (n === undefined) return badVerb(verb, 'string', text, spec);
      return fail(`%d needs an integer, got ${JSON.stringify(text)}`);
    case 'f':
      return n === undefined ? badVerb(verb, 'string', text, spec) : formatFloatVerb(Number(n), 'f', spec);
    default:
      if (n === undefined) return badVerb(verb, 'string', text, spec);
      return fail(`%${verb} needs a boolean, got ${JSON.stringify(text)}`);
  }
}

/**
 * A JavaScript number. One with a fraction is certainly a float64; a whole one may be an int (a
 * Handlebars literal) or a float64 (parseJSON): %v prints it as a float, %d %x as an int.
 */
function formatNumber(value: number | bigint, verb: string, spec: Spec, depth: number): string {
  const n = toGoNumber(value, 'printf');
  if (n === undefined) return fail(`cannot format ${String(value)}`);
  if (verb === 'v' && typeof value === 'number') return formatFloatVerb(value, 'g', spec);
  // Inside a list or a map a number came from parseJSON: certainly a float64.
  const float = n.kind === 'float' || (depth > 0 && typeof value === 'number');
  if (!float && n.kind === 'int') {
    switch (verb) {
      case 'd':
      case 'v':
        if (spec.sharpV) fail('%#v is not supported');
        return formatInteger(n.value, 10, false, spec);
      case 'x':
      case 'X':
        return formatInteger(n.value, 16, verb === 'X', spec);
      case 'f':
        return formatFloatVerb(Number(n.value), 'f', spec);
      case 's':
      case 'q':
        return formatString(n.value.toString(), verb, spec);
      default:
        return fail(`%${verb} needs a boolean, got ${n.value}`);
    }
  }
  const f = Number(n.value);
  switch (verb) {
    case 'f':
      return formatFloatVerb(f, 'f', spec);
    case 'v':
      return formatFloatVerb(f, 'g', spec);
    case 'x':
    case 'X':
      return formatFloatVerb(f, verb, spec);
    default:
      return badVerb(verb, 'float64', f, spec);
  }
}

/** One argument, as fmt's printValue does; `depth` > 0 inside a list or map. */
function formatValue(value: unknown, verb: string, spec: Spec, depth: number): string {
  if (value === null || value === undefined) {
    if (depth > 0) return '<nil>';
    return verb === 'v' ? pad('<nil>', spec) : `%!${verb}(<nil>)`;
  }
  if (typeof value === 'string') return formatString(value, verb, spec);
  if (typeof value === 'number' || typeof value === 'bigint') return formatNumber(value, verb, spec, depth);
  if (typeof value === 'boolean') {
    if (verb === 't' || verb === 'v') return pad(String(value), spec);
    return badVerb(verb, 'bool', value, spec);
  }
  if (spec.sharpV) fail('%#v is not supported');
  if (Array.isArray(value)) return `[${value.map((v) => formatValue(v, verb, spec, depth + 1)).join(' ')}]`;
  if (typeof value === 'object') {
    if (isRecord(value)) fail('cannot print a catalog structure (consul-template prints Go internals); print its fields');
    const o = value as Record<string, unknown>;
    return `map[${goKeys(o)
      .map((k) => `${formatValue(k, verb, spec, depth + 1)}:${formatValue(o[k], verb, spec, depth + 1)}`)
      .join(' ')}]`;
  }
  return fail(`cannot format a ${typeof value}`);
}

/** Reads a run of digits at `i`, as fmt's parsenum. */
function number(format: string, i: number): { n: number | undefined; next: number } {
  let j = i;
  while (j < format.length && format.charCodeAt(j) >= 48 && format.charCodeAt(j) <= 57) j++;
  if (j === i) return { n: undefined, next: i };
  const n = Number(format.slice(i, j));
  if (n > 1_000_000) fail('width or precision too large');
  return { n, next: j };
}

/** fmt.Sprintf(format, args...) for the verbs above. */
export function goSprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argNum = 0;
  let i = 0;
  while (i < format.length) {
    const percent = format.indexOf('%', i);
    if (percent < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, percent);
    i = percent + 1;
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false, width: undefined, prec: undefined, sharpV: false };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '#') spec.sharp = true;
      else if (c === '0') spec.zero = true;
      else if (c === '+') spec.plus = true;
      else if (c === '-') spec.minus = true;
      else if (c === ' ') spec.space = true;
      else break;
    }
    if (format[i] === '[' || format[i] === '*') fail(`argument indexes ([n]) and * widths are not supported (in ${JSON.stringify(format)})`);
    ({ n: spec.width, next: i } = number(format, i));
    if (format[i] === '.' && i + 1 < format.length) {
      i++;
      if (format[i] === '[' || format[i] === '*') fail(`argument indexes ([n]) and * precisions are not supported (in ${JSON.stringify(format)})`);
      const p = number(format, i);
      spec.prec = p.n ?? 0;
      i = p.next;
    }
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!VERBS.includes(verb)) fail(`the verb %${verb} is not supported (printf has %s %q %d %f %x %X %v %t %%)`);
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    if (verb === 'v') {
      spec.sharpV = spec.sharp;
      spec.sharp = false;
      spec.plus = false;
    }
    out += formatValue(args[argNum++], verb, spec, 0);
  }
  if (argNum < args.length) fail(`${args.length} arguments for ${argNum} verbs in ${JSON.stringify(format)}`);
  return out;
}

export const formatHelpers: Record<string, Helper> = {
  /** `(printf "%-8s|%5d" ID Port)`: Go's fmt.Sprintf (see goSprintf). */
  printf(...args) {
    const { params } = splitArgs(args);
    if (params.length === 0) throw new Error('printf: expected a format');
    const [format, ...rest] = params;
    if (typeof format !== 'string') throw new Error('printf: the format (argument 1) must be a string');
    return goSprintf(format, rest);
  },
};
