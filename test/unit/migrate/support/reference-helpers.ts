/**
 * Reference implementations of the helpers converted templates call that ctmpl does not have yet,
 * with consul-template's semantics (template/funcs.go, scratch.go). They define what the
 * converter assumes; the render test runs converted fixtures through them.
 */
import { goJSON, goKeyOrder, goSprintf, goTruth } from './go-values.js';

type Helper = (...args: unknown[]) => unknown;
interface Options {
  readonly data?: { readonly scratch?: Map<string, unknown> };
}

const params = (args: unknown[]): unknown[] => args.slice(0, -1);
const optionsOf = (args: unknown[]): Options => args[args.length - 1] as Options;
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

function scratch(args: unknown[]): Map<string, unknown> {
  const s = optionsOf(args).data?.scratch;
  if (!s) throw new Error('scratch: no scratch in this render');
  return s;
}

/** ints stay ints (as strings, like ctmpl's add); anything with a fraction is a float. */
function arithmetic(name: string, op: (a: number, b: number) => number, intOp: (a: bigint, b: bigint) => bigint): Helper {
  return (...args) => {
    const [b, a] = params(args);
    const isInt = (v: unknown): boolean => /^[+-]?\d+$/.test(String(v));
    if (isInt(a) && isInt(b)) {
      if ((name === 'divide' || name === 'modulo') && BigInt(String(b)) === 0n) throw new Error(`${name}: division by zero`);
      return intOp(BigInt(String(a)), BigInt(String(b))).toString();
    }
    return String(op(Number(a), Number(b)));
  };
}

function inList(list: unknown, v: unknown): boolean {
  if (Array.isArray(list)) return list.some((x) => x === v || (typeof x !== 'object' && typeof v !== 'object' && String(x) === String(v)));
  if (typeof list === 'string') return typeof v === 'string' && list.includes(v);
  return false;
}

function compare(a: unknown, b: unknown): number {
  const numeric = (v: unknown): boolean => (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '')) && !Number.isNaN(Number(v));
  if (numeric(a) && numeric(b)) return Number(a) - Number(b);
  return goKeyOrder(String(a), String(b));
}

export const referenceHelpers: Record<string, Helper> = {
  /** `(entries m)`: a map as [{Key, Value}] in Go's key order; a list as [{Key: index, Value}]. */
  entries(...args) {
    const [m] = params(args);
    if (Array.isArray(m)) return m.map((Value, Key) => ({ Key, Value }));
    if (m === null || m === undefined) return [];
    const o = m as Record<string, unknown>;
    return Object.keys(o)
      .sort(goKeyOrder)
      .map((Key) => ({ Key, Value: o[Key] }));
  },
  printf: (...args) => {
    const [format, ...rest] = params(args);
    return goSprintf(str(format), rest);
  },
  and: (...args) => {
    const ps = params(args);
    return ps.find((v) => !goTruth(v)) ?? ps[ps.length - 1];
  },
  or: (...args) => {
    const ps = params(args);
    return ps.find((v) => goTruth(v)) ?? ps[ps.length - 1];
  },
  not: (...args) => !goTruth(params(args)[0]),
  ge: (...args) => compare(params(args)[0], params(args)[1]) >= 0,
  le: (...args) => compare(params(args)[0], params(args)[1]) <= 0,
  index: (...args) => {
    const [x, ...keys] = params(args);
    let v: unknown = x;
    for (const k of keys) {
      if (Array.isArray(v)) {
        const i = Number(k);
        if (!Number.isInteger(i) || i < 0 || i >= v.length) throw new Error(`index out of range: ${String(k)}`);
        v = v[i];
      } else if (v !== null && typeof v === 'object') v = Object.hasOwn(v, String(k)) ? (v as Record<string, unknown>)[String(k)] : undefined;
      else throw new Error(`index of ${String(v)}`);
    }
    return v;
  },
  loop: (...args) => {
    const ps = params(args).map(Number);
    const [from, to] = ps.length === 1 ? [0, ps[0] as number] : [ps[0] as number, ps[1] as number];
    return Array.from({ length: Math.max(0, to - from) }, (_, i) => String(from + i));
  },
  split: (...args) => {
    const [sep, s] = params(args).map(str) as [string, string];
    const t = s.trim();
    return t === '' ? [] : t.split(sep);
  },
  replaceAll: (...args) => {
    const [from, to, s] = params(args).map(str) as [string, string, string];
    return s.split(from).join(to);
  },
  trimSpace: (...args) => str(params(args)[0]).trim(),
  trimPrefix: (...args) => {
    const [p, s] = params(args).map(str) as [string, string];
    return s.startsWith(p) ? s.slice(p.length) : s;
  },
  trimSuffix: (...args) => {
    const [p, s] = params(args).map(str) as [string, string];
    return p !== '' && s.endsWith(p) ? s.slice(0, -p.length) : s;
  },
  toTitle: (...args) => str(params(args)[0]).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, before: string, c: string) => before + c.toUpperCase()),
  regexMatch: (...args) => new RegExp(str(params(args)[0]), 'u').test(str(params(args)[1])),
  regexReplaceAll: (...args) => {
    const [re, repl, s] = params(args).map(str) as [string, string, string];
    return s.replace(new RegExp(re, 'gu'), repl.replace(/\$\{(\w+)\}/g, '$$$1'));
  },
  parseInt: (...args) => {
    const s = str(params(args)[0]);
    if (s === '') return '0';
    if (!/^[+-]?\d+$/.test(s)) throw new Error(`parseInt: ${JSON.stringify(s)}`);
    return BigInt(s).toString();
  },
  parseFloat: (...args) => {
    const s = str(params(args)[0]);
    return s === '' ? 0 : Number(s);
  },
  parseBool: (...args) => {
    const s = str(params(args)[0]);
    if (s === '') return false;
    if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
    if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
    throw new Error(`parseBool: ${JSON.stringify(s)}`);
  },
  parseJSON: (...args) => {
    const s = str(params(args)[0]);
    return s === '' ? {} : JSON.parse(s);
  },
  base64Encode: (...args) => Buffer.from(str(params(args)[0]), 'utf8').toString('base64'),
  base64Decode: (...args) => Buffer.from(str(params(args)[0]), 'base64').toString('utf8'),
  subtract: arithmetic('subtract', (a, b) => a - b, (a, b) => a - b),
  multiply: arithmetic('multiply', (a, b) => a * b, (a, b) => a * b),
  divide: arithmetic('divide', (a, b) => a / b, (a, b) => a / b),
  modulo: arithmetic('modulo', (a, b) => a % b, (a, b) => a % b),
  indent: (...args) => {
    const [n, s] = params(args);
    const prefix = ' '.repeat(Number(n));
    return str(s).replace(/(^|\n)(?!\n|$)/g, `$1${prefix}`);
  },
  containsAll: (...args) => (params(args)[0] as unknown[]).every((x) => inList(params(args)[1], x)),
  containsAny: (...args) => (params(args)[0] as unknown[]).some((x) => inList(params(args)[1], x)),
  containsNone: (...args) => !(params(args)[0] as unknown[]).some((x) => inList(params(args)[1], x)),
  toJSONPretty: (...args) => goJSON(params(args)[0], '  '),
  scratchSet: (...args) => {
    const [k, v] = params(args);
    scratch(args).set(str(k), v);
    return '';
  },
  scratchSetX: (...args) => {
    const [k, v] = params(args);
    if (!scratch(args).has(str(k))) scratch(args).set(str(k), v);
    return '';
  },
  scratchGet: (...args) => scratch(args).get(str(params(args)[0])),
  scratchKey: (...args) => scratch(args).has(str(params(args)[0])),
  scratchMapSet: (...args) => mapSet(args, true),
  scratchMapSetX: (...args) => mapSet(args, false),
  scratchMapValues: (...args) => {
    const m = scratch(args).get(str(params(args)[0]));
    if (m === null || typeof m !== 'object') return [];
    const o = m as Record<string, unknown>;
    return Object.keys(o)
      .sort(goKeyOrder)
      .map((k) => o[k]);
  },
};

function mapSet(args: unknown[], overwrite: boolean): string {
  const [k, mk, v] = params(args).map((p, i) => (i < 2 ? str(p) : p)) as [string, string, unknown];
  const s = scratch(args);
  if (!s.has(k)) s.set(k, {});
  const m = s.get(k);
  if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new Error(`${JSON.stringify(k)} is not a map`);
  const o = m as Record<string, unknown>;
  if (overwrite || !Object.hasOwn(o, mk)) o[mk] = v;
  return '';
}
