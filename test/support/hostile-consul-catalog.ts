/**
 * Consul-shaped catalogs (for the scripted fake Consul) built from hostile values, the bodies
 * Consul would send for them, and what the shipped templates must show.
 */
import fc from 'fast-check';
import { hostPort } from './catalog.js';
import { hasControlChar, instanceRefusal, keptTags, nameOk, ownersAtFirstSight } from './hostile-rules.js';
import { commentLength } from './hostile-file-catalog.js';
import { addressArb, identArb, metaArb, ownMap, portArb, portText, serviceNameArb, tagArb, type AddressValue, type PortValue } from './hostile-values.js';

export interface ConsulInstanceSpec {
  /** Service.ID, Service.Service, Node.Node. */
  readonly id: string;
  readonly service: string;
  readonly node: string;
  /** Service.Address ('' means "the node's address", as Consul documents). */
  readonly serviceAddress: AddressValue;
  readonly nodeAddress: AddressValue;
  readonly port: PortValue;
  readonly tags: readonly string[];
  readonly meta: readonly (readonly [string, string])[];
  readonly status: 'passing' | 'warning' | 'critical';
}

export interface ConsulServiceSpec {
  /** The name /v1/catalog/services lists. */
  readonly name: string;
  readonly instances: readonly ConsulInstanceSpec[];
}

export interface ConsulCatalogSpec {
  readonly services: readonly ConsulServiceSpec[];
}

const EMPTY_ADDRESS: AddressValue = { value: '', valid: false };

function consulInstance(service: string): fc.Arbitrary<ConsulInstanceSpec> {
  return fc.record({
    id: identArb,
    // Mostly the service's own name; sometimes another (a case variant, or hostile) in the health entry itself.
    service: fc.oneof({ weight: 16, arbitrary: fc.constant(service) }, { weight: 1, arbitrary: fc.constant(service.toUpperCase()) }, { weight: 1, arbitrary: serviceNameArb }),
    node: identArb,
    serviceAddress: fc.oneof({ weight: 8, arbitrary: addressArb }, { weight: 1, arbitrary: fc.constant(EMPTY_ADDRESS) }),
    nodeAddress: addressArb,
    // A port left out, null or empty reads as Consul's "no port", port 0 (see AVOIDED).
    port: portArb.filter((p) => p.value !== null && p.value !== ''),
    tags: fc.array(tagArb, { maxLength: 2 }),
    meta: metaArb,
    status: fc.constantFrom('passing', 'passing', 'passing', 'passing', 'warning', 'critical'),
  });
}

/**
 * Up to 5 services (names valid or hostile, case variants now and then) with up to 6 instances
 * each; (node, ID) unique within a service (see AVOIDED).
 */
export const consulCatalogArb: fc.Arbitrary<ConsulCatalogSpec> = fc
  .uniqueArray(serviceNameArb, { minLength: 1, maxLength: 5 })
  .chain((names) =>
    fc.tuple(...names.map((name) => fc.uniqueArray(consulInstance(name), { maxLength: 6, selector: (i) => `${i.node}\u0000${i.id}` }).map((instances) => ({ name, instances })))),
  )
  .map((services) => ({ services }))
  // See AVOIDED: the tags comment of the shipped nginx template stays within nginx's 4 KiB.
  .filter((spec) => spec.services.every((s) => commentLength(s.name, s.instances.flatMap((i) => i.tags)) < 3500));

/** The address ctmpl uses: the service's, or the node's when the service has none. */
export const effectiveAddress = (i: ConsulInstanceSpec): AddressValue => (i.serviceAddress.value === '' ? i.nodeAddress : i.serviceAddress);

/** /v1/health/service/NAME entries as Consul sends them. */
export function consulHealthBody(service: ConsulServiceSpec): unknown[] {
  return service.instances.map((i) => ({
    Node: { ID: '00000000-0000-0000-0000-000000000001', Node: i.node, Address: i.nodeAddress.value, Datacenter: 'dc1', Meta: {} },
    Service: { ID: i.id, Service: i.service, Address: i.serviceAddress.value, Port: i.port.value, Tags: i.tags, Meta: ownMap(i.meta) },
    Checks: [
      { Node: i.node, CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing', ServiceID: '', ServiceName: '' },
      { Node: i.node, CheckID: `service:${i.id}`, Name: 'check', Status: i.status, ServiceID: i.id, ServiceName: i.service },
    ],
  }));
}

/** /v1/catalog/services: every name with the union of its instances' tags, as Consul sends it. */
export function consulCatalogBody(spec: ConsulCatalogSpec): Record<string, string[]> {
  return ownMap(spec.services.map((s) => [s.name, [...new Set(s.instances.flatMap((i) => i.tags))].sort()])) as Record<string, string[]>;
}

const refusal = (i: ConsulInstanceSpec): string | undefined =>
  instanceRefusal({ name: i.service, id: i.id, node: i.node, address: effectiveAddress(i).value, port: i.port.value, tags: i.tags, meta: i.meta });

/** The names the listing keeps: no control character, not empty, and of case variants the one kept at first sight. */
export function keptConsulNames(spec: ConsulCatalogSpec): string[] {
  const listed = spec.services.map((s) => s.name).filter(nameOk);
  const owners = ownersAtFirstSight(listed);
  return listed.filter((n) => owners.get(n) === true);
}

/**
 * Whether an instance in the answer for `asked` is shown: passing, not refused, and not a case
 * variant of the name asked (Consul's lookups ignore case; the listed spelling owns the name).
 */
const shownIn = (asked: string, i: ConsulInstanceSpec): boolean =>
  i.status === 'passing' && refusal(i) === undefined && !(i.service !== asked && i.service.toLowerCase() === asked.toLowerCase());

/** Service → sorted `host:port` the shipped templates must show. */
export function expectedFromConsul(spec: ConsulCatalogSpec): Map<string, string[]> {
  const kept = new Set(keptConsulNames(spec));
  const out = new Map<string, string[]>();
  for (const s of spec.services) {
    if (!kept.has(s.name)) continue;
    out.set(s.name, s.instances.filter((i) => shownIn(s.name, i)).map((i) => hostPort(effectiveAddress(i).value, portText(i.port))).sort());
  }
  return out;
}

/** Verdicts for the statistics (instances of kept names only: the others are never asked for). */
export function consulVerdicts(spec: ConsulCatalogSpec): string[] {
  const kept = new Set(keptConsulNames(spec));
  return spec.services.flatMap((s) =>
    !kept.has(s.name)
      ? [nameOk(s.name) ? 'case variant (listing)' : 'service name (listing)']
      : s.instances.map((i) => {
          if (i.status !== 'passing') return 'not passing';
          const why = refusal(i);
          if (why !== undefined) return why;
          if (!shownIn(s.name, i)) return 'case variant (answer)';
          return keptTags(i.tags).length < i.tags.length || i.meta.some(([k, v]) => hasControlChar(k) || hasControlChar(v)) ? 'rendered, a tag or meta entry dropped' : 'rendered';
        }),
  );
}

/** The kinds of refusal ctmpl must log for a catalog (`kind: rule`, as hostile-run.ts reads log lines). */
export function consulRefusals(spec: ConsulCatalogSpec): string[] {
  const kept = new Set(keptConsulNames(spec));
  const out = new Set<string>();
  for (const s of spec.services) {
    if (!nameOk(s.name)) out.add('services: service name');
    else if (!kept.has(s.name)) out.add('services: case variant');
    else if (s.instances.some((i) => i.tags.some(hasControlChar))) out.add('services: tag');
    if (!kept.has(s.name)) continue;
    for (const i of s.instances.filter((x) => x.status === 'passing')) {
      const why = refusal(i);
      if (why !== undefined) out.add(`service: ${why}`);
      else if (!shownIn(s.name, i)) out.add('service: case variant');
      else {
        if (i.tags.some(hasControlChar)) out.add('service: tag');
        if (i.meta.some(([k, v]) => hasControlChar(k) || hasControlChar(v))) out.add('service: meta');
      }
    }
  }
  return [...out].sort();
}
