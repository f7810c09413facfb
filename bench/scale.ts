/**
 * Scenario 2, scale: 1,000 services × 10 instances in one real Consul dev agent; each tool
 * watches all of them through one nginx upstream template (`services`, then `service` of each:
 * 1,001 blocking queries, Consul's own `consul` service included). Measured per run, one tool at
 * a time, each behind its own counting loopback proxy:
 * - time from spawn to the first complete file (every upstream with all its servers);
 * - RSS after BENCH_SETTLE_SECONDS (default 5) of calm, at the end of the idle window, and the peak;
 * - CPU seconds (user + system, /proc) over BENCH_IDLE_SECONDS (default 60) with no change;
 * - HTTP requests the proxy forwarded to Consul in that window, per minute.
 * BENCH_SCALE_RUNS (default 3) runs per tool, alternating which goes first; medians reported.
 * BENCH_SCALE_SERVICES / BENCH_SCALE_INSTANCES change the catalog (1000 / 10).
 *
 *   npm run bench:scale
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { registerCatalog, startConsul, type CatalogRegistration, type ConsulAgent } from '../test/support/consul.js';
import { startCountingProxy } from '../test/support/counting-proxy.js';
import { tempDir } from '../test/support/tmp.js';
import { address, isMain, middle, progress, round } from './common.js';
import { processUsage } from './process-usage.js';
import { BENCH_AGENT_CONFIG, byColumn, comparison, consulTemplateTool, ctmplTools, FileWatch, readOrEmpty, sleep, startDaemon, stopDaemon, type ScenarioReport, type TemplatePair, type Tool } from './tools.js';

const SERVICES = Number(process.env.BENCH_SCALE_SERVICES ?? 1000);
const PER_SERVICE = Number(process.env.BENCH_SCALE_INSTANCES ?? 10);
const RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 3);
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 5);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const FIRST_RENDER_TIMEOUT_MS = 300_000;

export const UPSTREAMS: TemplatePair = {
  hbs: '{{#each (services)}}upstream {{Name}} {\n{{#each (service Name)}}  server {{Address}}:{{Port}};\n{{/each}} }\n{{/each}}',
  go: '{{range services}}upstream {{.Name}} {\n{{range service .Name}}  server {{.Address}}:{{.Port}};\n{{end}} }\n{{end}}',
};

export function scaleInstances(services: number, perService: number, prefix = 'svc'): CatalogRegistration[] {
  const out: CatalogRegistration[] = [];
  const nodes = Math.min(100, Math.max(perService, 1) * 10);
  for (let s = 0; s < services; s++) {
    const name = `${prefix}-${String(s).padStart(4, '0')}`;
    for (let k = 0; k < perService; k++) {
      const n = (s * perService + k) % nodes;
      out.push({
        node: `node-${String(n).padStart(3, '0')}`,
        nodeAddress: `10.255.${n >> 8}.${(n & 255) + 1}`,
        id: `${name}-${k}`,
        service: name,
        address: address(s * perService + k),
        port: 8000 + (k % 1000),
        tags: ['v1'],
      });
    }
  }
  return out;
}

/** Counts upstreams and server lines of the rendered file. */
export function countUpstreams(text: string): { upstreams: number; servers: number } {
  let upstreams = 0;
  let servers = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('upstream ')) upstreams++;
    else if (line.startsWith('  server ')) servers++;
  }
  return { upstreams, servers };
}

interface ScaleRun {
  firstRenderS: number;
  cpuToFirstRenderS: number;
  rssMiB: number;
  /** Of the RSS: anonymous pages (heaps, stacks) and file-backed pages (the binary's code). */
  anonMiB: number;
  fileMiB: number;
  peakRssMiB: number;
  /** RSS at the end of the idle window: after a wave of blocking queries and V8's or Go's own clean-ups. */
  idleEndRssMiB: number;
  idleCpuS: number;
  idleRequests: number;
  requestsPerMinute: number;
  /** Requests sent until the first complete render. */
  startRequests: number;
}

async function runOne(tool: Tool, agent: ConsulAgent, expected: { upstreams: number; servers: number }): Promise<ScaleRun & { output: string }> {
  const dir = await tempDir('ctmpl-bench-scale-');
  const template = tool.writeTemplate(dir, 'upstreams', UPSTREAMS);
  const out = join(dir, 'upstreams.conf');
  const watch = new FileWatch(out);
  const proxy = await startCountingProxy(agent.address);
  const started = performance.now();
  const child = startDaemon(tool, { consulAddr: proxy.address, template, destination: out, wait: '0' });
  try {
    const complete = (text: string): boolean => {
      const c = countUpstreams(text);
      return c.upstreams === expected.upstreams && c.servers === expected.servers;
    };
    const done = await watch.until(complete, FIRST_RENDER_TIMEOUT_MS, child);
    const pid = child.pid ?? 0;
    const atRender = processUsage(pid);
    const startRequests = proxy.count();
    await sleep(SETTLE_SECONDS * 1000);
    const settled = processUsage(pid);
    proxy.reset();
    await sleep(IDLE_SECONDS * 1000);
    const after = processUsage(pid);
    const idleRequests = proxy.count();
    return {
      firstRenderS: round((done - started) / 1000, 2),
      cpuToFirstRenderS: round(atRender.cpuSeconds, 2),
      rssMiB: settled.rssMiB,
      anonMiB: settled.anonMiB,
      fileMiB: settled.fileMiB,
      peakRssMiB: after.peakRssMiB,
      idleEndRssMiB: after.rssMiB,
      idleCpuS: round(after.cpuSeconds - settled.cpuSeconds, 2),
      idleRequests,
      requestsPerMinute: round((idleRequests / IDLE_SECONDS) * 60, 1),
      startRequests,
      output: readOrEmpty(out),
    };
  } finally {
    watch.close();
    await stopDaemon(tool, child);
    await proxy.close();
  }
}

interface ToolSummary {
  tool: string;
  runs: ScaleRun[];
  median: ScaleRun;
}

function medianRun(runs: readonly ScaleRun[]): ScaleRun {
  const m = (f: (r: ScaleRun) => number): number => round(middle(runs.map(f)), 2);
  return {
    firstRenderS: m((r) => r.firstRenderS),
    cpuToFirstRenderS: m((r) => r.cpuToFirstRenderS),
    rssMiB: m((r) => r.rssMiB),
    anonMiB: m((r) => r.anonMiB),
    fileMiB: m((r) => r.fileMiB),
    peakRssMiB: m((r) => r.peakRssMiB),
    idleEndRssMiB: m((r) => r.idleEndRssMiB),
    idleCpuS: m((r) => r.idleCpuS),
    idleRequests: m((r) => r.idleRequests),
    requestsPerMinute: m((r) => r.requestsPerMinute),
    startRequests: m((r) => r.startRequests),
  };
}

export async function runScale(): Promise<ScenarioReport> {
  const startedAt = performance.now();
  const tools = [...ctmplTools(), consulTemplateTool()];
  const agent = await startConsul({ config: BENCH_AGENT_CONFIG });
  try {
    const t0 = performance.now();
    await registerCatalog(agent, scaleInstances(SERVICES, PER_SERVICE));
    const registerS = round((performance.now() - t0) / 1000, 1);
    progress(`scale: ${SERVICES} × ${PER_SERVICE} registered in ${registerS} s`);
    // Consul's own `consul` service (one passing instance) is in the catalog too.
    const expected = { upstreams: SERVICES + 1, servers: SERVICES * PER_SERVICE + 1 };
    const runs = new Map<Tool, ScaleRun[]>(tools.map((t) => [t, []]));
    const outputs = new Map<Tool, string>();
    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 === 0 ? tools : [...tools].reverse();
      for (const tool of order) {
        progress(`scale: run ${run + 1}/${RUNS}, ${tool.label}: first render, ${SETTLE_SECONDS} s settle, ${IDLE_SECONDS} s idle…`);
        const { output, ...result } = await runOne(tool, agent, expected);
        progress(`scale:   first render ${result.firstRenderS} s, RSS ${result.rssMiB} MiB, idle CPU ${result.idleCpuS} s, ${result.idleRequests} requests`);
        runs.get(tool)?.push(result);
        outputs.set(tool, output);
      }
    }
    const texts = [...outputs.values()];
    const identical = texts.length === tools.length && texts.every((t) => t === texts[0]);
    if (!identical) progress('scale: WARNING: the two tools rendered different text');
    const summaries: ToolSummary[] = tools.map((t) => ({ tool: t.label, runs: runs.get(t) ?? [], median: medianRun(runs.get(t) ?? []) }));
    const rows: [string, keyof ScaleRun][] = [
      ['time to first complete render (s)', 'firstRenderS'],
      ['CPU used until then (s)', 'cpuToFirstRenderS'],
      [`RSS after ${SETTLE_SECONDS} s settle (MiB)`, 'rssMiB'],
      ['  of which anonymous: heaps, stacks (MiB)', 'anonMiB'],
      ["  of which file-backed: the binary's code (MiB)", 'fileMiB'],
      ['peak RSS (MiB)', 'peakRssMiB'],
      [`RSS at the end of the ${IDLE_SECONDS} s idle (MiB)`, 'idleEndRssMiB'],
      [`CPU over ${IDLE_SECONDS} s idle (s)`, 'idleCpuS'],
      ['HTTP requests to Consul per minute, idle', 'requestsPerMinute'],
      ['HTTP requests until the first render', 'startRequests'],
    ];
    const values = (key: keyof ScaleRun): Record<string, number | string> => byColumn(tools, summaries.map((m) => m.median[key]));
    const title = `Scale — ${SERVICES.toLocaleString('en-US')} services × ${PER_SERVICE} instances (${(SERVICES * PER_SERVICE).toLocaleString('en-US')}), one template, ${RUNS} runs each, medians`;
    const details = [
      `### ${title}`,
      '',
      comparison(['measure'], rows.map(([label, key]) => ({ lead: [label], values: values(key) })), tools.map((t) => t.column)),
      '',
      `All files identical: ${identical ? 'yes' : 'NO'}.`,
    ].join('\n');
    const pick = (key: keyof ScaleRun, label: string): ScenarioReport['summary'][number] => ({ scenario: '2 scale', measure: label, values: values(key) });
    return {
      key: 'scale',
      title,
      details,
      summary: [
        pick('firstRenderS', 'first complete render (s)'),
        pick('rssMiB', 'RSS after settling (MiB)'),
        pick('anonMiB', 'of that RSS, anonymous memory (MiB)'),
        pick('idleEndRssMiB', `RSS after the ${IDLE_SECONDS} s idle (MiB)`),
        pick('idleCpuS', `CPU over ${IDLE_SECONDS} s idle (s)`),
        pick('requestsPerMinute', 'Consul HTTP requests / min, idle'),
      ],
      seconds: round((performance.now() - startedAt) / 1000, 1),
      data: { identicalOutput: identical, services: SERVICES, perService: PER_SERVICE, runs: RUNS, settleSeconds: SETTLE_SECONDS, idleSeconds: IDLE_SECONDS, registerSeconds: registerS, expected, tools: summaries },
    };
  } finally {
    await agent.stop();
  }
}

if (isMain(import.meta.url)) {
  const report = await runScale();
  console.log(`${report.details}\n\n(${report.seconds} s)`);
  console.log(JSON.stringify({ bench: report.key, node: process.version, ...(report.data as object) }));
}
