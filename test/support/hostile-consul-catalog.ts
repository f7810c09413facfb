/**
 * Consul-shaped catalogs (for the scripted fake Consul) built from hostile values, the bodies
 * Consul would send for them, and what the shipped templates must show.
 */
import fc from 'fast-check';
import { hostPort } from './catalog.js';
import { EDGE_RULES, edgeProblem } from './hostile-rules.js';
import { addressArb, clarify, hostileText, metaArb, ownMap, portArb, portText, tagArb, veryLong, type AddressValue, type PortValue } from './hostile-values.js';

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

const consulName = fc
  .oneof({ weight: 12, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/) }, { weight: 3, arbitrary: hostileText }, { weight: 1, arbitrary: veryLong })
  .map((v) => clarify(EDGE_RULES.name, v, { noDot: true }));
const consulIdent = fc
  .oneof({ weight: 24, arbitrary: fc.stringMatching(/^[a-z0-9][A-Za-z0-9._:-]{0,12}$/) }, { weight: 3, arbitrary: hostileText }, { weight: 1, arbitrary: veryLong }, { weight: 1, arbitrary: fc.constant('') })
  .map((v) => clarify(EDGE_RULES.id, v, { noAt: true }));
const EMPTY_ADDRESS: AddressValue = { value: '', valid: false };

function consulInstance(service: string): fc.Arbitrary<ConsulInstanceSpec> {
  return fc.record({
    id: consulIdent,
    // Mostly the service's own name; sometimes a hostile one in the health entry itself.
    service: fc.oneof({ weight: 16, arbitrary: fc.constant(service) }, { weight: 1, arbitrary: consulName }),
    node: consulIdent,
    serviceAddress: fc.oneof({ weight: 8, arbitrary: addressArb }, { weight: 1, arbitrary: fc.constant(EMPTY_ADDRESS) }),
    nodeAddress: addressArb,
    port: portArb,
    tags: fc.array(tagArb, { maxLength: 2 }),
    meta: metaArb,
    status: fc.constantFrom('passing', 'passing', 'passing', 'passing', 'warning', 'critical'),
  });
}

/** Up to 5 services (names valid or hostile) with up to 6 instances each; IDs unique within a service (see AVOIDED). */
export const consulCatalogArb: fc.Arbitrary<ConsulCatalogSpec> = fc
  .uniqueArray(consulName, { minLength: 1, maxLength: 5, selector: (n) => n.toLowerCase() })
  .chain((names) =>
    fc.tuple(...names.map((name) => fc.uniqueArray(consulInstance(name), { maxLength: 6, selector: (i) => i.id }).map((instances) => ({ name, instances })))),
  )
  .map((services) => ({ services }));

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

const consulProblem = (i: ConsulInstanceSpec): string | undefined =>
  edgeProblem({ name: i.service, id: i.id, node: i.node, address: effectiveAddress(i), port: i.port, tags: i.tags, meta: i.meta });

/** Service → sorted `host:port` the shipped templates must show: valid names, valid passing instances. */
export function expectedFromConsul(spec: ConsulCatalogSpec): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of spec.services) {
    if (!EDGE_RULES.name.test(s.name)) continue;
    const shown = s.instances.filter((i) => i.status === 'passing' && consulProblem(i) === undefined);
    out.set(s.name, shown.map((i) => hostPort(effectiveAddress(i).value, portText(i.port))).sort());
  }
  return out;
}

/** Edge-validation verdicts for the statistics (instances of listed names only: the others are never asked for). */
export function consulVerdicts(spec: ConsulCatalogSpec): string[] {
  return spec.services.flatMap((s) =>
    !EDGE_RULES.name.test(s.name) ? ['service name (catalog)'] : s.instances.map((i) => (i.status !== 'passing' ? 'not passing' : (consulProblem(i) ?? 'rendered'))),
  );
}
