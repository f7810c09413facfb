/**
 * Lists and maps: Go's `index`, consul-template's `loop`, and `entries`, which gives a map's
 * pairs in Go's order so `{{#each (entries m) as |e|}}` walks it like Go's `range $k, $v := m`.
 */
import { splitArgs, type Helper } from './args.js';
import { goNumberArg } from './go-number.js';
import { describe, goKeys } from './go-values.js';

/** Longest list `loop` builds: Go streams the numbers, ctmpl builds the list at once. */
const MAX_LOOP = 1_000_000;

function loopBound(value: unknown): bigint {
  if (value === null || value === undefined || value === '') return 0n;
  const n = goNumberArg(value, 'loop');
  if (n.kind !== 'int') throw new Error(`loop: expected an integer, got ${describe(value)}`);
  return n.value;
}

/** One step of Go's index: a list position, a map key, or a byte of a string. */
function indexOnce(value: unknown, key: unknown): unknown {
  if (Array.isArray(value) || typeof value === 'string') {
    const n = goNumberArg(key, 'index');
    const length = typeof value === 'string' ? Buffer.byteLength(value) : value.length;
    if (n.kind !== 'int') throw new Error(`index: cannot index a list with ${describe(key)}`);
    if (n.value < 0n || n.value >= BigInt(length)) throw new Error(`index: index out of range: ${n.value}`);
    // Go gives a string's byte, as a number.
    return typeof value === 'string' ? String(Buffer.from(value, 'utf8')[Number(n.value)]) : value[Number(n.value)];
  }
  if (value !== null && typeof value === 'object') {
    if (key !== null && typeof key === 'object') throw new Error(`index: a map key must be a string, got ${describe(key)}`);
    const k = String(key);
    return Object.hasOwn(value, k) ? (value as Record<string, unknown>)[k] : undefined;
  }
  throw new Error(`index of ${describe(value)}`);
}

export const collectionHelpers: Record<string, Helper> = {
  /**
   * `(withPort (service "web"))`: the instances that have a port. An instance registered without
   * one (Port "0", as Consul allows) passes the catalog rules, but `host:0` in a proxy config
   * makes nginx and haproxy refuse the whole file: the shipped templates leave those out.
   */
  withPort(...args) {
    const [list] = splitArgs(args).params;
    if (list === null || list === undefined) return [];
    if (!Array.isArray(list)) throw new Error(`withPort: expected a list of instances, got ${describe(list)}`);
    return list.filter((item: unknown) => item !== null && typeof item === 'object' && String((item as { Port?: unknown }).Port ?? '0') !== '0');
  },

  /**
   * `(index x k1 k2 …)`: x[k1][k2]…: a list position (out of range is an error), a map key
   * (a missing key gives nothing), or a string's byte.
   */
  index(...args) {
    const { params } = splitArgs(args);
    if (params.length === 0) throw new Error('index: expected a list or a map');
    const [value, ...keys] = params;
    return keys.reduce<unknown>((v, k) => indexOnce(v, k), value);
  },

  /** `(loop n)`: "0" … "n-1"; `(loop a b)`: a … b-1; as decimal strings. */
  loop(...args) {
    const { params } = splitArgs(args);
    if (params.length < 1 || params.length > 2) throw new Error(`loop: expected 1 or 2 arguments, got ${params.length}`);
    const [from, to] = params.length === 1 ? [0n, loopBound(params[0])] : [loopBound(params[0]), loopBound(params[1])];
    if (to - from > BigInt(MAX_LOOP)) throw new Error(`loop: ${to - from} iterations is more than ctmpl allows (${MAX_LOOP})`);
    const out: string[] = [];
    for (let i = from; i < to; i++) out.push(i.toString());
    return out;
  },

  /**
   * `(entries m)`: a map as `[{Key, Value}]` in Go's key order (UTF-8 bytes); a list as
   * `[{Key: "0", Value}, …]`; nothing gives an empty list.
   */
  entries(...args) {
    const { params } = splitArgs(args);
    if (params.length !== 1) throw new Error(`entries: expected 1 argument (a map or a list), got ${params.length}`);
    const [value] = params;
    if (value === null || value === undefined) return [];
    if (Array.isArray(value)) return value.map((Value, i) => ({ Key: String(i), Value }));
    if (typeof value !== 'object') throw new Error(`entries: expected a map or a list, got ${describe(value)}`);
    const o = value as Record<string, unknown>;
    return goKeys(o).map((Key) => ({ Key, Value: o[Key] }));
  },
};
