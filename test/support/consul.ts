import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { registerCleanup, type CleanupRegistrar } from './cleanup.js';
import { freePorts } from './ports.js';
import { spawnServer, type ServerProcess } from './process.js';
import { obtainTool } from './programs.js';
import { tempDir } from './tmp.js';
import { waitFor } from './wait.js';

/**
 * The Consul binary: CONSUL_BIN, else the pinned version built once through the Go module proxy
 * into a cache outside the repository (test/support/obtain-tools.sh).
 */
export function consulBinary(): string {
  return obtainTool('consul');
}

export interface ConsulAgentOptions {
  /** ACLs on with default deny; this is the management token. */
  readonly managementToken?: string;
  /** More agent configuration (JSON), e.g. `{ limits: { http_max_conns_per_client: 1000 } }`. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Where its stop is registered (default: the end of the test, or of the process). */
  readonly cleanup?: CleanupRegistrar;
}

/** A Consul dev agent on free loopback ports, stopped when the test (or file, or benchmark) ends. */
export interface ConsulAgent {
  /** host:port of the HTTP API. */
  readonly address: string;
  /** Its HTTP port. */
  readonly port: number;
  /** Calls the HTTP API (as the management token when ACLs are on); throws on a non-2xx reply. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<unknown>;
  /** Kills the agent (SIGKILL: an outage, not a shutdown). */
  kill(): Promise<void>;
  /** Starts it again on the same ports: the raft state (catalog, KV) starts over; services registered through the agent API come back from its data dir. */
  restart(): Promise<void>;
  /** SIGTERM (a clean leave), SIGKILL after 5 s. */
  stop(): Promise<void>;
}

export async function startConsul(options: ConsulAgentOptions = {}): Promise<ConsulAgent> {
  const cleanup = options.cleanup ?? registerCleanup;
  const binary = consulBinary();
  const dir = await tempDir('ctmpl-consul-', cleanup);
  const [http] = (await freePorts(1)) as [number];
  const config = join(dir, 'agent.json');
  await writeFile(
    config,
    JSON.stringify({
      ...(options.managementToken
        ? { acl: { enabled: true, default_policy: 'deny', enable_token_persistence: false, tokens: { initial_management: options.managementToken } } }
        : {}),
      ...options.config,
    }),
  );
  /**
   * Only the HTTP port must stay the same across a restart (ctmpl is pointed at it); the agent's
   * other ports are picked afresh at each start, as another process may have taken them meanwhile.
   */
  const args = async (): Promise<string[]> => {
    const [dns, server, serfLan, serfWan, grpc, grpcTls] = (await freePorts(7)).filter((p) => p !== http).slice(0, 6) as [number, number, number, number, number, number];
    return [
      'agent', '-dev', '-bind', '127.0.0.1', '-client', '127.0.0.1', '-node', `ctmpl-${http}`,
      '-http-port', String(http), '-dns-port', String(dns), '-server-port', String(server),
      '-serf-lan-port', String(serfLan), '-serf-wan-port', String(serfWan), '-grpc-port', String(grpc),
      '-grpc-tls-port', String(grpcTls), '-data-dir', join(dir, 'data'), '-config-file', config, '-log-level', 'warn',
    ];
  };
  const address = `127.0.0.1:${http}`;
  let agent: ServerProcess | undefined;

  const api = async (method: string, path: string, body?: unknown, token?: string): Promise<unknown> => {
    const headers: Record<string, string> = {};
    const auth = token ?? options.managementToken;
    if (auth) headers['X-Consul-Token'] = auth;
    const res = await fetch(`http://${address}${path}`, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  };

  const launch = async (): Promise<void> => {
    const proc = spawnServer(binary, await args());
    agent = proc;
    await waitFor(
      async () => {
        if (!proc.running) throw new Error(`consul exited: ${proc.output()}`);
        const leader = await api('GET', '/v1/status/leader').catch(() => '');
        return typeof leader === 'string' && leader !== '';
      },
      { timeoutMs: 30_000, what: `Consul at ${address} to elect itself leader` },
    );
  };

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = agent;
    agent = undefined;
    await proc?.stop(signal);
  };

  cleanup(() => halt('SIGKILL'));
  await launch();
  return {
    address,
    port: http,
    api,
    kill: () => halt('SIGKILL'),
    restart: launch,
    stop: () => halt('SIGTERM'),
  };
}

/** Registers a service instance with a TTL check (initially critical, as Consul does). */
export async function registerTtlInstance(agent: ConsulAgent, instance: { id: string; name: string; address: string; port: number; tags?: string[] }, token?: string): Promise<string> {
  const checkId = `ttl-${instance.id}`;
  await agent.api(
    'PUT',
    '/v1/agent/service/register',
    { ID: instance.id, Name: instance.name, Address: instance.address, Port: instance.port, Tags: instance.tags ?? [], Check: { CheckID: checkId, TTL: '10m' } },
    token,
  );
  return checkId;
}

/** Sets a TTL check's state: pass, warn or fail. */
export async function setCheck(agent: ConsulAgent, checkId: string, state: 'pass' | 'warn' | 'fail'): Promise<void> {
  await agent.api('PUT', `/v1/agent/check/${state}/${checkId}`);
}

/** One service instance to put straight into the catalog (on an external node, no checks: it is passing). */
export interface CatalogRegistration {
  readonly node: string;
  readonly nodeAddress: string;
  readonly id: string;
  readonly service: string;
  readonly address: string;
  readonly port: number;
  readonly tags?: readonly string[];
}

/** The transaction API's limit of operations per request. */
const TXN_MAX_OPS = 128;

/**
 * Registers instances straight into the catalog through `/v1/txn`, `parallel` transactions at a
 * time: 10,000 instances take a few seconds where one agent registration per instance would take
 * minutes.
 */
export async function registerCatalog(agent: ConsulAgent, instances: readonly CatalogRegistration[], parallel = 4): Promise<void> {
  const nodes = new Map<string, string>();
  for (const i of instances) nodes.set(i.node, i.nodeAddress);
  const nodeOps = [...nodes].map(([node, address]) => ({ Node: { Verb: 'set', Node: { Node: node, Address: address } } }));
  const serviceOps = instances.map((i) => ({ Service: { Verb: 'set', Node: i.node, Service: { ID: i.id, Service: i.service, Address: i.address, Port: i.port, Tags: i.tags ?? [] } } }));
  const run = async (ops: readonly unknown[]): Promise<void> => {
    const batches = Array.from({ length: Math.ceil(ops.length / TXN_MAX_OPS) }, (_, b) => ops.slice(b * TXN_MAX_OPS, (b + 1) * TXN_MAX_OPS));
    let next = 0;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < batches.length) await agent.api('PUT', '/v1/txn', batches[next++]);
      }),
    );
  };
  // Nodes first: a service op on a node no committed transaction has created yet fails.
  await run(nodeOps);
  await run(serviceOps);
}
