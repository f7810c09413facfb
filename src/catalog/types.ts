/**
 * The data templates see. Field names are Consul's own (`ID`, `Address`, `ServiceMeta` as `Meta`…)
 * so consul-template users feel at home. Numbers are strings: handlebars 4.7.10 with noEscape adds
 * adjacent numbers together (`{{Port}}{{Port}}` would print 16160 for 8080).
 */
export const HEALTH_STATUSES = ['passing', 'warning', 'critical', 'maintenance'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** One health check of an instance, with Consul's field names. */
export interface Check {
  readonly Node: string;
  readonly CheckID: string;
  readonly Name: string;
  readonly Status: string;
  readonly Notes: string;
  readonly Output: string;
  readonly ServiceID: string;
  readonly ServiceName: string;
  readonly ServiceTags: readonly string[];
  readonly Type: string;
}

/** A tagged address of a service (`lan_ipv4`, `wan`…). */
export interface TaggedAddress {
  readonly Address: string;
  readonly Port: string;
}

/**
 * One instance of a service, with consul-template's field names (its `HealthService`) so templates
 * move over unchanged. `Meta` is ctmpl's short name for `ServiceMeta` (the same object).
 */
export interface Instance {
  readonly ID: string;
  readonly Name: string;
  readonly Node: string;
  readonly NodeID: string;
  readonly NodeAddress: string;
  readonly NodeDatacenter: string;
  readonly NodeMeta: Readonly<Record<string, string>>;
  readonly NodeTaggedAddresses: Readonly<Record<string, string>>;
  readonly Address: string;
  /** "0" when the registry has no port for the instance (templates decide). */
  readonly Port: string;
  readonly Tags: readonly string[];
  readonly Meta: Readonly<Record<string, string>>;
  readonly ServiceMeta: Readonly<Record<string, string>>;
  readonly TaggedAddresses: Readonly<Record<string, TaggedAddress>>;
  /** The same as `TaggedAddresses`, by consul-template's name for it. */
  readonly ServiceTaggedAddresses: Readonly<Record<string, TaggedAddress>>;
  /** Load-balancing weights; Consul's defaults are Passing 1, Warning 1. */
  readonly Weights: { readonly Passing: string; readonly Warning: string };
  readonly Checks: readonly Check[];
  readonly Status: HealthStatus;
  readonly Datacenter: string;
  /** Name of the source (registry) the instance came from. */
  readonly Source: string;
  /** "true" on an instance the removal guard keeps although the registry no longer lists it. */
  readonly Held?: 'true';
  /** This host's own view, when the service is probed (consumer-side probing). */
  readonly Probe?: ProbeView;
}

/** An instance's probe as templates see it. */
export interface ProbeView {
  readonly Status: 'unknown' | 'passing' | 'critical';
  /** ISO 8601 time of the last status change (or of the start of probing while unknown). */
  readonly Since: string;
  /** Consecutive failed probes. */
  readonly Failures: string;
  readonly LastError: string;
}

export interface ServiceSummary {
  readonly Name: string;
  readonly Tags: readonly string[];
  /** "true" on a service the removal guard keeps in the listing although the registry no longer lists it. */
  readonly Held?: 'true';
}

export interface KeyPair {
  readonly Key: string;
  readonly Value: string;
  /** The full key (from `ls` and `tree`, whose Key is relative to the folder asked for). */
  readonly Path?: string;
}

/** A node of the catalog: an entry of `(nodes)`, and `.Node` of `(node …)` (consul-template's `Node`). */
export interface NodeInfo {
  /** The node's ID (a UUID in Consul). */
  readonly ID: string;
  /** The node's name. */
  readonly Node: string;
  /** The node's address. */
  readonly Address: string;
  /** The node's datacenter. */
  readonly Datacenter: string;
  /** The node's addresses by purpose (`lan`, `lan_ipv4`, `wan`, `wan_ipv4`…). */
  readonly TaggedAddresses: Readonly<Record<string, string>>;
  /** The node's metadata. */
  readonly Meta: Readonly<Record<string, string>>;
}

/** A service instance registered on a node: an entry of `(node …).Services` (consul-template's `CatalogNodeService`). */
export interface NodeService {
  /** The instance's ID. */
  readonly ID: string;
  /** The service name. */
  readonly Service: string;
  /** Its tags, sorted. */
  readonly Tags: readonly string[];
  /** Its metadata. */
  readonly Meta: Readonly<Record<string, string>>;
  /** Its port, as text ("0" when it has none). */
  readonly Port: string;
  /** Its own address, as registered: empty when it uses the node's. */
  readonly Address: string;
  /** "true" or "false", as consul-template prints it (text, so `{{#if}}` needs `(eq … "true")`). */
  readonly EnableTagOverride: 'true' | 'false';
}

/** `(node …)`: one node and the services registered on it, sorted by service name then ID. */
export interface CatalogNode {
  /** The node itself. */
  readonly Node: NodeInfo;
  /** The service instances registered on it. */
  readonly Services: readonly NodeService[];
}

/** What a template asks a source for. Every field that changes the answer is part of its identity. */
export type Dependency =
  | {
      readonly kind: 'service';
      readonly source: string;
      readonly name: string;
      readonly tag?: string;
      readonly dc?: string;
      /** Statuses to keep, or every instance whatever its health. */
      readonly status: readonly HealthStatus[] | 'any';
      /** Consul only: sort by round-trip time from this node (`_agent` for the local agent). */
      readonly near?: string;
      /** Consul only: a filter expression evaluated by Consul. */
      readonly filter?: string;
      /** Consul only: `key:value` node metadata the instance's node must have. */
      readonly nodeMeta?: string;
    }
  | { readonly kind: 'services'; readonly source: string; readonly dc?: string }
  | { readonly kind: 'key'; readonly source: string; readonly key: string }
  /** Every key under a prefix, recursively; `ls` keeps only direct children. */
  | { readonly kind: 'keys'; readonly source: string; readonly prefix: string }
  /** One node and its services; without a name, the node of the agent the source talks to. */
  | { readonly kind: 'node'; readonly source: string; readonly name?: string; readonly dc?: string }
  /** Every node; sorted by name, or by round-trip time from `near` (`_agent` for the agent's node). */
  | { readonly kind: 'nodes'; readonly source: string; readonly dc?: string; readonly near?: string }
  /** The datacenters the source knows; with `ignoreFailing`, only those that answer now. */
  | { readonly kind: 'datacenters'; readonly source: string; readonly ignoreFailing: boolean };

/** The answer for each kind of dependency. `key` is null while the key does not exist. */
export interface DependencyValues {
  service: readonly Instance[];
  services: readonly ServiceSummary[];
  key: string | null;
  keys: readonly KeyPair[];
  /** null when the catalog has no node of that name. */
  node: CatalogNode | null;
  nodes: readonly NodeInfo[];
  datacenters: readonly string[];
}

export type DependencyValue = DependencyValues[Dependency['kind']];

/**
 * A name or tag as it appears in an identity: as it is when it holds no syntax, else quoted, so
 * service "canary.web" and tag "canary" of service "web" (or a name holding `@`, `|`, `;`) never
 * share one identity, and hence one answer.
 */
const part = (value: string): string => (/^[A-Za-z0-9_-]*$/.test(value) ? value : JSON.stringify(value));

/** A stable identity for a dependency, used as the key of the store and of subscriptions. */
export function dependencyId(dep: Dependency): string {
  switch (dep.kind) {
    case 'service': {
      const status = dep.status === 'any' ? 'any' : dep.status.join(',');
      const extra = [dep.near ? `near=${dep.near}` : '', dep.filter ? `filter=${part(dep.filter)}` : '', dep.nodeMeta ? `node-meta=${part(dep.nodeMeta)}` : '']
        .filter((s) => s !== '')
        .map((s) => `;${s}`)
        .join('');
      return `${dep.source}:service(${dep.tag ? `${part(dep.tag)}.` : ''}${part(dep.name)}${dep.dc ? `@${dep.dc}` : ''}|${status}${extra})`;
    }
    case 'services':
      return `${dep.source}:services(${dep.dc ? `@${dep.dc}` : ''})`;
    case 'key':
      return `${dep.source}:key(${dep.key})`;
    case 'keys':
      return `${dep.source}:keys(${dep.prefix})`;
    case 'node':
      return `${dep.source}:node(${dep.name === undefined ? '' : part(dep.name)}${dep.dc ? `@${dep.dc}` : ''})`;
    case 'nodes':
      return `${dep.source}:nodes(${dep.dc ? `@${dep.dc}` : ''}${dep.near ? `~${dep.near}` : ''})`;
    case 'datacenters':
      return `${dep.source}:datacenters(${dep.ignoreFailing ? 'ignore-failing' : ''})`;
  }
}

/** A dependency as a person reads it in a log line: `service web (consul)`, `key app/x (file)`. */
export function describeDependency(dep: Dependency): string {
  switch (dep.kind) {
    case 'service':
      return `service ${dep.tag ? `${dep.tag}.` : ''}${dep.name}${dep.dc ? `@${dep.dc}` : ''} (${dep.source})`;
    case 'services':
      return `the service list (${dep.source})`;
    case 'key':
      return `key ${dep.key} (${dep.source})`;
    case 'keys':
      return `keys under ${dep.prefix || '/'} (${dep.source})`;
    case 'node':
      return `${dep.name === undefined ? "the agent's node" : `node ${dep.name}`}${dep.dc ? `@${dep.dc}` : ''} (${dep.source})`;
    case 'nodes':
      return `the node list${dep.dc ? ` of ${dep.dc}` : ''}${dep.near ? ` near ${dep.near}` : ''} (${dep.source})`;
    case 'datacenters':
      return `the datacenter list${dep.ignoreFailing ? ' (reachable only)' : ''} (${dep.source})`;
  }
}

/**
 * Freezes a JSON value all the way down, so templates and helpers cannot alter shared data. An
 * object already frozen is taken as frozen all the way down (the shared empty values, an instance
 * kept from the previous answer). It walks without building a list of values per object: every
 * answer of every registry passes through here, 10,000 instances at a time at start-up.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  } else {
    const record = value as Record<string, unknown>;
    for (const key in record) if (Object.hasOwn(record, key)) deepFreeze(record[key]);
  }
  return Object.freeze(value);
}
