/**
 * consul-template's scratch pad (`scratch.Set "k" v` becomes `{{scratchSet "k" v}}`): values a
 * template stores and reads back during one render. The store is a Map in Handlebars' data frame
 * (`options.data.scratch`), made fresh for every render, so nothing leaks between renders or
 * templates. Writers return "" so they print nothing.
 */
import { splitArgs, type Helper, type HelperOptions } from './args.js';
import { describe, goKeys } from './go-values.js';

type Scratch = Map<string, unknown>;

function scratchOf(helper: string, options: HelperOptions): Scratch {
  const scratch = (options.data as { scratch?: unknown } | undefined)?.scratch;
  if (!(scratch instanceof Map)) throw new Error(`${helper}: no scratch pad in this render (helpers must run inside a ctmpl render)`);
  return scratch as Scratch;
}

function keyArg(helper: string, value: unknown, what = 'a key'): string {
  if (value === null || value === undefined || typeof value === 'object') throw new Error(`${helper}: expected ${what}, got ${describe(value)}`);
  return String(value);
}

function call(helper: string, args: unknown[], count: number): { scratch: Scratch; params: unknown[] } {
  const { params, options } = splitArgs(args);
  if (params.length !== count) throw new Error(`${helper}: expected ${count} argument(s), got ${params.length}`);
  return { scratch: scratchOf(helper, options), params };
}

/** A map that scratchMapSet may write into: one it made, or an unfrozen map (parseJSON's), as in Go. */
function writableMap(helper: string, scratch: Scratch, key: string): Record<string, unknown> {
  if (!scratch.has(key)) scratch.set(key, {});
  const map = scratch.get(key);
  if (map === null || typeof map !== 'object' || Array.isArray(map) || Object.isFrozen(map)) throw new Error(`${helper}: ${JSON.stringify(key)} is not a map`);
  return map as Record<string, unknown>;
}

function mapSet(helper: string, overwrite: boolean): Helper {
  return (...args) => {
    const { scratch, params } = call(helper, args, 3);
    const key = keyArg(helper, params[0]);
    const mapKey = keyArg(helper, params[1], 'a map key');
    const map = writableMap(helper, scratch, key);
    // defineProperty: a key named __proto__ is an ordinary key here, never the prototype.
    if (overwrite || !Object.hasOwn(map, mapKey)) Object.defineProperty(map, mapKey, { value: params[2], enumerable: true, writable: true, configurable: true });
    return '';
  };
}

export const scratchHelpers: Record<string, Helper> = {
  /** `(scratchKey "k")`: whether k was set (even to nothing). */
  scratchKey(...args) {
    const { scratch, params } = call('scratchKey', args, 1);
    return scratch.has(keyArg('scratchKey', params[0]));
  },
  /** `(scratchGet "k")`: the value stored at k, or nothing. */
  scratchGet(...args) {
    const { scratch, params } = call('scratchGet', args, 1);
    return scratch.get(keyArg('scratchGet', params[0]));
  },
  /** `{{scratchSet "k" v}}`: stores v at k, replacing what was there. */
  scratchSet(...args) {
    const { scratch, params } = call('scratchSet', args, 2);
    scratch.set(keyArg('scratchSet', params[0]), params[1]);
    return '';
  },
  /** `{{scratchSetX "k" v}}`: stores v at k only when k is not set yet. */
  scratchSetX(...args) {
    const { scratch, params } = call('scratchSetX', args, 2);
    const key = keyArg('scratchSetX', params[0]);
    if (!scratch.has(key)) scratch.set(key, params[1]);
    return '';
  },
  /** `{{scratchMapSet "k" "mk" v}}`: stores v under mk in the map at k (made when missing). */
  scratchMapSet: mapSet('scratchMapSet', true),
  /** `{{scratchMapSetX "k" "mk" v}}`: the same, only when mk is not in the map yet. */
  scratchMapSetX: mapSet('scratchMapSetX', false),
  /** `(scratchMapValues "k")`: the values of the map at k, sorted by their keys; [] when k is not a map. */
  scratchMapValues(...args) {
    const { scratch, params } = call('scratchMapValues', args, 1);
    const map = scratch.get(keyArg('scratchMapValues', params[0]));
    if (map === null || typeof map !== 'object' || Array.isArray(map)) return [];
    const o = map as Record<string, unknown>;
    return goKeys(o).map((k) => o[k]);
  },
};
