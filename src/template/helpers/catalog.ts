import { parseServiceQuery } from '../../catalog/query.js';
import { compareInstances, compareStrings } from '../../catalog/select.js';
import { dependencyId, deepFreeze, type Dependency, type Instance, type KeyPair, type ServiceSummary } from '../../catalog/types.js';
import type { RenderContext } from '../render-context.js';
import { optionalString, renderContextOf, splitArgs, stringArg, type Helper, type HelperOptions } from './args.js';

const NO_PAIRS: readonly KeyPair[] = Object.freeze([]);

type ServiceQuery = Extract<Dependency, { kind: 'service' }>;

/** The KV source a helper reads: `source=`, else the first configured source with keys. */
function kvSource(ctx: RenderContext, name: unknown): string {
  return ctx.sourcesFor(name, (c) => c.keys, 'keys and values')[0] as string;
}

/**
 * The service queries of one helper call: one for the source named by `source=`, else one per
 * configured source that answers services (a union), each parsed by its source's naming rules.
 */
function serviceQueries(helper: string, params: unknown[], options: HelperOptions, ctx: RenderContext, consulOptions: boolean): { queries: ServiceQuery[]; union: boolean } {
  const text = stringArg(helper, params, 0, 'a service name');
  const sources = ctx.sourcesFor(options.hash.source, (c) => c.services, 'services');
  const queries = sources.map((source) => {
    const capabilities = ctx.capabilitiesOf(source);
    const query = parseServiceQuery(text, {
      tag: optionalString(options.hash.tag),
      dc: optionalString(options.hash.dc),
      status: optionalString(options.hash.status),
      ...(consulOptions
        ? { near: optionalString(options.hash.near), filter: optionalString(options.hash.filter), nodeMeta: optionalString(options.hash.nodeMeta) }
        : {}),
      source,
      dottedNames: capabilities.dottedNames,
    });
    for (const option of ['filter', 'nodeMeta'] as const) {
      if (query[option] !== undefined && !capabilities.queryOptions.includes(option)) {
        throw new Error(`${helper} "${query.name}": source "${source}" cannot evaluate ${option}= (name a source whose registry can, such as Consul, with source=)`);
      }
    }
    return query;
  });
  return { queries, union: queries.length > 1 };
}

/**
 * A union of several sources' answers, in the order the sources are configured: an instance at
 * an Address:Port already listed by an earlier source is left out (its `Source` tells which
 * source it came from), then everything is sorted by Node and ID again.
 */
export function unionInstances(lists: readonly (readonly Instance[])[]): readonly Instance[] {
  const seen = new Set<string>();
  const out: Instance[] = [];
  for (const list of lists) {
    for (const instance of list) {
      const key = `${instance.Address}:${instance.Port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(instance);
    }
  }
  return deepFreeze(out.sort(compareInstances));
}

/** Several sources' `services`: one entry per name, tags merged, sorted by name. */
export function unionServices(lists: readonly (readonly ServiceSummary[])[]): readonly ServiceSummary[] {
  const tags = new Map<string, Set<string>>();
  for (const list of lists) {
    for (const s of list) {
      const set = tags.get(s.Name) ?? new Set<string>();
      for (const t of s.Tags) set.add(t);
      tags.set(s.Name, set);
    }
  }
  return deepFreeze([...tags].map(([Name, set]) => ({ Name, Tags: [...set].sort(compareStrings) })).sort((a, b) => compareStrings(a.Name, b.Name)));
}

/** Normalizes a KV prefix so `ls "app/config"` and `ls "app/config/"` mean the same folder. */
function folder(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

function keysBelow(args: unknown[], helper: string): { pairs: readonly KeyPair[]; prefix: string } {
  const { params, options } = splitArgs(args);
  const ctx = renderContextOf(options);
  const prefix = folder(stringArg(helper, params, 0, 'a key prefix'));
  const pairs = ctx.need({ kind: 'keys', source: kvSource(ctx, options.hash.source), prefix }) ?? NO_PAIRS;
  return { pairs, prefix };
}

/** The helpers that read the catalog. Each records what it needs; see RenderContext. */
export const catalogHelpers: Record<string, Helper> = {
  /**
   * `(service "web" tag="v1" dc="dc1" status="passing,warning" source="file")` or
   * `(service "v1.web@dc1|any")`; Consul sources also take `near=`, `filter=`, `nodeMeta=`.
   * Without `source=`: the union of every configured source that answers services.
   */
  service(...args) {
    const { params, options } = splitArgs(args);
    const ctx = renderContextOf(options);
    const { queries, union } = serviceQueries('service', params, options, ctx, true);
    if (!union) return ctx.need(queries[0] as ServiceQuery) ?? [];
    return unionInstances(queries.map((q) => ctx.needInUnion(q) ?? []));
  },

  /**
   * `(serviceStatus "web" …)` (same arguments as `service`): the guards' view of the query,
   * `{ Healthy, Held, Filtered, Damped }`, numbers as strings.
   */
  serviceStatus(...args) {
    const { params, options } = splitArgs(args);
    const ctx = renderContextOf(options);
    const { queries, union } = serviceQueries('serviceStatus', params, options, ctx, false);
    const statusOf = (query: ServiceQuery, instances: readonly Instance[]): Record<'Healthy' | 'Held' | 'Filtered' | 'Damped', string> =>
      ctx.inputs.guardStatus?.(dependencyId(query)) ?? { Healthy: String(instances.length), Held: '0', Filtered: '0', Damped: 'false' };
    if (!union) return statusOf(queries[0] as ServiceQuery, ctx.need(queries[0] as ServiceQuery) ?? []);
    // A union: counts added up over its sources; Healthy counts the union's distinct instances.
    const lists = queries.map((q) => ctx.needInUnion(q) ?? []);
    const parts = queries.map((q, i) => statusOf(q, lists[i] ?? []));
    const sum = (field: 'Held' | 'Filtered'): string => String(parts.reduce((n, p) => n + Number(p[field]), 0));
    return {
      Healthy: String(unionInstances(lists).filter((i) => i.Held === undefined).length),
      Held: sum('Held'),
      Filtered: sum('Filtered'),
      Damped: parts.some((p) => p.Damped === 'true') ? 'true' : 'false',
    };
  },

  /** `(services)`: every service with the union of its tags, sorted by name. */
  services(...args) {
    const { options } = splitArgs(args);
    const ctx = renderContextOf(options);
    const dc = optionalString(options.hash.dc);
    const sources = ctx.sourcesFor(options.hash.source, (c) => c.listing, 'list of services');
    const deps = sources.map((source) => ({ kind: 'services' as const, source, ...(dc ? { dc } : {}) }));
    if (deps.length === 1) return ctx.need(deps[0] as (typeof deps)[number]) ?? [];
    return unionServices(deps.map((dep) => ctx.needInUnion(dep) ?? []));
  },

  /** `(key "path")`: waits (no file is written) until the key exists, as consul-template does. */
  key(...args) {
    const { params, options } = splitArgs(args);
    // Handlebars 4.7 calls a helper named `key` for `{{@key}}` inside #each; give back the loop key.
    if (params.length === 0) return options.data?.key;
    const ctx = renderContextOf(options);
    const key = stringArg('key', params, 0, 'a key');
    const value = ctx.need({ kind: 'key', source: kvSource(ctx, options.hash.source), key });
    if (value === null) ctx.waiting.add(`key "${key}" does not exist`);
    return value ?? '';
  },

  /** `(keyOrDefault "path" "fallback")`: the fallback while the key does not exist. */
  keyOrDefault(...args) {
    const { params, options } = splitArgs(args);
    const ctx = renderContextOf(options);
    const key = stringArg('keyOrDefault', params, 0, 'a key');
    const fallback = stringArg('keyOrDefault', params, 1, 'a default value');
    const value = ctx.need({ kind: 'key', source: kvSource(ctx, options.hash.source), key });
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
