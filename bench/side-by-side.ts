/**
 * `npm run bench`: ctmpl and consul-template side by side on real Consul dev agents, five
 * scenarios (each also runs alone: npm run bench:latency | bench:scale | bench:render |
 * bench:flap | bench:once). Prints each scenario's table, then the summary table, then one JSON
 * line with every figure. Progress goes to stderr.
 *
 * The pinned consul and consul-template come from test/support/obtain-tools.sh, as in the tests:
 * cached binaries are used at once; on a fresh machine they are built first through the Go module
 * proxy (consul takes several minutes; that time is printed and is not part of the benchmark).
 * CONSUL_BIN / CONSUL_TEMPLATE_BIN use given binaries instead.
 *
 * BENCH_ONLY=latency,scale,render,flap,once picks scenarios. Durations and counts: see each
 * scenario's header (BENCH_IDLE_SECONDS, BENCH_SCALE_RUNS, BENCH_LATENCY_CHANGES, …).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { obtainTool } from '../test/support/programs.js';
import { markdownTable, progress, ROOT, round } from './common.js';
import { runFlap } from './flap-consul.js';
import { runLatency } from './latency.js';
import { runOnceScenario } from './once-consul.js';
import { runRender } from './render-10k.js';
import { runScale } from './scale.js';
import { SUMMARY_HEADER, summaryCells, type ScenarioReport } from './tools.js';

const SCENARIOS: Record<string, () => Promise<ScenarioReport>> = {
  latency: runLatency,
  scale: runScale,
  render: runRender,
  flap: runFlap,
  once: runOnceScenario,
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
  const obtainS = round((performance.now() - t0) / 1000, 1);
  const versions = {
    node: process.version,
    consul: version(consul, ['version']),
    consulTemplate: version(consulTemplate, ['-v']),
    ctmpl: version(process.execPath, [join(ROOT, 'dist/src/bin.js'), '--version']),
  };
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', loadAverageAtStart: loadavg().map((l) => round(l, 2)) };
  progress(`tools ready in ${obtainS} s: ${versions.consul}; ${versions.consulTemplate}; ctmpl ${versions.ctmpl}; ${machine.cpus} CPUs, load ${machine.loadAverageAtStart.join(' ')}`);

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

  console.log(`### Summary — ctmpl ${versions.ctmpl} vs ${versions.consulTemplate}, ${versions.consul}, node ${versions.node}, ${machine.cpus} CPUs\n`);
  console.log(markdownTable([...SUMMARY_HEADER], summaryCells(reports.flatMap((r) => r.summary)), 2));
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
