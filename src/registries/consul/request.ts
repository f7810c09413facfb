/** What ctmpl asks Consul: the kinds of read, their options, and the URL of each. */

/** Consul's read consistency for one request. */
export type ReadMode = 'stale' | 'default' | 'consistent';

export interface BlockingOptions {
  index: number;
  waitMs: number;
  mode: ReadMode;
}

export type ConsulRequest =
  | { kind: 'health'; service: string; tag?: string; passingOnly: boolean; dc?: string; near?: string; filter?: string; nodeMeta?: string }
  | { kind: 'services'; dc?: string }
  | { kind: 'key'; key: string; dc?: string }
  | { kind: 'keys'; prefix: string; dc?: string }
  /** A KV entry as Consul stores it (Value decoded, plus Session, Flags, indexes). */
  | { kind: 'entry'; key: string; dc?: string }
  /** One node and its services; without a name, the agent's own node (see node-reads.ts). */
  | { kind: 'node'; name?: string; dc?: string }
  | { kind: 'nodes'; dc?: string; near?: string }
  /** Not a blocking endpoint (the watch polls it); `ignoreFailing` is answered by node-reads.ts. */
  | { kind: 'datacenters'; ignoreFailing: boolean; dc?: never };

/** A failed request, classified so the watch loop can report it well. Never carries the token. */
export class ConsulRequestError extends Error {
  override readonly name = 'ConsulRequestError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly aborted = false,
  ) {
    super(message);
  }
}

/**
 * One segment of a URL path. A name made of dots only (`.`, `..`: a registry accepts them) would be
 * resolved away by the HTTP routers on the way (Consul answers `/v1/health/service/.` with a
 * redirect to the service list); percent-encoded, Consul decodes it back to the name.
 */
export function pathSegment(text: string): string {
  const encoded = encodeURIComponent(text);
  return encoded === '.' || encoded === '..' ? encoded.replaceAll('.', '%2E') : encoded;
}

/** Each segment encoded (pathSegment), keeping the slashes of a KV path readable as Consul's own clients do. */
export const keyPath = (key: string): string => key.split('/').map(pathSegment).join('/');

/** The part of a request's URL that never changes between two reads of one watch. */
export function basePath(request: ConsulRequest, cached: boolean): string {
  const query: string[] = [];
  const add = (name: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') query.push(`${name}=${encodeURIComponent(value)}`);
  };
  let path: string;
  switch (request.kind) {
    case 'health':
      path = `/v1/health/service/${pathSegment(request.service)}`;
      add('tag', request.tag);
      if (request.passingOnly) query.push('passing=true');
      add('near', request.near);
      add('filter', request.filter);
      add('node-meta', request.nodeMeta);
      // `?cached` keeps the streaming backend (Consul uses it for cached and blocking reads alike).
      if (cached) query.push('cached=');
      break;
    case 'services':
      path = '/v1/catalog/services';
      break;
    case 'key':
    case 'entry':
      path = `/v1/kv/${keyPath(request.key)}`;
      break;
    case 'keys':
      path = `/v1/kv/${keyPath(request.prefix)}`;
      query.push('recurse=true');
      break;
    case 'node':
      path = `/v1/catalog/node/${pathSegment(request.name ?? '')}`;
      break;
    case 'nodes':
      path = '/v1/catalog/nodes';
      add('near', request.near);
      break;
    case 'datacenters':
      path = '/v1/catalog/datacenters';
      break;
  }
  add('dc', request.dc);
  return `${path}?${query.length > 0 ? `${query.join('&')}&` : ''}`;
}

export const MODE_QUERY: Record<ReadMode, string> = { stale: 'stale=1&', default: '', consistent: 'consistent=1&' };
