/**
 * The catalog the consul-template parity test renders (test/fixtures/parity/): registered through
 * Consul's HTTP API as an operator's tooling would, with the shapes the parity points are about —
 * Fabio and Traefik tags, port 0, weights, node meta, tagged addresses, checks, unsorted and
 * non-ASCII tags, nodes near and far from the agent, and keys with empty and padded values.
 */
import type { ConsulAgent } from './consul.js';
import { waitFor } from './wait.js';

interface CheckSpec {
  readonly CheckID: string;
  readonly Name: string;
  readonly Status: 'passing' | 'warning' | 'critical';
  readonly Notes?: string;
  readonly Output?: string;
  readonly ServiceID?: string;
}

interface NodeSpec {
  readonly ID?: string;
  readonly Address: string;
  readonly NodeMeta?: Readonly<Record<string, string>>;
  readonly TaggedAddresses?: Readonly<Record<string, string>>;
  /** Network coordinate (seconds away from the agent on the first axis), for `near`. */
  readonly away?: number;
}

const FABIO = 'urlprefix-/app strip=/app';
const TRAEFIK = 'traefik.http.routers.app.rule=Host(`app.example.com`)';

/** External nodes (no agent). Each registration repeats its node's fields: a catalog register replaces them. */
const NODES: Readonly<Record<string, NodeSpec>> = {
  'n-web-1': {
    ID: '6a1c0b4e-1f2d-4c3b-9a8e-000000000001',
    Address: '10.1.0.1',
    NodeMeta: { rack: 'r1', zone: 'eu-west-1a', '10': 'ten', '9': 'nine' },
    TaggedAddresses: { lan: '10.1.0.1', wan: '198.51.100.1' },
  },
  'n-web-2': { ID: '6a1c0b4e-1f2d-4c3b-9a8e-000000000002', Address: '10.1.0.2', NodeMeta: { rack: 'r2' } },
  'n-web-3': { Address: '10.1.0.3' },
  'n-web-4': { Address: '10.1.0.4' },
  // Sorted by name api-a comes first; by round-trip time from the agent api-b does.
  'api-a': { Address: '10.2.0.1', away: 0.5 },
  'api-b': { Address: '10.2.0.2', away: 0.002 },
};

/** Service instances straight into the catalog (`/v1/catalog/register`), checks as given. */
const SERVICES: readonly { readonly node: string; readonly service: Readonly<Record<string, unknown>>; readonly checks?: readonly CheckSpec[] }[] = [
  {
    node: 'n-web-1',
    service: {
      ID: 'web-1',
      Service: 'web',
      Tags: [FABIO, TRAEFIK, 'traefik.enable=true', 'v2', 'primary'],
      Address: '10.1.0.11',
      Port: 8080,
      Meta: { version: '1.4.2', team: 'edge', path: '/app=x', '10': 'ten', '9': 'nine' },
      TaggedAddresses: { lan_ipv4: { Address: '10.1.0.11', Port: 8080 }, wan_ipv4: { Address: '198.51.100.11', Port: 80 } },
      Weights: { Passing: 10, Warning: 3 },
    },
  },
  { node: 'n-web-2', service: { ID: 'web-2', Service: 'web', Tags: ['v1'], Port: 0 } },
  {
    node: 'n-web-3',
    service: { ID: 'web-3', Service: 'web', Tags: ['v1', 'b', 'a'], Port: 8082 },
    checks: [
      { CheckID: 'http-web-3', Name: 'HTTP on 8082', Status: 'warning', Notes: 'slow answers', Output: 'HTTP GET http://10.1.0.3:8082/health: 429 Too Many Requests', ServiceID: 'web-3' },
      { CheckID: 'disk', Name: 'Disk space', Status: 'passing', Output: 'ok' },
    ],
  },
  {
    node: 'n-web-4',
    service: { ID: 'web-4', Service: 'web', Tags: ['v1'], Port: 8083, Weights: { Passing: 2, Warning: 1 } },
    checks: [{ CheckID: 'tcp-web-4', Name: 'TCP on 8083', Status: 'critical', Output: 'dial tcp 10.1.0.4:8083: connect: connection refused', ServiceID: 'web-4' }],
  },
  { node: 'n-web-1', service: { ID: 'web-5', Service: 'web', Tags: ['v2'], Address: '10.1.0.15', Port: 8081 } },
  { node: 'n-web-2', service: { ID: 'intl-1', Service: 'intl', Tags: ['ｚ-fullwidth', '😀-emoji', 'é-accent', 'Z-upper', 'a-lower', 'with space', 'k=v', 'a/b'], Port: 7000 } },
  { node: 'api-a', service: { ID: 'api-1', Service: 'api', Tags: ['primary'], Port: 9001 } },
  { node: 'api-b', service: { ID: 'api-2', Service: 'api', Tags: ['secondary'], Port: 9002 } },
];

/** A network coordinate `seconds` away from the origin (where the agent is put). */
const coordinate = (seconds: number): Record<string, unknown> => ({ Adjustment: 0, Error: 0.1, Height: 0, Vec: [seconds, 0, 0, 0, 0, 0, 0, 0] });

/** Keys and values: an empty value, a padded one, a folder with a subfolder, JSON, numbers. */
export const PARITY_KEYS: Readonly<Record<string, string>> = {
  'app/maxconn': '100',
  'app/empty': '',
  'app/spaced': '  padded value \n',
  'app/csv': 'a, b,c ,d',
  'app/b64': Buffer.from('hello, world').toString('base64'),
  'app/json': '{"name":"web","replicas":3,"ports":[80,443],"tls":{"enabled":true,"cert":"/etc/ssl/web.pem"},"ratio":0.5,"labels":{"tier":"front","owner":"edge"}}',
  'app/flags/enabled': 'true',
  'app/flags/count': '42',
  'app/flags/negative': '-7',
  'app/config/a': 'A',
  'app/config/b': 'B',
  'app/config/sub/': '',
  'app/config/sub/c': 'C',
  'app/config/sub/deeper/d': 'D',
};

/**
 * Registers the catalog, a service on the agent's own node (it has network coordinates, so it
 * comes first with `near=_agent`), and the keys; returns once Consul answers with all of it.
 */
export async function registerParityCatalog(agent: ConsulAgent): Promise<void> {
  for (const { node, service, checks } of SERVICES) {
    const { ID, Address, NodeMeta, TaggedAddresses } = NODES[node] as NodeSpec;
    await agent.api('PUT', '/v1/catalog/register', { Node: node, ID, Address, NodeMeta, TaggedAddresses, Service: service, ...(checks ? { Checks: checks.map((c) => ({ ...c, Node: node })) } : {}) });
  }
  await agent.api('PUT', '/v1/agent/service/register', { ID: 'api-0', Name: 'api', Tags: ['local'], Address: '127.0.0.1', Port: 9000 });
  for (const [key, value] of Object.entries(PARITY_KEYS)) await agent.api('PUT', `/v1/kv/${key}`, value);
  // The agent syncs its own service into the catalog on its own schedule: wait for it.
  await waitFor(
    async () => {
      const entries = (await agent.api('GET', '/v1/health/service/api')) as unknown[];
      return entries.length === 3;
    },
    { timeoutMs: 10_000, what: 'the agent to sync api-0 into the catalog' },
  );
  // Network coordinates, so `near` has an order to keep: the agent at the origin, api-b near it,
  // api-a far; the other nodes have none (Consul lists them last).
  const self = (await agent.api('GET', '/v1/agent/self')) as { Config: { NodeName: string } };
  const placed: [string, number][] = [[self.Config.NodeName, 0], ...Object.entries(NODES).flatMap(([name, n]): [string, number][] => (n.away === undefined ? [] : [[name, n.away]]))];
  for (const [node, seconds] of placed) await agent.api('PUT', '/v1/coordinate/update', { Node: node, Segment: '', Coord: coordinate(seconds) });
  await waitFor(
    async () => {
      const coordinates = (await agent.api('GET', '/v1/coordinate/nodes')) as { Node: string }[];
      return placed.every(([node]) => coordinates.some((c) => c.Node === node));
    },
    { timeoutMs: 10_000, what: 'Consul to store the network coordinates' },
  );
}
