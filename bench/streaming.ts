/**
 * Scenario 6, load on Consul's servers: one server and one client agent, as in production.
 * BENCH_STREAM_SERVICES (100) services of two instances: one on the client agent's node, one on
 * another node. Each tool watches all of them through the client agent with the nginx upstream
 * template: a hundred watches. Then a check of the client agent's node flips
 * BENCH_STREAM_CHANGES (30) times: each change removes (or brings back) an instance of every
 * service, so every watch has something new; each change is waited for in the file. Counted on
 * the server (its cumulative Prometheus counters): net/rpc requests (reads, blocking queries,
 * the agent's own syncs) and gRPC streams agents opened (streaming subscriptions), from the
 * tool's start to its first complete render, and during the changes. The same with the client
 * agent's streaming backend on (Consul's default since 1.10) and off (`use_streaming_backend =
 * false`); each tool gets a fresh client agent (an agent keeps its streaming views for the next
 * reader). What the agent costs the server on its own, with no tool, is shown for reference.
 *
 *   npm run build && node dist/bench/streaming.js
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startConsul, type ConsulAgent } from '../test/support/consul.js';
import { tempDir } from '../test/support/tmp.js';
import { startClientAgent, rpcsSince, serverRpcs, SERVER_TELEMETRY, type ClientAgent, type ServerRpcs } from '../test/support/consul-client-agent.js';
import { isMain, markdownTable, middle, progress, round } from './common.js';
import { countUpstreams, UPSTREAMS } from './scale.js';
import { BENCH_AGENT_CONFIG, byColumn, comparison, consulTemplateTool, ctmplTools, FileWatch, readOrEmpty, sleep, startDaemon, stopDaemon, type ScenarioReport, type Tool } from './tools.js';

const SERVICES = Number(process.env.BENCH_STREAM_SERVICES ?? 100);
const CHANGES = Number(process.env.BENCH_STREAM_CHANGES ?? 30);
const GAP_MS = 300;
const NODE_CHECK = 'node-flip';
const OTHER_NODE = 'stream-other';

const serviceName = (s: number): string => `str-${String(s).padStart(3, '0')}`;

interface Costs {
  readonly start: ServerRpcs;
  readonly changes: ServerRpcs;
  readonly changesMs: number;
  /** The agent's own RPCs over as long as the changes took, before the tool started. */
  readonly baseline: ServerRpcs;
  readonly output: string;
}

/** The second instance of every service, on a node of its own (straight into the catalog, passing). */
async function registerOtherNode(server: ConsulAgent): Promise<void> {
  for (let s = 0; s < SERVICES; s++) {
    await server.api('PUT', '/v1/catalog/register', { Node: OTHER_NODE, Address: '10.8.255.254', Service: { ID: `${serviceName(s)}-b`, Service: serviceName(s), Address: `10.8.${s >> 8}.${(s & 255) + 1}`, Port: 8080 } });
  }
}

/** The first instance of every service on the client agent's node, and the node check that flips. */
async function registerOnAgent(client: ClientAgent): Promise<void> {
  await client.api('PUT', '/v1/agent/check/register', { ID: NODE_CHECK, Name: 'node check that flips', TTL: '10m' });
  await client.api('PUT', `/v1/agent/check/pass/${NODE_CHECK}`);
  for (let s = 0; s < SERVICES; s++) {
    await client.api('PUT', '/v1/agent/service/register', { ID: `${serviceName(s)}-a`, Name: serviceName(s), Address: `10.9.${s >> 8}.${(s & 255) + 1}`, Port: 8080 });
  }
}

/** Polls the server until `done` holds for its view of the catalog (the agent's anti-entropy is asynchronous). */
async function serverSees(server: ConsulAgent, done: (first: number, last: number) => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const first = (await server.api('GET', `/v1/health/service/${serviceName(0)}?passing=1`)) as unknown[];
    const last = (await server.api('GET', `/v1/health/service/${serviceName(SERVICES - 1)}?passing=1`)) as unknown[];
    if (done(first.length, last.length)) return;
    if (performance.now() > deadline) throw new Error(`the server did not see ${what} within 60 s`);
    await sleep(200);
  }
}

async function runTool(tool: Tool, server: ConsulAgent, streaming: boolean): Promise<Costs> {
  const client = await startClientAgent(server, { use_streaming_backend: streaming, ...BENCH_AGENT_CONFIG });
  const dir = await tempDir('ctmpl-bench-stream-');
  const out = join(dir, 'upstreams.conf');
  const watch = new FileWatch(out);
  // Consul's own `consul` service is in the catalog too.
  const all = (text: string): boolean => {
    const c = countUpstreams(text);
    return c.upstreams === SERVICES + 1 && c.servers === 2 * SERVICES + 1;
  };
  const half = (text: string): boolean => {
    const c = countUpstreams(text);
    return c.upstreams === SERVICES + 1 && c.servers === SERVICES + 1;
  };
  let child: ReturnType<typeof startDaemon> | undefined;
  try {
    await registerOnAgent(client);
    await serverSees(server, (first, last) => first === 2 && last === 2, 'the client agent\'s services');
    const b0 = await serverRpcs(server);
    await sleep(CHANGES * GAP_MS);
    const baseline = rpcsSince(b0, await serverRpcs(server));
    const t0 = await serverRpcs(server);
    child = startDaemon(tool, { consulAddr: client.address, template: tool.writeTemplate(dir, 'upstreams', UPSTREAMS), destination: out, wait: '0' });
    await watch.until(all, 60_000, child);
    // Let every watch settle into its blocking read before counting the changes.
    await sleep(1000);
    const t1 = await serverRpcs(server);
    const started = performance.now();
    for (let i = 0; i < CHANGES; i++) {
      const fail = i % 2 === 0;
      await client.api('PUT', `/v1/agent/check/${fail ? 'fail' : 'pass'}/${NODE_CHECK}`);
      await watch.until(fail ? half : all, 15_000, child);
      await sleep(GAP_MS);
    }
    const changesMs = performance.now() - started;
    const t2 = await serverRpcs(server);
    return { start: rpcsSince(t0, t1), changes: rpcsSince(t1, t2), changesMs, baseline, output: readOrEmpty(out) };
  } finally {
    watch.close();
    if (child) await stopDaemon(tool, child);
    await client.stop();
    // A client agent that leaves takes its node's services out of the catalog: wait for that.
    await serverSees(server, (first, last) => first === 1 && last === 1, 'the client agent leave');
  }
}

export async function runStreaming(): Promise<ScenarioReport> {
  const startedAt = performance.now();
  const tools = [...ctmplTools(), consulTemplateTool()];
  const server = await startConsul({ config: { ...SERVER_TELEMETRY, ...BENCH_AGENT_CONFIG } });
  try {
    await registerOtherNode(server);
    const runs: { streaming: boolean; costs: Map<Tool, Costs> }[] = [];
    for (const streaming of [true, false]) {
      const costs = new Map<Tool, Costs>();
      for (const tool of tools) {
        progress(`streaming: backend ${streaming ? 'streaming' : 'blocking queries'}, ${tool.label}: fresh client agent, first render, ${CHANGES} changes…`);
        const c = await runTool(tool, server, streaming);
        progress(`streaming:   ${c.start.rpc} RPCs + ${c.start.streams} streams to the first render; ${c.changes.rpc} RPCs + ${c.changes.streams} streams for ${CHANGES} changes (agent alone: ${c.baseline.rpc + c.baseline.streams})`);
        costs.set(tool, c);
      }
      runs.push({ streaming, costs });
    }
    const outputs = runs.flatMap((r) => [...r.costs.values()].map((c) => c.output));
    const identical = outputs.every((o) => o === outputs[0]);
    const total = (s: ServerRpcs): number => s.rpc + s.streams;
    const columns = tools.map((t) => t.column);
    const name = (streaming: boolean): string => (streaming ? 'streaming' : 'blocking queries (use_streaming_backend = false)');
    const cost = (r: (typeof runs)[number], f: (c: Costs) => number): Record<string, number | string> => byColumn(tools, tools.map((t) => { const c = r.costs.get(t); return c ? f(c) : '–'; }));
    const rows = runs.flatMap((r) => [
      { lead: [name(r.streaming), 'until the first render'], values: cost(r, (c) => total(c.start)) },
      { lead: [name(r.streaming), '…of which streams opened'], values: cost(r, (c) => c.start.streams) },
      { lead: [name(r.streaming), `for ${CHANGES} changes`], values: cost(r, (c) => total(c.changes)) },
    ]);
    const baselines = runs.map((r) => [name(r.streaming), round(middle([...r.costs.values()].map((c) => total(c.baseline))), 0)] as [string, number]);
    const title = `Consul server load — ${SERVICES} services watched through a client agent, ${CHANGES} changes that touch every one`;
    const details = [
      `### ${title}`,
      '',
      comparison(['client agent backend', 'server RPCs (net/rpc requests + gRPC streams opened)'], rows, columns),
      '',
      markdownTable(['client agent backend', `the agent on its own, no tool (${round((CHANGES * GAP_MS) / 1000, 1)} s), median`], baselines),
      '',
      `All files identical: ${identical ? 'yes' : 'NO'}.`,
    ].join('\n');
    return {
      key: 'streaming',
      title,
      details,
      summary: runs.map((r) => ({ scenario: '6 server load', measure: `server RPCs, ${CHANGES} changes × ${SERVICES} watches, ${r.streaming ? 'streaming' : 'streaming off'}`, values: cost(r, (c) => total(c.changes)) })),
      seconds: round((performance.now() - startedAt) / 1000, 1),
      data: {
        services: SERVICES,
        changes: CHANGES,
        identicalOutput: identical,
        runs: runs.map((r) => ({ streaming: r.streaming, tools: Object.fromEntries([...r.costs].map(([t, c]) => [t.label, { start: c.start, changes: c.changes, changesMs: round(c.changesMs, 0), baseline: c.baseline }])) })),
      },
    };
  } finally {
    await server.stop();
  }
}

if (isMain(import.meta.url)) {
  const report = await runStreaming();
  console.log(`${report.details}\n\n(${report.seconds} s)`);
  console.log(JSON.stringify({ bench: report.key, node: process.version, ...(report.data as object) }));
}
