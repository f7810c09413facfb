import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { ROOT, waitFor } from './ctmpl.js';
import { freePorts } from './ports.js';
import { registerCleanup, tempDir } from './tmp.js';

/**
 * The Consul binary: CONSUL_BIN, else the pinned version built once through the Go module proxy
 * into a cache outside the repository (test/support/obtain-tools.sh).
 */
export function consulBinary(): string {
  if (process.env.CONSUL_BIN) return process.env.CONSUL_BIN;
  const out = execFileSync('bash', [join(ROOT, 'test/support/obtain-tools.sh'), 'consul'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const path = out.trim().split('\n').pop();
  if (!path) throw new Error('obtain-tools.sh printed no consul path');
  return path;
}

export interface ConsulAgentOptions {
  /** ACLs on with default deny; this is the management token. */
  readonly managementToken?: string;
  /** More agent configuration (JSON), e.g. `{ limits: { http_max_conns_per_client: 1000 } }`. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** A Consul dev agent on free loopback ports, stopped when the test (or file) ends. */
export interface ConsulAgent {
  /** host:port of the HTTP API. */
  readonly address: string;
  /** Calls the HTTP API (as the management token when ACLs are on); throws on a non-2xx reply. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<unknown>;
  /** Kills the agent (SIGKILL: an outage, not a shutdown). */
  kill(): Promise<void>;
  /** Starts it again on the same ports: the raft state (catalog, KV) starts over; services registered through the agent API come back from its data dir. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startConsul(options: ConsulAgentOptions = {}): Promise<ConsulAgent> {
  const binary = consulBinary();
  const dir = await tempDir('ctmpl-consul-');
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
      'agent', '-dev', '-bind', '127.0.0.1', '-client', '127.0.0.1', '-node', `ctmpl-test-${http}`,
      '-http-port', String(http), '-dns-port', String(dns), '-server-port', String(server),
      '-serf-lan-port', String(serfLan), '-serf-wan-port', String(serfWan), '-grpc-port', String(grpc),
      '-grpc-tls-port', String(grpcTls), '-data-dir', join(dir, 'data'), '-config-file', config, '-log-level', 'warn',
    ];
  };
  const address = `127.0.0.1:${http}`;
  let child: ResultPromise | undefined;
  let output = '';

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
    const proc = execa(binary, await args(), { reject: false, stdin: 'ignore', all: true, buffer: false });
    proc.all?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    });
    child = proc;
    await waitFor(
      async () => {
        if (proc.exitCode !== null) throw new Error(`consul exited: ${output}`);
        const leader = await api('GET', '/v1/status/leader').catch(() => '');
        return typeof leader === 'string' && leader !== '';
      },
      { timeoutMs: 30_000, what: `Consul at ${address} to elect itself leader` },
    );
  };

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await proc;
    clearTimeout(timer);
  };

  await launch();
  registerCleanup(() => halt('SIGKILL'));
  return {
    address,
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
