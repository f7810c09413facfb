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
import { isMain, markdownTable, middle, progress, ratio, round } from './common.js';
import { countUpstreams, scaleInstances, UPSTREAMS } from './scale.js';
import { BENCH_AGENT_CONFIG, consulTemplateTool, ctmplTool, readOrEmpty, runOnce, type ScenarioReport, type Tool } from './tools.js';

const SERVICES = Number(process.env.BENCH_ONCE_SERVICES ?? 100);
const PER_SERVICE = 10;
const RUNS = Number(process.env.BENCH_ONCE_RUNS ?? 10);

function bareNode(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve(performance.now() - started));
  });
}

export async function runOnceScenario(): Promise<ScenarioReport> {
  const startedAt = performance.now();
  const tools = [ctmplTool(), consulTemplateTool()];
  const agent = await startConsul({ config: BENCH_AGENT_CONFIG });
  try {
    await registerCatalog(agent, scaleInstances(SERVICES, PER_SERVICE));
    const dir = await tempDir('ctmpl-bench-once-');
    const templates = new Map(tools.map((t) => [t, t.writeTemplate(dir, `up-${t.kind}`, UPSTREAMS)]));
    const times = new Map<Tool, number[]>(tools.map((t) => [t, []]));
    const bare: number[] = [];
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
      const b = await bareNode();
      if (pass > 0) bare.push(b);
    }
    const texts = [...outputs.values()];
    const identical = texts.every((t) => t === texts[0]);
    const med = tools.map((t) => round(middle(times.get(t) ?? []), 0));
    const [c, g] = med as [number, number];
    const mins = tools.map((t) => round(Math.min(...(times.get(t) ?? [])), 0));
    const maxs = tools.map((t) => round(Math.max(...(times.get(t) ?? [])), 0));
    const title = `--once — ${SERVICES} services × ${PER_SERVICE} instances (${SERVICES + 1} queries), ${RUNS} runs each, interleaved`;
    const details = [
      `### ${title}`,
      '',
      markdownTable(
        ['measure', tools[0]?.label ?? '', tools[1]?.label ?? '', 'ctmpl / c-t'],
        [
          ['wall time, median (ms)', c, g, ratio(c, g)],
          ['min (ms)', mins[0] ?? '', mins[1] ?? '', ratio(mins[0], mins[1])],
          ['max (ms)', maxs[0] ?? '', maxs[1] ?? '', ratio(maxs[0], maxs[1])],
        ],
      ),
      '',
      `\`node -e 0\` alone: ${round(middle(bare), 0)} ms (median). Both files identical: ${identical ? 'yes' : 'NO'}.`,
    ].join('\n');
    return {
      key: 'once',
      title,
      details,
      summary: [{ scenario: '5 --once', measure: `wall time over ${SERVICES} services, median (ms)`, ctmpl: c, consulTemplate: g, ratio: ratio(c, g) }],
      seconds: round((performance.now() - startedAt) / 1000, 1),
      data: {
        services: SERVICES,
        perService: PER_SERVICE,
        runs: RUNS,
        identicalOutput: identical,
        bareNodeMedianMs: round(middle(bare), 1),
        times: Object.fromEntries(tools.map((t) => [t.label, times.get(t)?.map((x) => round(x, 1))])),
        medianMs: { ctmpl: c, consulTemplate: g },
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
