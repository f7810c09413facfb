import { compareInstances, compareStrings, statusMatches } from '../../catalog/select.js';
import { makeInstance } from '../../catalog/instance.js';
import { deepFreeze, type CatalogNode, type Check, type HealthStatus, type Instance, type KeyPair, type NodeInfo, type NodeService, type ServiceSummary, type TaggedAddress } from '../../catalog/types.js';

/** A reply Consul should never send; the watch reports it and keeps the last good data. */
export class ConsulDataError extends Error {
  override readonly name = 'ConsulDataError';
}

interface HealthCheck {
  Status?: unknown;
  CheckID?: unknown;
  Node?: unknown;
  Name?: unknown;
  Notes?: unknown;
  Output?: unknown;
  ServiceID?: unknown;
  ServiceName?: unknown;
  ServiceTags?: unknown;
  Type?: unknown;
}
interface HealthEntry {
  Node?: { ID?: unknown; Node?: unknown; Address?: unknown; Datacenter?: unknown; TaggedAddresses?: unknown; Meta?: unknown };
  Service?: { ID?: unknown; Service?: unknown; Address?: unknown; Port?: unknown; Tags?: unknown; Meta?: unknown; TaggedAddresses?: unknown; Weights?: unknown };
  Checks?: unknown;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const texts = (v: unknown): string[] => (Array.isArray(v) ? v.map(text) : []);

/*
 * What most instances share (no meta, no tagged addresses, default weights, no checks) is one
 * frozen object for all of them, not an empty copy each: at 10,000 instances that is ~50,000
 * objects fewer to hold and to trace at every collection. Everything here is frozen anyway.
 */
const NOTHING: Readonly<Record<string, never>> = Object.freeze({});
const NO_CHECKS: readonly Check[] = Object.freeze([]);
const DEFAULT_WEIGHTS: Instance['Weights'] = Object.freeze({ Passing: '1', Warning: '1' });

/** A JSON object's values converted by `convert`; NOTHING for an empty object or anything else. */
function mapObject<T>(value: unknown, convert: (v: unknown) => T): Readonly<Record<string, T>> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return NOTHING;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return NOTHING;
  const out: Record<string, T> = {};
  for (const [k, v] of entries) out[k] = convert(v);
  return out;
}

/** A JSON object of scalars as `{ key: text }` (Consul's meta and tagged addresses). */
const textMap = (value: unknown): Readonly<Record<string, string>> => mapObject(value, text);

/** `Service.TaggedAddresses`: `{ lan_ipv4: { Address, Port } }`. */
const taggedAddresses = (value: unknown): Readonly<Record<string, TaggedAddress>> =>
  mapObject(value, (v) => {
    const address = v as { Address?: unknown; Port?: unknown } | undefined;
    return { Address: text(address?.Address), Port: text(address?.Port) };
  });

function weights(value: unknown): Instance['Weights'] | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const w = value as { Passing?: unknown; Warning?: unknown };
  const passing = text(w.Passing) || '1';
  const warning = text(w.Warning) || '1';
  return passing === '1' && warning === '1' ? DEFAULT_WEIGHTS : { Passing: passing, Warning: warning };
}

function check(c: HealthCheck): Check {
  return {
    Node: text(c.Node),
    CheckID: text(c.CheckID),
    Name: text(c.Name),
    Status: text(c.Status),
    Notes: text(c.Notes),
    Output: text(c.Output),
    ServiceID: text(c.ServiceID),
    ServiceName: text(c.ServiceName),
    ServiceTags: texts(c.ServiceTags),
    Type: text(c.Type),
  };
}

/** Maintenance wins over critical over warning over passing, as Consul's own aggregation. */
export function aggregateStatus(checks: readonly HealthCheck[]): HealthStatus {
  let worst: HealthStatus = 'passing';
  for (const check of checks) {
    const id = text(check.CheckID);
    if (id === '_node_maintenance' || id.startsWith('_service_maintenance:')) return 'maintenance';
    const status = text(check.Status);
    if (status === 'critical') worst = 'critical';
    else if (status === 'warning' && worst === 'passing') worst = 'warning';
    else if (status === 'maintenance') return 'maintenance';
  }
  return worst;
}

/**
 * `/v1/health/service/:name` → instances, filtered by status, sorted by Node then ID — unless
 * the query asked for round-trip order (`near`), which Consul's order is (as consul-template).
 * Each instance's tags are sorted, as consul-template gives them.
 */
export function instancesFromHealth(body: unknown, wanted: readonly HealthStatus[] | 'any', sourceName: string, fallbackDc: string, byNearness = false): readonly Instance[] {
  if (!Array.isArray(body)) throw new ConsulDataError('health reply is not a list');
  const out: Instance[] = [];
  for (const raw of body as HealthEntry[]) {
    const service = raw.Service ?? {};
    const node = raw.Node ?? {};
    const checks = Array.isArray(raw.Checks) ? (raw.Checks as HealthCheck[]) : [];
    const status = aggregateStatus(checks);
    if (!statusMatches(status, wanted)) continue;
    const datacenter = text(node.Datacenter) || fallbackDc;
    const serviceWeights = weights(service.Weights);
    out.push(
      makeInstance({
        ID: text(service.ID),
        Name: text(service.Service),
        Node: text(node.Node),
        NodeID: text(node.ID),
        NodeAddress: text(node.Address),
        NodeDatacenter: datacenter,
        NodeMeta: textMap(node.Meta),
        NodeTaggedAddresses: textMap(node.TaggedAddresses),
        // An empty service address means "the node's address", as Consul documents.
        Address: text(service.Address) || text(node.Address),
        // Consul leaves a zero port out of its JSON: Port 0, as consul-template reads it.
        Port: text(service.Port) || '0',
        Tags: [...texts(service.Tags)].sort(compareStrings),
        Meta: textMap(service.Meta),
        TaggedAddresses: taggedAddresses(service.TaggedAddresses),
        ...(serviceWeights ? { Weights: serviceWeights } : {}),
        Checks: checks.length === 0 ? NO_CHECKS : checks.map(check),
        Status: status,
        Datacenter: datacenter,
        Source: sourceName,
      }),
    );
  }
  return deepFreeze(byNearness ? out : out.sort(compareInstances));
}

/** `/v1/catalog/services` (`{ name: [tags] }`) → `[{ Name, Tags }]` sorted by name. */
export function servicesFromCatalog(body: unknown): readonly ServiceSummary[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ConsulDataError('catalog services reply is not a map');
  return deepFreeze(
    Object.entries(body as Record<string, unknown>)
      .map(([Name, tags]) => ({ Name, Tags: Array.isArray(tags) ? [...new Set(tags.map(text))].sort(compareStrings) : [] }))
      .sort((a, b) => compareStrings(a.Name, b.Name)),
  );
}

interface KvEntry {
  Key?: unknown;
  Value?: unknown;
}

/** The consul client decodes base64 values; a key without value (a folder) reads as "". */
export function keyValue(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  const entry = (Array.isArray(body) ? body[0] : body) as KvEntry | undefined;
  if (!entry || typeof entry !== 'object') throw new ConsulDataError('KV reply is not an entry');
  return entry.Value === null || entry.Value === undefined ? '' : text(entry.Value);
}

export function keyPairs(body: unknown): readonly KeyPair[] {
  if (body === undefined || body === null) return deepFreeze([]);
  if (!Array.isArray(body)) throw new ConsulDataError('KV list reply is not a list');
  return deepFreeze(
    (body as KvEntry[])
      .map((e) => ({ Key: text(e.Key), Value: e.Value === null || e.Value === undefined ? '' : text(e.Value) }))
      .sort((a, b) => compareStrings(a.Key, b.Key)),
  );
}

interface CatalogNodeBody {
  ID?: unknown;
  Node?: unknown;
  Address?: unknown;
  Datacenter?: unknown;
  TaggedAddresses?: unknown;
  Meta?: unknown;
}
interface NodeServiceBody {
  ID?: unknown;
  Service?: unknown;
  Tags?: unknown;
  Meta?: unknown;
  Port?: unknown;
  Address?: unknown;
  EnableTagOverride?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function nodeInfo(n: CatalogNodeBody): NodeInfo {
  return { ID: text(n.ID), Node: text(n.Node), Address: text(n.Address), Datacenter: text(n.Datacenter), TaggedAddresses: textMap(n.TaggedAddresses), Meta: textMap(n.Meta) };
}

/** Node names as consul-template orders them: by name, then address. */
const compareNodes = (a: NodeInfo, b: NodeInfo): number => compareStrings(a.Node, b.Node) || compareStrings(a.Address, b.Address);

/**
 * `/v1/catalog/node/:name` → the node and its services (sorted by name, then ID; tags sorted), as
 * consul-template's `node`. Consul answers `null` for a node it does not know: null here too.
 */
export function nodeFromCatalog(body: unknown): CatalogNode | null {
  if (body === null || body === undefined) return null;
  if (!isObject(body) || !isObject(body.Node)) throw new ConsulDataError('catalog node reply is not a node');
  // Consul keys the services by ID; an object (older agents) or a list (node-services) both read.
  const raw = isObject(body.Services) ? Object.values(body.Services) : Array.isArray(body.Services) ? (body.Services as unknown[]) : [];
  const services = raw.filter(isObject).map(
    (s: NodeServiceBody): NodeService => ({
      ID: text(s.ID),
      Service: text(s.Service),
      Tags: [...texts(s.Tags)].sort(compareStrings),
      Meta: textMap(s.Meta),
      Port: text(s.Port) || '0',
      Address: text(s.Address),
      EnableTagOverride: s.EnableTagOverride === true ? 'true' : 'false',
    }),
  );
  services.sort((a, b) => compareStrings(a.Service, b.Service) || compareStrings(a.ID, b.ID));
  return deepFreeze({ Node: nodeInfo(body.Node), Services: services });
}

/** `/v1/catalog/nodes` → nodes sorted by name then address, or in Consul's round-trip order when asked `near` (as consul-template). */
export function nodesFromCatalog(body: unknown, byNearness = false): readonly NodeInfo[] {
  if (!Array.isArray(body)) throw new ConsulDataError('catalog nodes reply is not a list');
  const nodes = body.filter(isObject).map(nodeInfo);
  return deepFreeze(byNearness ? nodes : nodes.sort(compareNodes));
}

/** `/v1/catalog/datacenters` → the names, sorted (Consul orders them by round-trip time; consul-template sorts). */
export function datacentersFromCatalog(body: unknown): readonly string[] {
  if (!Array.isArray(body)) throw new ConsulDataError('catalog datacenters reply is not a list');
  return deepFreeze(body.filter((dc): dc is string => typeof dc === 'string').sort(compareStrings));
}
