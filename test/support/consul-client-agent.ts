/**
 * A Consul client agent joined to a server started by the harness (test/support/consul.ts): what
 * production runs next to ctmpl. Its servers' RPC counters (Prometheus format, which needs
 * `telemetry.prometheus_retention_time` on the server) say what each watch costs them.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { registerCleanup } from './cleanup.js';
import { consulBinary, type ConsulAgent } from './consul.js';
import { freePorts } from './ports.js';
import { spawnServer } from './process.js';
import { tempDir } from './tmp.js';
import { waitFor } from './wait.js';

/** Server configuration the RPC counters need (Prometheus counters are cumulative). */
export const SERVER_TELEMETRY = { telemetry: { prometheus_retention_time: '120s', disable_hostname: true } } as const;

export interface ClientAgent {
  /** host:port of its HTTP API. */
  readonly address: string;
  api(method: string, path: string, body?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

/** Starts a client agent that joins `server`; `config` is merged into its configuration (e.g. `use_streaming_backend`). */
export async function startClientAgent(server: ConsulAgent, config: Readonly<Record<string, unknown>>): Promise<ClientAgent> {
  const self = (await server.api('GET', '/v1/agent/self')) as { DebugConfig?: { SerfPortLAN?: number } };
  const serfLan = self.DebugConfig?.SerfPortLAN;
  if (!serfLan) throw new Error('the server did not tell its serf LAN port (/v1/agent/self DebugConfig.SerfPortLAN)');
  const dir = await tempDir('ctmpl-consul-client-');
  const [http, serf] = (await freePorts(2)) as [number, number];
  const file = join(dir, 'client.json');
  await writeFile(file, JSON.stringify(config));
  const proc = spawnServer(consulBinary(), [
    'agent', '-bind', '127.0.0.1', '-client', '127.0.0.1', '-node', `client-${http}`, '-data-dir', join(dir, 'data'),
    '-http-port', String(http), '-dns-port', '-1', '-grpc-port', '-1', '-serf-lan-port', String(serf),
    '-retry-join', `127.0.0.1:${serfLan}`, '-config-file', file, '-log-level', 'warn',
  ]);
  registerCleanup(() => proc.stop('SIGKILL'));
  const address = `127.0.0.1:${http}`;
  const api = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`http://${address}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  };
  await waitFor(
    async () => {
      if (!proc.running) throw new Error(`consul client agent exited: ${proc.output()}`);
      const leader = await api('GET', '/v1/status/leader').catch(() => '');
      return typeof leader === 'string' && leader !== '';
    },
    { timeoutMs: 30_000, what: `the client agent at ${address} to join the server` },
  );
  return { address, api, stop: async () => void (await proc.stop('SIGTERM')) };
}

/** The servers' RPC counters: net/rpc requests (reads, blocking queries, writes) and gRPC streams opened by agents. */
export interface ServerRpcs {
  readonly rpc: number;
  readonly streams: number;
}

/** Reads the server's cumulative counters (Prometheus text format). */
export async function serverRpcs(server: ConsulAgent): Promise<ServerRpcs> {
  const res = await fetch(`http://${server.address}/v1/agent/metrics?format=prometheus`);
  const text = await res.text();
  let rpc = 0;
  let streams = 0;
  for (const line of text.split('\n')) {
    const [name, value] = line.split(' ');
    if (name === undefined || value === undefined) continue;
    if (name === 'consul_rpc_request') rpc += Number(value);
    // Agents' streams to the server; in-process ones are the server's own.
    else if (name.startsWith('consul_grpc_server_stream_count{') && !name.includes('in-process')) streams += Number(value);
  }
  return { rpc, streams };
}

export function rpcsSince(before: ServerRpcs, after: ServerRpcs): ServerRpcs {
  return { rpc: after.rpc - before.rpc, streams: after.streams - before.streams };
}
