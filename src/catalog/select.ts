import type { Dependency, HealthStatus, Instance, KeyPair, ServiceSummary } from './types.js';

type ServiceQuery = Extract<Dependency, { kind: 'service' }>;

/** Consul's ordering: by node name, then by service ID; stable output means stable files. */
export function compareInstances(a: Instance, b: Instance): number {
  return compareStrings(a.Node, b.Node) || compareStrings(a.ID, b.ID);
}

/**
 * Strings in Go's order (consul-template sorts tags, names and keys with sort.Strings): by UTF-8
 * bytes, which is code point order. JavaScript's `<` compares UTF-16 units, which puts U+E000–U+FFFF
 * (`ｚ`) after characters above U+FFFF (emoji, stored as surrogates); this folds them back.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return codePointRank(x) < codePointRank(y) ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/** Surrogates (U+D800–DFFF) moved above U+E000–FFFF, as their code points are. */
const codePointRank = (unit: number): number => (unit >= 0xe000 ? unit - 0x800 : unit + 0x2000);

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
