import type { Dependency, HealthStatus, Instance, KeyPair, ServiceSummary } from './types.js';

type ServiceQuery = Extract<Dependency, { kind: 'service' }>;

/** Consul's ordering: by node name, then by service ID; stable output means stable files. */
export function compareInstances(a: Instance, b: Instance): number {
  return compareStrings(a.Node, b.Node) || compareStrings(a.ID, b.ID);
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Applies a service query (tag, datacenter, status filter) to every instance of a service. */
export function selectInstances(instances: readonly Instance[], query: ServiceQuery): Instance[] {
  return instances
    .filter(
      (inst) =>
        (query.tag === undefined || inst.Tags.includes(query.tag)) &&
        (query.dc === undefined || inst.Datacenter === query.dc) &&
        statusMatches(inst.Status, query.status),
    )
    .sort(compareInstances);
}

export function statusMatches(status: HealthStatus, wanted: readonly HealthStatus[] | 'any'): boolean {
  return wanted === 'any' || wanted.includes(status);
}

/** `services`: one entry per service name with the union of its instances' tags, sorted by name. */
export function summarizeServices(services: ReadonlyMap<string, readonly Instance[]>, dc?: string): ServiceSummary[] {
  const out: ServiceSummary[] = [];
  for (const [name, instances] of services) {
    const inDc = dc === undefined ? instances : instances.filter((i) => i.Datacenter === dc);
    // A service declared with no instances is still a service (its templates render it empty);
    // asked for one datacenter, only services present there are listed.
    if (dc !== undefined && inDc.length === 0) continue;
    const tags = [...new Set(inDc.flatMap((i) => i.Tags))].sort(compareStrings);
    out.push({ Name: name, Tags: tags });
  }
  return out.sort((a, b) => compareStrings(a.Name, b.Name));
}

/** Every key under `prefix` (recursive), sorted by key. */
export function keysUnder(kv: ReadonlyMap<string, string>, prefix: string): KeyPair[] {
  const out: KeyPair[] = [];
  for (const [Key, Value] of kv) if (Key.startsWith(prefix)) out.push({ Key, Value });
  return out.sort((a, b) => compareStrings(a.Key, b.Key));
}
