/**
 * Scenario 1, latency: each tool (wait 0) renders one service of two instances; the second
 * instance's TTL check is flipped fail/pass BENCH_LATENCY_CHANGES times per tool (default 200),
 * BENCH_FLIP_GAP_MS apart (default 250: more than the ~100-150 ms both tools keep between two
 * requests of one query, so every flip finds the blocking query waiting and is measured alone).
 * A sample: from the check's PUT being sent to the destination showing the new state (seen
 * through inotify on the destination's directory: both tools replace the file by a rename).
 * The changes are split into BENCH_LATENCY_ROUNDS (default 2) rounds per tool, alternating the
 * tools, each round a fresh process; the samples of all rounds are pooled.
 *
 *   npm run bench:latency
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startConsul, type ConsulAgent } from '../test/support/consul.js';
import { tempDir } from '../test/support/tmp.js';
import { isMain, median, progress, quantile, round } from './common.js';
import { byColumn, comparison, consulTemplateTool, ctmplTools, FileWatch, sleep, startDaemon, stopDaemon, type ScenarioReport, type TemplatePair, type Tool } from './tools.js';

const CHANGES = Number(process.env.BENCH_LATENCY_CHANGES ?? 200);
const ROUNDS = Math.max(1, Number(process.env.BENCH_LATENCY_ROUNDS ?? 2));
const GAP_MS = Number(process.env.BENCH_FLIP_GAP_MS ?? 250);
const FLIP_TIMEOUT_MS = 15_000;
const CHECK = 'ttl-web-2';

const WEB: TemplatePair = {
  hbs: 'upstream web {\n{{#each (service "web")}}  server {{Address}}:{{Port}};\n{{/each}} }\n',
  go: 'upstream web {\n{{range service "web"}}  server {{.Address}}:{{.Port}};\n{{end}} }\n',
};

export interface LatencyStats {
  samples: number;
  minMs: number;
  medianMs: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function latencyStats(samples: readonly number[]): LatencyStats {
  return {
    samples: samples.length,
    minMs: round(Math.min(...samples), 1),
    medianMs: round(median(samples), 1),
    p90Ms: round(quantile(samples, 0.9), 1),
    p99Ms: round(quantile(samples, 0.99), 1),
    maxMs: round(Math.max(...samples), 1),
  };
}

async function round1(tool: Tool, agent: ConsulAgent, changes: number): Promise<number[]> {
  const dir = await tempDir('ctmpl-bench-latency-');
  const template = tool.writeTemplate(dir, 'web', WEB);
  const out = join(dir, 'web.conf');
  await agent.api('PUT', `/v1/agent/check/pass/${CHECK}`);
  const watch = new FileWatch(out);
  const child = startDaemon(tool, { consulAddr: agent.address, template, destination: out, wait: '0' });
  const both = (text: string): boolean => text.includes('10.0.0.1:8080;') && text.includes('10.0.0.2:8080;');
  const onlyFirst = (text: string): boolean => text.includes('10.0.0.1:8080;') && !text.includes('10.0.0.2:8080;');
  try {
    await watch.until(both, 30_000, child);
    await sleep(1000);
    const samples: number[] = [];
    for (let i = 0; i < changes; i++) {
      const fail = i % 2 === 0;
      const started = performance.now();
      await agent.api('PUT', `/v1/agent/check/${fail ? 'fail' : 'pass'}/${CHECK}`);
      const seen = await watch.until(fail ? onlyFirst : both, FLIP_TIMEOUT_MS, child);
      samples.push(seen - started);
      await sleep(GAP_MS);
    }
    return samples;
  } finally {
    watch.close();
    await stopDaemon(tool, child);
  }
}

export async function runLatency(): Promise<ScenarioReport> {
  const startedAt = performance.now();
  const tools = [...ctmplTools(), consulTemplateTool()];
  const agent = await startConsul();
  try {
    await agent.api('PUT', '/v1/agent/service/register', { ID: 'web-1', Name: 'web', Address: '10.0.0.1', Port: 8080 });
    await agent.api('PUT', '/v1/agent/service/register', { ID: 'web-2', Name: 'web', Address: '10.0.0.2', Port: 8080, Check: { CheckID: CHECK, TTL: '10m' } });
    const samples = new Map<Tool, number[]>(tools.map((t) => [t, []]));
    const perRound = Math.ceil(CHANGES / ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? tools : [...tools].reverse();
      for (const tool of order) {
        const n = Math.min(perRound, CHANGES - (samples.get(tool)?.length ?? 0));
        if (n <= 0) continue;
        progress(`latency: round ${r + 1}/${ROUNDS}, ${tool.label}: ${n} flips ${GAP_MS} ms apart…`);
        const got = await round1(tool, agent, n);
        samples.get(tool)?.push(...got);
        progress(`latency:   median ${round(median(got), 1)} ms`);
      }
    }
    const stats = tools.map((t) => ({ tool: t.label, ...latencyStats(samples.get(t) ?? []) }));
    const title = `Latency — TTL check flip → destination replaced, wait 0, ${CHANGES} changes per tool`;
    const keys: [string, keyof LatencyStats][] = [
      ['median (ms)', 'medianMs'],
      ['p90 (ms)', 'p90Ms'],
      ['p99 (ms)', 'p99Ms'],
      ['min (ms)', 'minMs'],
      ['max (ms)', 'maxMs'],
    ];
    const columns = tools.map((t) => t.column);
    const row = (k: keyof LatencyStats): Record<string, number | string> => byColumn(tools, stats.map((s) => s[k]));
    const details = [`### ${title}`, '', comparison(['measure'], keys.map(([label, k]) => ({ lead: [label], values: row(k) })), columns)].join('\n');
    return {
      key: 'latency',
      title,
      details,
      summary: keys.slice(0, 3).map(([label, k]) => ({ scenario: '1 latency', measure: `flip → file, ${label}`, values: row(k) })),
      seconds: round((performance.now() - startedAt) / 1000, 1),
      data: { changes: CHANGES, rounds: ROUNDS, gapMs: GAP_MS, tools: stats },
    };
  } finally {
    await agent.stop();
  }
}

if (isMain(import.meta.url)) {
  const report = await runLatency();
  console.log(`${report.details}\n\n(${report.seconds} s)`);
  console.log(JSON.stringify({ bench: report.key, node: process.version, ...(report.data as object) }));
}
