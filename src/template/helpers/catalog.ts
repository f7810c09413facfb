import { hasQuerySyntax, parseServiceQuery } from '../../catalog/query.js';
import { compareInstances, compareStrings } from '../../catalog/select.js';
import { dependencyId, deepFreeze, type Dependency, type Instance, type ServiceSummary } from '../../catalog/types.js';
import type { RenderContext } from '../render-context.js';
import { optionalString, renderContextOf, splitArgs, stringArg, type Helper, type HelperOptions } from './args.js';

type ServiceQuery = Extract<Dependency, { kind: 'service' }>;

/**
 * The service a helper call names: `(service this)` or `(service Name)` inside a `(services)`
 * loop gives a listed name, taken whole; a string is consul-template's query syntax.
 */
function serviceText(helper: string, params: unknown[]): { text: string; fromCatalog: boolean } {
  const first = params[0];
  if (first !== null && typeof first === 'object' && typeof (first as { Name?: unknown }).Name === 'string') {
    return { text: (first as { Name: string }).Name, fromCatalog: true };
  }
  return { text: stringArg(helper, params, 0, 'a service name or a service from (services)'), fromCatalog: false };
}

/**
 * True when `text` is a name one of the sources lists: then it is a name, never `tag.name@dc`
 * syntax, so a registered `v1.api` or `x.` is looked up as itself and cannot make the call throw
 * or read another service (in a union, `(service Name)` may name what another source lists).
 * The render waits for the listings as for any other data; until one has arrived the text is
 * taken whole, as that pass is not written and must not throw over a name it cannot check yet.
 */
function listedName(ctx: RenderContext, sources: readonly string[], dc: string | undefined, text: string): boolean {
  let listed = false;
  for (const source of sources) {
    if (!ctx.capabilitiesOf(source).listing) continue;
    const dep = { kind: 'services' as const, source, ...(dc ? { dc } : {}) };
    const listing = ctx.needInUnion(dep);
    // No listing: this pass waits for it (taken whole for now), or its source is down (ignored).
    if (listing === undefined ? ctx.waiting.has(dependencyId(dep)) : listing.some((s) => s.Name === text)) listed = true;
  }
  return listed;
}

/**
 * The service queries of one helper call: one for the source named by `source=`, else one per
 * configured source that answers services (a union), each parsed by its source's naming rules.
 */
function serviceQueries(helper: string, params: unknown[], options: HelperOptions, ctx: RenderContext, consulOptions: boolean): { queries: ServiceQuery[]; union: boolean } {
  const { text, fromCatalog } = serviceText(helper, params);
  const sources = ctx.sourcesFor(options.hash.source, (c) => c.services, 'services');
  const dc = optionalString(options.hash.dc);
  const syntax = (dottedNames: boolean): boolean => !fromCatalog && hasQuerySyntax(text, dottedNames);
  const listed = sources.some((source) => syntax(ctx.capabilitiesOf(source).dottedNames)) && listedName(ctx, sources, dc, text);
  const queries = sources.map((source) => {
    const capabilities = ctx.capabilitiesOf(source);
    const exactName = fromCatalog || (syntax(capabilities.dottedNames) && listed);
    const query = parseServiceQuery(text, {
      tag: optionalString(options.hash.tag),
      dc,
      status: optionalString(options.hash.status),
      ...(consulOptions
        ? { near: optionalString(options.hash.near), filter: optionalString(options.hash.filter), nodeMeta: optionalString(options.hash.nodeMeta) }
        : {}),
      source,
      dottedNames: capabilities.dottedNames,
      exactName,
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
};
