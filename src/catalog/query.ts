import { HEALTH_STATUSES, type Dependency, type HealthStatus } from './types.js';

type ServiceQuery = Extract<Dependency, { kind: 'service' }>;

export interface ServiceQueryOptions {
  tag?: string;
  dc?: string;
  status?: string;
  near?: string;
  filter?: string;
  nodeMeta?: string;
  source: string;
  /**
   * The source's service names contain dots (ZooKeeper's Dubbo interfaces, DNS SRV names): the
   * text before `@`, `~` or `|` is the whole name, and a tag is given only with `tag=`.
   */
  dottedNames?: boolean;
  /**
   * The whole text is a service name, taken as is: the name came from the catalog (`(service
   * this)` in a `(services)` loop) or is listed by the source, so nothing in it is syntax.
   */
  exactName?: boolean;
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Characters the string form reads as syntax (`tag.`, `@dc`, `~near`, `|status`). */
export function hasQuerySyntax(text: string, dottedNames: boolean): boolean {
  return (dottedNames ? /[@~|]/ : /[.@~|]/).test(text);
}

/** Thrown for a malformed query inside a template; the runner reports it with the template's name. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}

/**
 * Parses consul-template's service string `[tag.]name[@dc][~near][|status,status]` and merges the
 * helper's hash arguments (`tag=`, `dc=`, `status=`), which win over the string form.
 */
export function parseServiceQuery(text: string, options: ServiceQueryOptions): ServiceQuery {
  let rest = options.exactName ? text : text.trim();
  let statusText = options.status;
  let near = options.near;
  let dc = options.dc;
  let tag = options.tag;
  if (!options.exactName) {
    const bar = rest.indexOf('|');
    if (bar >= 0) {
      statusText ??= rest.slice(bar + 1);
      rest = rest.slice(0, bar);
    }
    const tilde = rest.indexOf('~');
    if (tilde >= 0) {
      near ??= rest.slice(tilde + 1);
      rest = rest.slice(0, tilde);
    }
    const at = rest.indexOf('@');
    if (at >= 0) {
      dc ??= rest.slice(at + 1);
      rest = rest.slice(0, at);
    }
    // consul-template's rule: the tag runs to the last dot (tags may hold dots, names may not).
    const dot = options.dottedNames ? -1 : rest.lastIndexOf('.');
    if (dot >= 0) {
      tag ??= rest.slice(0, dot);
      rest = rest.slice(dot + 1);
    }
  }
  // Any registered name is a name (spaces, unicode…); only what no registry holds is refused.
  if (rest === '' || CONTROL.test(rest)) {
    throw new QueryError(`service ${JSON.stringify(text)}: ${JSON.stringify(rest)} is not a service name (expected [tag.]name[@dc][|status,…])`);
  }
  if (dc !== undefined && !/^[A-Za-z0-9_.-]+$/.test(dc)) throw new QueryError(`service "${text}": bad datacenter "${dc}"`);
  if (near !== undefined && !/^[A-Za-z0-9_.-]+$/.test(near)) throw new QueryError(`service "${text}": bad near node "${near}"`);
  if (options.nodeMeta !== undefined && !/^[^:]+:.*$/.test(options.nodeMeta)) {
    throw new QueryError(`service "${text}": nodeMeta must be key:value, got "${options.nodeMeta}"`);
  }
  return {
    kind: 'service',
    source: options.source,
    name: rest,
    ...(tag ? { tag } : {}),
    ...(dc ? { dc } : {}),
    status: parseStatusFilter(statusText ?? 'passing', text),
    ...(near ? { near } : {}),
    ...(options.filter ? { filter: options.filter } : {}),
    ...(options.nodeMeta ? { nodeMeta: options.nodeMeta } : {}),
  };
}

/** `passing,warning` → sorted list; `any` → every status. */
export function parseStatusFilter(text: string, context: string): readonly HealthStatus[] | 'any' {
  const words = text.split(',').map((w) => w.trim()).filter((w) => w !== '');
  if (words.includes('any')) return 'any';
  if (words.length === 0) throw new QueryError(`service "${context}": empty status filter`);
  for (const word of words) {
    if (!(HEALTH_STATUSES as readonly string[]).includes(word)) {
      throw new QueryError(`service "${context}": unknown status "${word}" (use ${HEALTH_STATUSES.join(', ')} or any)`);
    }
  }
  return HEALTH_STATUSES.filter((s) => words.includes(s));
}
