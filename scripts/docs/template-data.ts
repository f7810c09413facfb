import { HEALTH_STATUSES } from '../../src/catalog/types.js';
import { interfaceSections, interfaceTree, type InterfaceDoc } from './interfaces.js';
import { banner, page } from './markdown.js';

/** Where the data templates see is declared. */
const TYPES_FILE = 'src/catalog/types.ts';
/** What the catalog helpers give: `service` instances, `services` entries, `ls`/`tree` pairs, `node`/`nodes`. */
const ROOTS = ['Instance', 'ServiceSummary', 'KeyPair', 'CatalogNode'] as const;

/**
 * What a field means, for fields without a doc comment in the code. The reference test fails when
 * a field has neither, or when a note is not needed any more.
 */
export const DATA_NOTES: Readonly<Record<string, string>> = {
  'Instance.ID': "the instance's ID in its registry (unique per node, not per cluster)",
  'Instance.Name': 'the service name',
  'Instance.Node': 'the node (host) it runs on; the address when the registry has no nodes',
  'Instance.NodeID': "the node's ID, when the registry has one",
  'Instance.NodeAddress': "the node's address; the instance's when the registry has no nodes",
  'Instance.NodeDatacenter': "the node's datacenter",
  'Instance.NodeMeta': "the node's metadata",
  'Instance.NodeTaggedAddresses': "the node's tagged addresses",
  'Instance.Address': "the instance's address (IP, canonical for IPv6, or host name)",
  'Instance.Tags': 'its tags',
  'Instance.Meta': 'its metadata (service meta)',
  'Instance.ServiceMeta': 'the same as `Meta`, by the name consul-template also uses',
  'Instance.TaggedAddresses': 'addresses by purpose (`lan_ipv4`, `wan`, `http`, `https`…)',
  'Instance.Checks': 'its health checks, when the registry has them (Consul)',
  'Instance.Status': 'its health, aggregated: maintenance > critical > warning > passing',
  'Instance.Datacenter': 'its datacenter; empty when the registry has none',
  'ProbeView.Status': 'this host\'s verdict: `unknown` (counts as up), `passing`, `critical`',
  'ProbeView.LastError': 'why the last failed probe failed (kept after recovery; `Failures` of 0 means it is old news)',
  'Instance.Weights entry.Passing': 'weight while passing',
  'Instance.Weights entry.Warning': 'weight while warning',
  'TaggedAddress.Address': 'the address',
  'TaggedAddress.Port': 'the port, as text',
  'Check.Node': 'node of the check',
  'Check.CheckID': "the check's ID",
  'Check.Name': "the check's name",
  'Check.Status': '`passing`, `warning`, `critical` or `maintenance`',
  'Check.Notes': "the check's notes",
  'Check.Output': 'the last output of the check',
  'Check.ServiceID': 'the instance it checks (empty for a node check)',
  'Check.ServiceName': 'the service it checks',
  'Check.ServiceTags': "the service's tags",
  'Check.Type': 'the kind of check (`http`, `tcp`, `ttl`…)',
  'ServiceSummary.Name': 'the service name',
  'ServiceSummary.Tags': 'the union of its instances\' tags',
  'KeyPair.Key': 'the key, relative to the folder asked for',
  'KeyPair.Value': 'its value',
};

/** The interfaces templates see, each with the ones it reaches. */
export function dataInterfaces(root: string): InterfaceDoc[] {
  const seen = new Set<string>();
  return ROOTS.flatMap((name) => interfaceTree(root, TYPES_FILE, name, { typeNames: { HealthStatus: HEALTH_STATUSES.map((s) => `"${s}"`).join(' | ') } })).filter((i) =>
    seen.has(i.name) ? false : (seen.add(i.name), true),
  );
}

export function templateDataPage(root: string): string {
  return page([
    banner('Template data', [`${TYPES_FILE} (${ROOTS.join(', ')} and the types they use)`]),
    [
      'What the catalog helpers give a template: `(service …)` a list of `Instance`, sorted by `Node`',
      'then `ID`; `(services)` a list of `ServiceSummary`, sorted by name; `(ls …)` and `(tree …)` a',
      'list of `KeyPair`; `(node …)` a `CatalogNode` (null for a node the catalog does not have);',
      '`(nodes)` a list of `NodeInfo`; `(datacenters)` a sorted list of names. Field names are',
      'Consul\'s (consul-template\'s `HealthService`, `CatalogNode`, `Node`). Every value is',
      'a string — numbers too, `Port` included — and the data is frozen. Helpers and examples:',
      '[templates.md](../templates.md), [helpers.md](helpers.md).',
    ].join('\n'),
    ...interfaceSections(dataInterfaces(root), DATA_NOTES),
  ]);
}
