/**
 * What the Consul benchmark needs outside vitest: a real Consul dev agent on free loopback ports
 * (the pinned binary from test/support/obtain-tools.sh), child processes that are always killed
 * (normal end, exception, Ctrl-C), and a counting HTTP proxy.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './common.js';

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
const servers = new Set<Server>();

/** Kills every child still running and removes temp dirs; synchronous, so it also works on 'exit'. */
function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  for (const server of servers) server.close();
  servers.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

/** A temp dir removed at exit. */
export function benchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Starts a child that is SIGKILLed if the benchmark ends without stopping it. */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** `signal` (SIGTERM), then SIGKILL after `graceMs`; resolves once the child has exited. */
export async function stopChild(child: ChildProcess, graceMs = 5000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** A tool path from obtain-tools.sh (which builds it once if needed), or from the env variable. */
export function obtainTool(tool: 'consul' | 'consul-template'): string {
  const env = tool === 'consul' ? process.env.CONSUL_BIN : process.env.CONSUL_TEMPLATE_BIN;
  if (env) return env;
  const result = spawnSync('bash', [join(ROOT, 'test/support/obtain-tools.sh'), tool], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const path = result.stdout.trim().split('\n').pop();
  if (result.status !== 0 || !path) throw new Error(`obtain-tools.sh ${tool} failed (exit ${String(result.status)})`);
  return path;
}

export interface ConsulAgent {
  /** host:port of the HTTP API. */
  readonly address: string;
  readonly port: number;
  api(method: string, path: string, body?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Agent configuration for the side-by-side benchmarks. Both tools hold one HTTP connection per
 * blocking query (Node's agent and Go's transport alike open as many as there are queries in
 * flight); Consul refuses more than `limits.http_max_conns_per_client` (200 by default) from one
 * address, so watching 1,000 services needs it raised, as consul-template's users do.
 */
export const BENCH_AGENT_CONFIG = { limits: { http_max_conns_per_client: 5000 } } as const;

/** A Consul dev agent (server, leader of itself) on free loopback ports; `config` goes into its config file. */
export async function startConsulAgent(config: object = {}): Promise<ConsulAgent> {
  const binary = obtainTool('consul');
  const dir = benchDir('ctmpl-bench-consul-');
  const [http, dns, server, serfLan, serfWan, grpc, grpcTls] = (await freePorts(7)) as [number, number, number, number, number, number, number];
  writeFileSync(join(dir, 'agent.json'), JSON.stringify(config));
  const args = [
    'agent', '-dev', '-bind', '127.0.0.1', '-client', '127.0.0.1', '-node', `ctmpl-bench-${http}`,
    '-http-port', String(http), '-dns-port', String(dns), '-server-port', String(server),
    '-serf-lan-port', String(serfLan), '-serf-wan-port', String(serfWan), '-grpc-port', String(grpc),
    '-grpc-tls-port', String(grpcTls), '-data-dir', join(dir, 'data'), '-config-file', join(dir, 'agent.json'), '-log-level', 'warn',
  ];
  const child = track(spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const address = `127.0.0.1:${http}`;

  const api = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`http://${address}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`consul exited (${child.exitCode}): ${output}`);
    const leader = await api('GET', '/v1/status/leader').catch(() => '');
    if (typeof leader === 'string' && leader !== '') break;
    if (Date.now() > deadline) throw new Error(`Consul at ${address} elected no leader in 30 s: ${output}`);
    await sleep(100);
  }
  return { address, port: http, api, stop: () => stopChild(child) };
}

/** One service instance to put in the catalog (on an external node, no checks: it is passing). */
export interface CatalogInstance {
  readonly node: string;
  readonly nodeAddress: string;
  readonly id: string;
  readonly service: string;
  readonly address: string;
  readonly port: number;
  readonly tags?: readonly string[];
}

/**
 * Registers instances straight into the catalog through `/v1/txn` (128 operations per
 * transaction, the API's limit), `parallel` transactions at a time: 10,000 instances take a few
 * seconds where one agent registration per instance would take minutes.
 */
export async function registerCatalog(agent: ConsulAgent, instances: readonly CatalogInstance[], parallel = 4): Promise<void> {
  const ops: unknown[] = [];
  const nodes = new Map<string, string>();
  for (const i of instances) nodes.set(i.node, i.nodeAddress);
  for (const [node, address] of nodes) ops.push({ Node: { Verb: 'set', Node: { Node: node, Address: address } } });
  for (const i of instances) {
    ops.push({ Service: { Verb: 'set', Node: i.node, Service: { ID: i.id, Service: i.service, Address: i.address, Port: i.port, Tags: i.tags ?? [] } } });
  }
  // Nodes first: a service op on a node the same transaction has not created yet fails.
  const nodeOps = ops.slice(0, nodes.size);
  const serviceOps = ops.slice(nodes.size);
  const batches = (list: unknown[]): unknown[][] => Array.from({ length: Math.ceil(list.length / 128) }, (_, b) => list.slice(b * 128, (b + 1) * 128));
  const run = async (list: unknown[][]): Promise<void> => {
    let next = 0;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < list.length) {
          const batch = list[next++];
          if (batch) await agent.api('PUT', '/v1/txn', batch);
        }
      }),
    );
  };
  await run(batches(nodeOps));
  await run(batches(serviceOps));
}

const CLOCK_TICKS = ((): number => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(out.stdout.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** Resident memory (MiB) and CPU seconds used so far (user + system) of a live process, from /proc. */
export function processUsage(pid: number): { rssMiB: number; peakRssMiB: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
  const rssKiB = kib('VmRSS');
  // Fields after the command name (which may contain spaces, hence from the last ')').
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), i.e. 11 and 12 after the name; in clock ticks (100/s on Linux).
  const ticks = Number(fields[11]) + Number(fields[12]);
  const mib = (k: number): number => Math.round((k / 1024) * 10) / 10;
  return { rssMiB: mib(rssKiB), peakRssMiB: mib(kib('VmHWM')), cpuSeconds: ticks / CLOCK_TICKS };
}

export interface CountingProxy {
  /** host:port to give the client instead of Consul's. */
  readonly address: string;
  /** Requests received so far, by path (without the query). */
  readonly byPath: Map<string, number>;
  total(): number;
  reset(): void;
  close(): Promise<void>;
}

/** A loopback HTTP proxy that forwards everything to `target` (host:port) and counts requests. */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const [host, portText] = target.split(':') as [string, string];
  const upstream = new Agent({ keepAlive: true });
  const byPath = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    byPath.set(path, (byPath.get(path) ?? 0) + 1);
    const up = request({ host, port: Number(portText), method: req.method, path: req.url, headers: req.headers, agent: upstream }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    up.on('error', () => res.destroy());
    // A client that gives up on a blocking query ends the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  });
  // Blocking queries keep connections busy for a minute; idle ones must not be cut under the client.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  servers.add(server);
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    byPath,
    total: () => [...byPath.values()].reduce((a, b) => a + b, 0),
    reset: () => byPath.clear(),
    close: async () => {
      servers.delete(server);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      upstream.destroy();
      await closed;
    },
  };
}
