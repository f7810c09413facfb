/**
 * The key-value helpers, with consul-template's semantics (its template/funcs.go and
 * dependency/kv_*.go): one leading `/` is not part of a path; an empty path asks for nothing
 * (`ls "/"` is the root); `key` waits for its key, `keyExists` and `keyOrDefault` never do.
 */
import type { KeyPair } from '../../catalog/types.js';
import type { RenderContext } from '../render-context.js';
import { renderContextOf, splitArgs, stringArg, type Helper, type HelperOptions } from './args.js';

const NO_PAIRS: readonly KeyPair[] = Object.freeze([]);

/**
 * The key a path names: one leading slash is not part of it (consul-template's pattern
 * `/?(?P<key>…)`, and its Consul client's), so `key "/app/x"` reads `app/x` and `ls "/"` lists
 * the root.
 */
export function kvPath(text: string): string {
  return text.startsWith('/') ? text.slice(1) : text;
}

/** A prefix as a folder: `ls "app/config"` and `ls "app/config/"` mean the same folder; "" is the root. */
export function kvFolder(text: string): string {
  const path = kvPath(text);
  return path === '' || path.endsWith('/') ? path : `${path}/`;
}

/** The KV source a helper reads: `source=`, else the first configured source with keys. */
function kvSource(ctx: RenderContext, name: unknown): string {
  return ctx.sourcesFor(name, (c) => c.keys, 'keys and values')[0] as string;
}

/** One call's path and where to read it. */
function kvCall(helper: string, args: unknown[]): { text: string; ctx: RenderContext; params: unknown[]; options: HelperOptions } {
  const { params, options } = splitArgs(args);
  return { text: stringArg(helper, params, 0, helper === 'ls' || helper === 'tree' ? 'a key prefix' : 'a key'), ctx: renderContextOf(options), params, options };
}

/** The value of a key: a string, null while it does not exist, undefined until the source answers. */
function valueOf(ctx: RenderContext, options: HelperOptions, key: string): string | null | undefined {
  return ctx.need({ kind: 'key', source: kvSource(ctx, options.hash.source), key });
}

/**
 * Every pair below a folder with its Key relative to the folder (consul-template trims every
 * slash left at its start) and its full key as Path, in the source's order (by full key).
 */
function pairsBelow(helper: string, args: unknown[]): KeyPair[] {
  const { text, ctx, options } = kvCall(helper, args);
  if (text === '') return [];
  const prefix = kvFolder(text);
  const pairs = ctx.need({ kind: 'keys', source: kvSource(ctx, options.hash.source), prefix }) ?? NO_PAIRS;
  return pairs
    .filter((p) => p.Key.startsWith(prefix))
    .map((p) => ({ Path: p.Key, Key: p.Key.slice(prefix.length).replace(/^\/+/, ''), Value: p.Value }));
}

/** The helpers that read keys and values. Each records what it needs; see RenderContext. */
export const kvHelpers: Record<string, Helper> = {
  /**
   * `(key "app/maxconn")`: the value; the file is not written until the key exists (as
   * consul-template). One leading `/` is ignored; `source=` picks the source.
   */
  key(...args) {
    const { params, options } = splitArgs(args);
    // Handlebars 4.7 calls a helper named `key` for `{{@key}}` inside #each; give back the loop key.
    if (params.length === 0) return options.data?.key;
    const { text, ctx } = kvCall('key', args);
    const key = kvPath(text);
    if (key === '') return '';
    const value = valueOf(ctx, options, key);
    if (value === null) ctx.waiting.add(`key "${key}" does not exist`);
    return value ?? '';
  },

  /** `(keyExists "app/beta")`: true when the key exists, false when not; never waits for it. */
  keyExists(...args) {
    const { text, ctx, options } = kvCall('keyExists', args);
    const key = kvPath(text);
    if (key === '') return false;
    const value = valueOf(ctx, options, key);
    return value !== null && value !== undefined;
  },

  /**
   * `(keyOrDefault "app/maxconn" "100")`: the value, or the default when the key does not exist
   * or its value is empty (as consul-template); never waits for the key.
   */
  keyOrDefault(...args) {
    const { text, ctx, params, options } = kvCall('keyOrDefault', args);
    const fallback = stringArg('keyOrDefault', params, 1, 'a default value');
    const key = kvPath(text);
    if (key === '') return fallback;
    const value = valueOf(ctx, options, key);
    return value === null || value === undefined || value === '' ? fallback : value;
  },

  /** `(ls "app/config")`: the keys directly in a folder as `{ Key, Value, Path }`, Key relative to it. */
  ls(...args) {
    return pairsBelow('ls', args).filter((p) => p.Key !== '' && !p.Key.includes('/'));
  },

  /** `(tree "app/config")`: every key below a folder, recursively (folders themselves left out), Key relative to it. */
  tree(...args) {
    return pairsBelow('tree', args).filter((p) => p.Key !== '' && !p.Key.endsWith('/'));
  },
};
