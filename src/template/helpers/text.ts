import { splitArgs, type Helper } from './args.js';

/** Results that are numbers go out as strings: handlebars 4.7.10 adds adjacent numbers. */
function num(value: unknown, helper: string): number {
  const n = typeof value === 'number' ? value : Number(String(value));
  if (value === '' || value === null || value === undefined || Number.isNaN(n)) {
    throw new Error(`${helper}: "${String(value)}" is not a number`);
  }
  return n;
}

function isNumeric(value: unknown): boolean {
  return (typeof value === 'number' || (typeof value === 'string' && value.trim() !== '')) && !Number.isNaN(Number(value));
}

/** Compares numerically when both sides look like numbers (ports, weights), otherwise as text. */
function compare(a: unknown, b: unknown): number {
  if (isNumeric(a) && isNumeric(b)) return Number(a) - Number(b);
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (a !== null && b !== null && typeof a !== 'object' && typeof b !== 'object' && String(a) === String(b));
}

/** Everyday helpers for config work. */
export const textHelpers: Record<string, Helper> = {
  join(...args) {
    const { params } = splitArgs(args);
    const [list, sep = ','] = params;
    if (!Array.isArray(list)) throw new Error('join: expected a list as argument 1');
    if (list.some((v) => v !== null && typeof v === 'object')) throw new Error('join: expected a list of strings (e.g. Tags), got a list of objects');
    return list.map(String).join(String(sep));
  },
  toJSON(...args) {
    const { params } = splitArgs(args);
    return JSON.stringify(params[0] ?? null);
  },
  toUpper(...args) {
    return String(splitArgs(args).params[0] ?? '').toUpperCase();
  },
  toLower(...args) {
    return String(splitArgs(args).params[0] ?? '').toLowerCase();
  },
  /** `(contains list item)` for lists (e.g. Tags), `(contains text part)` for strings. */
  contains(...args) {
    const [haystack, needle] = splitArgs(args).params;
    if (Array.isArray(haystack)) return haystack.some((v) => sameValue(v, needle));
    if (typeof haystack === 'string') return haystack.includes(String(needle));
    return false;
  },
  /** `(default value fallback)`: the fallback when the value is missing or empty. */
  default(...args) {
    const [value, fallback] = splitArgs(args).params;
    return value === undefined || value === null || value === '' ? fallback : value;
  },
  /** `(byTag instances)`: `{ tag: [instances…] }`, tags sorted, as consul-template's byTag. */
  byTag(...args) {
    const [list] = splitArgs(args).params;
    if (!Array.isArray(list)) throw new Error('byTag: expected a list of instances');
    const groups = new Map<string, unknown[]>();
    for (const inst of list as { Tags?: readonly string[] }[]) {
      for (const tag of inst.Tags ?? []) {
        const group = groups.get(tag) ?? [];
        group.push(inst);
        groups.set(tag, group);
      }
    }
    return Object.fromEntries([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  },
  eq(...args) {
    const [a, b] = splitArgs(args).params;
    return sameValue(a, b);
  },
  ne(...args) {
    const [a, b] = splitArgs(args).params;
    return !sameValue(a, b);
  },
  gt(...args) {
    const [a, b] = splitArgs(args).params;
    return compare(a, b) > 0;
  },
  lt(...args) {
    const [a, b] = splitArgs(args).params;
    return compare(a, b) < 0;
  },
  add(...args) {
    const { params } = splitArgs(args);
    if (params.length === 0) throw new Error('add: expected at least one number');
    return String(params.reduce<number>((sum, v) => sum + num(v, 'add'), 0));
  },
  /** `(hostPort Address Port)`: `10.0.0.1:80`, or `[2001:db8::1]:80` for IPv6 as nginx and haproxy expect. */
  hostPort(...args) {
    const [host, port] = splitArgs(args).params;
    const h = String(host ?? '');
    return `${h.includes(':') ? `[${h}]` : h}:${String(port ?? '')}`;
  },
  /** `(len x)`: items of a list, characters of a string, keys of a map. */
  len(...args) {
    const [value] = splitArgs(args).params;
    if (Array.isArray(value) || typeof value === 'string') return String(value.length);
    if (value !== null && typeof value === 'object') return String(Object.keys(value).length);
    return '0';
  },
};
