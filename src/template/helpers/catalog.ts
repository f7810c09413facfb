import { parseServiceQuery } from '../../catalog/query.js';
import { dependencyId, type KeyPair } from '../../catalog/types.js';
import { optionalString, renderContextOf, splitArgs, stringArg, type Helper } from './args.js';

const NO_PAIRS: readonly KeyPair[] = Object.freeze([]);

/** Normalizes a KV prefix so `ls "app/config"` and `ls "app/config/"` mean the same folder. */
function folder(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

function keysBelow(args: unknown[], helper: string): { pairs: readonly KeyPair[]; prefix: string } {
  const { params, options } = splitArgs(args);
  const ctx = renderContextOf(options);
  const prefix = folder(stringArg(helper, params, 0, 'a key prefix'));
  const pairs = ctx.need({ kind: 'keys', source: ctx.source(options.hash.source), prefix }) ?? NO_PAIRS;
  return { pairs, prefix };
}

/** The helpers that read the catalog. Each records what it needs; see RenderContext. */
export const catalogHelpers: Record<string, Helper> = {
  /**
   * `(service "web" tag="v1" dc="dc1" status="passing,warning" source="file")` or
   * `(service "v1.web@dc1|any")`; Consul sources also take `near=`, `filter=`, `nodeMeta=`.
   */
  service(...args) {
    const { params, options } = splitArgs(args);
    const ctx = renderContextOf(options);
    const source = ctx.source(options.hash.source);
    const query = parseServiceQuery(stringArg('service', params, 0, 'a service name'), {
      tag: optionalString(options.hash.tag),
      dc: optionalString(options.hash.dc),
      status: optionalString(options.hash.status),
      near: optionalString(options.hash.near),
      filter: optionalString(options.hash.filter),
      nodeMeta: optionalString(options.hash.nodeMeta),
      source,
    });
    if ((query.filter !== undefined || query.nodeMeta !== undefined) && ctx.schemeOf(source) !== 'consul') {
      throw new Error(`service "${query.name}": filter= and nodeMeta= are evaluated by Consul; source "${source}" is ${ctx.schemeOf(source) ?? 'unknown'}`);
    }
    return ctx.need(query) ?? [];
  },

  /**
   * `(serviceStatus "web" …)` (same arguments as `service`): the guards' view of the query,
   * `{ Healthy, Held, Filtered, Damped }`, numbers as strings.
   */
  serviceStatus(...args) {
    const { params, options } = splitArgs(args);
    const ctx = renderContextOf(options);
    const query = parseServiceQuery(stringArg('serviceStatus', params, 0, 'a service name'), {
      tag: optionalString(options.hash.tag),
      dc: optionalString(options.hash.dc),
      status: optionalString(options.hash.status),
      source: ctx.source(options.hash.source),
    });
    const instances = ctx.need(query) ?? [];
    return ctx.inputs.guardStatus?.(dependencyId(query)) ?? { Healthy: String(instances.length), Held: '0', Filtered: '0', Damped: 'false' };
  },

  /** `(services)`: every service with the union of its tags, sorted by name. */
  services(...args) {
    const { options } = splitArgs(args);
    const ctx = renderContextOf(options);
    const dc = optionalString(options.hash.dc);
    return ctx.need({ kind: 'services', source: ctx.source(options.hash.source), ...(dc ? { dc } : {}) }) ?? [];
  },

  /** `(key "path")`: waits (no file is written) until the key exists, as consul-template does. */
  key(...args) {
    const { params, options } = splitArgs(args);
    // Handlebars 4.7 calls a helper named `key` for `{{@key}}` inside #each; give back the loop key.
    if (params.length === 0) return options.data?.key;
    const ctx = renderContextOf(options);
    const key = stringArg('key', params, 0, 'a key');
    const value = ctx.need({ kind: 'key', source: ctx.source(options.hash.source), key });
    if (value === null) ctx.waiting.add(`key "${key}" does not exist`);
    return value ?? '';
  },

  /** `(keyOrDefault "path" "fallback")`: the fallback while the key does not exist. */
  keyOrDefault(...args) {
    const { params, options } = splitArgs(args);
    const ctx = renderContextOf(options);
    const key = stringArg('keyOrDefault', params, 0, 'a key');
    const fallback = stringArg('keyOrDefault', params, 1, 'a default value');
    const value = ctx.need({ kind: 'key', source: ctx.source(options.hash.source), key });
    return value ?? fallback;
  },

  /** `(ls "prefix")`: the direct children of a folder as `{ Key, Value }`, Key relative to it. */
  ls(...args) {
    const { pairs, prefix } = keysBelow(args, 'ls');
    return pairs
      .map((p) => ({ Key: p.Key.slice(prefix.length), Value: p.Value }))
      .filter((p) => p.Key !== '' && !p.Key.includes('/'));
  },

  /** `(tree "prefix")`: every key below a folder, recursively, Key relative to it. */
  tree(...args) {
    const { pairs, prefix } = keysBelow(args, 'tree');
    return pairs
      .map((p) => ({ Key: p.Key.slice(prefix.length), Value: p.Value }))
      .filter((p) => p.Key !== '' && !p.Key.endsWith('/'));
  },
};
