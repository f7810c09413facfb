/**
 * Scenario 5, --once: 100 services × 10 instances in a real Consul; each tool renders the nginx
 * upstream template over all of them (`services`, then `service` of each: 101 queries, Consul's
 * own `consul` service included) with `--once` / `-once`. Wall time from spawn to exit,
 * BENCH_ONCE_RUNS (default 10) runs each after one warm-up, interleaved; medians. `node -e 0` is
 * timed alongside as the floor of any Node program. BENCH_ONCE_SERVICES changes the catalog (100).
 *
 *   npm run bench:once
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { registerCatalog, startConsul } from '../test/support/consul.js';
import { tempDir } from '../test/support/tmp.js';
import { isMain, middle, progress, round } from './common.js';
import { countUpstreams, scaleInstances, UPSTREAMS } from './scale.js';
import { BENCH_AGENT_CONFIG, byColumn, comparison, consulTemplateTool, ctmplTools, readOrEmpty, runOnce, type ScenarioReport, type Tool } from './tools.js';

const SERVICES = Number(process.env.BENCH_ONCE_SERVICES ?? 100);
const PER_SERVICE = 10;
const RUNS = Number(process.env.BENCH_ONCE_RUNS ?? 10);

/** Wall time of `node -e 0` (the floor of any Node program) or of `ctmpl --version`, under one Node. */
export function timeCommand(node: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(node, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve(performance.now() - started));
  });
}

export async function runOnceScenario(): Promise<ScenarioReport> {
  const startedAt = performance.now();
  const tools = [...ctmplTools(), consulTemplateTool()];
  const agent = await startConsul({ config: BENCH_AGENT_CONFIG });
  try {
    await registerCatalog(agent, scaleInstances(SERVICES, PER_SERVICE));
    const dir = await tempDir('ctmpl-bench-once-');
    const templates = new Map(tools.map((t) => [t, t.writeTemplate(dir, `up-${t.kind}`, UPSTREAMS)]));
    const times = new Map<Tool, number[]>(tools.map((t) => [t, []]));
    const ctmpls = tools.filter((t) => t.kind === 'ctmpl');
    /** Per ctmpl tool: `node -e 0` and `ctmpl --version` under its Node, timed alongside. */
    const bare = new Map<Tool, number[]>(ctmpls.map((t) => [t, []]));
    const version = new Map<Tool, number[]>(ctmpls.map((t) => [t, []]));
    const expected = { upstreams: SERVICES + 1, servers: SERVICES * PER_SERVICE + 1 };
    const outputs = new Map<Tool, string>();
    progress(`once: ${SERVICES} services × ${PER_SERVICE}; ${RUNS} runs each after a warm-up…`);
    for (let pass = 0; pass <= RUNS; pass++) {
      for (const tool of pass % 2 === 0 ? tools : [...tools].reverse()) {
        const out = join(dir, `${tool.kind}.conf`);
        rmSync(out, { force: true });
        const ms = await runOnce(tool, { consulAddr: agent.address, template: templates.get(tool) ?? '', destination: out, wait: '0' });
        const text = readOrEmpty(out);
        const got = countUpstreams(text);
        if (got.upstreams !== expected.upstreams || got.servers !== expected.servers) throw new Error(`${tool.label} --once wrote ${got.upstreams} upstreams and ${got.servers} servers, not ${expected.upstreams} and ${expected.servers}`);
        outputs.set(tool, text);
        if (pass > 0) times.get(tool)?.push(ms);
      }
      for (const tool of ctmpls) {
        const node = tool.node?.path ?? process.execPath;
        const b = await timeCommand(node, ['-e', '0']);
        const v = await timeCommand(node, [tool.bin ?? '', '--version']);
        if (pass > 0) {
          bare.get(tool)?.push(b);
          version.get(tool)?.push(v);
        }
      }
    }
    const texts = [...outputs.values()];
    const identical = texts.every((t) => t === texts[0]);
    const stat = (f: (v: number[]) => number, of: (t: Tool) => number[] | undefined): Record<string, number | string> => byColumn(tools, tools.map((t) => (of(t) ? round(f(of(t) ?? []), 0) : '–')));
    const wall = stat(middle, (t) => times.get(t));
    const title = `--once — ${SERVICES} services × ${PER_SERVICE} instances (${SERVICES + 1} queries), ${RUNS} runs each, interleaved`;
    const details = [
      `### ${title}`,
      '',
      comparison(
        ['measure'],
        [
          { lead: ['wall time, median (ms)'], values: wall },
          { lead: ['min (ms)'], values: stat((v) => Math.min(...v), (t) => times.get(t)) },
          { lead: ['max (ms)'], values: stat((v) => Math.max(...v), (t) => times.get(t)) },
          { lead: ['`ctmpl --version`, median (ms)'], values: stat(middle, (t) => version.get(t)) },
          { lead: ['`node -e 0` (the floor), median (ms)'], values: stat(middle, (t) => bare.get(t)) },
        ],
        tools.map((t) => t.column),
      ),
      '',
      `Both files identical: ${identical ? 'yes' : 'NO'}.`,
    ].join('\n');
    const versionOverBare = byColumn(ctmpls, ctmpls.map((t) => round(middle(version.get(t) ?? []) / middle(bare.get(t) ?? []), 2)));
    return {
      key: 'once',
      title,
      details,
      summary: [
        { scenario: '5 --once', measure: `wall time over ${SERVICES} services, median (ms)`, values: wall },
        { scenario: '5 --once', measure: '`--version` ÷ `node -e 0` (same Node; target ≤ 1.3)', values: { ...versionOverBare, 'consul-template': '–' } },
      ],
      seconds: round((performance.now() - startedAt) / 1000, 1),
      data: {
        services: SERVICES,
        perService: PER_SERVICE,
        runs: RUNS,
        identicalOutput: identical,
        times: Object.fromEntries(tools.map((t) => [t.label, times.get(t)?.map((x) => round(x, 1))])),
        versionMs: Object.fromEntries(ctmpls.map((t) => [t.label, version.get(t)?.map((x) => round(x, 1))])),
        bareNodeMs: Object.fromEntries(ctmpls.map((t) => [t.label, bare.get(t)?.map((x) => round(x, 1))])),
        medianMs: wall,
      },
    };
  } finally {
    await agent.stop();
  }
}

if (isMain(import.meta.url)) {
  const report = await runOnceScenario();
  console.log(`${report.details}\n\n(${report.seconds} s)`);
  console.log(JSON.stringify({ bench: report.key, node: process.version, ...(report.data as object) }));
}
