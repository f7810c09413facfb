/**
 * `npm run bench`: ctmpl and consul-template side by side on real Consul agents, six scenarios
 * (each also runs alone: npm run bench:latency | bench:scale | bench:render | bench:flap |
 * bench:once | bench:streaming). ctmpl runs under each Node of bench/node-versions.ts (the
 * machine's and Node 24 LTS): a column per version. Prints each scenario's table, then the
 * summary table, then one JSON line with every figure. Progress goes to stderr.
 *
 * The pinned consul and consul-template come from test/support/obtain-tools.sh, as in the tests:
 * cached binaries are used at once; on a fresh machine they are built first through the Go module
 * proxy (consul takes several minutes; that time is printed and is not part of the benchmark).
 * CONSUL_BIN / CONSUL_TEMPLATE_BIN use given binaries instead.
 *
 * BENCH_ONLY=latency,scale,render,flap,once,streaming picks scenarios. BENCH_NODES picks the Node
 * binaries, BENCH_CTMPL_BUILDS adds other builds (a before/after in one run). Durations and
 * counts: see each scenario's header (BENCH_IDLE_SECONDS, BENCH_SCALE_RUNS, …).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { obtainTool } from '../test/support/programs.js';
import { progress, round } from './common.js';
import { runFlap } from './flap-consul.js';
import { runLatency } from './latency.js';
import { benchNodes } from './node-versions.js';
import { runOnceScenario } from './once-consul.js';
import { runRender } from './render-10k.js';
import { runScale } from './scale.js';
import { runStreaming } from './streaming.js';
import { comparison, ctmplBuilds, summaryColumns, type ScenarioReport } from './tools.js';

const SCENARIOS: Record<string, () => Promise<ScenarioReport>> = {
  latency: runLatency,
  scale: runScale,
  render: runRender,
  flap: runFlap,
  once: runOnceScenario,
  streaming: runStreaming,
};

function version(binary: string, args: string[]): string {
  const out = spawnSync(binary, args, { encoding: 'utf8' });
  return (`${out.stdout}${out.stderr}`.split('\n')[0] ?? '?').replace(/\(\s*\)/, '').trim();
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const only = (process.env.BENCH_ONLY ?? Object.keys(SCENARIOS).join(',')).split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const name of only) if (!SCENARIOS[name]) throw new Error(`unknown scenario "${name}" in BENCH_ONLY (known: ${Object.keys(SCENARIOS).join(', ')})`);

  progress('obtaining consul and consul-template (test/support/obtain-tools.sh; built once through the Go module proxy when not cached)…');
  const t0 = performance.now();
  const consul = obtainTool('consul');
  const consulTemplate = obtainTool('consul-template');
  const nodes = benchNodes();
  const versions = {
    node: nodes.map((n) => n.version),
    consul: version(consul, ['version']),
    consulTemplate: version(consulTemplate, ['-v']),
    ctmpl: Object.fromEntries(ctmplBuilds().map((b) => [b.label, version(process.execPath, [b.bin, '--version'])])),
  };
  const obtainS = round((performance.now() - t0) / 1000, 1);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', loadAverageAtStart: loadavg().map((l) => round(l, 2)) };
  const ctmplVersions = Object.entries(versions.ctmpl).map(([label, v]) => `${label} ${v}`).join(', ');
  progress(`tools ready in ${obtainS} s: ${versions.consul}; ${versions.consulTemplate}; ${ctmplVersions}; node ${versions.node.join(', ')}; ${machine.cpus} CPUs, load ${machine.loadAverageAtStart.join(' ')}`);

  const benchStarted = performance.now();
  const reports: ScenarioReport[] = [];
  for (const name of only) {
    const run = SCENARIOS[name];
    if (!run) continue;
    progress(`== ${name}`);
    const report = await run();
    progress(`== ${name} done in ${report.seconds} s`);
    reports.push(report);
    console.log(`${report.details}\n`);
  }
  const benchS = round((performance.now() - benchStarted) / 1000, 1);
  const loadAtEnd = loadavg().map((l) => round(l, 2));

  const rows = reports.flatMap((r) => r.summary);
  console.log(`### Summary — ${ctmplVersions} vs ${versions.consulTemplate}, ${versions.consul}; ctmpl under node ${versions.node.join(' and ')}; ${machine.cpus} CPUs\n`);
  console.log(comparison(['scenario', 'measure'], rows.map((r) => ({ lead: [r.scenario, r.measure], values: r.values })), summaryColumns(rows)));
  console.log(`\nctmpl / c-t below 1: ctmpl is lower (faster, smaller, fewer). Scenarios took ${benchS} s (${reports.map((r) => `${r.key} ${r.seconds} s`).join(', ')}); obtaining the tools ${obtainS} s; load average ${machine.loadAverageAtStart.join(' ')} at start, ${loadAtEnd.join(' ')} at end.`);
  console.log(
    JSON.stringify({
      bench: 'side-by-side',
      versions,
      machine: { ...machine, loadAverageAtEnd: loadAtEnd },
      obtainSeconds: obtainS,
      benchSeconds: benchS,
      totalSeconds: round((performance.now() - startedAt) / 1000, 1),
      summary: reports.flatMap((r) => r.summary),
      scenarios: Object.fromEntries(reports.map((r) => [r.key, { title: r.title, seconds: r.seconds, ...(r.data as object) }])),
    }),
  );
}

await main();
