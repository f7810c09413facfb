/**
 * What a catalog change costs the clients of a real haproxy, per 100 changes: failed requests and
 * haproxy reloads, with ctmpl in reload mode (the template's command reloads haproxy on every
 * change, as consul-template does) and in runtime mode (the template's `haproxy` key: server
 * changes through haproxy's Runtime API, reloads only when needed). Issue 22. Prints a Markdown
 * table and one JSON line; asserts nothing; progress goes to stderr.
 *
 *   npm run bench:haproxy          (or, after a build: node dist/bench/haproxy.js)
 *
 *   BENCH_HAPROXY_CHANGES  catalog changes per run and mode (default 100)
 *   BENCH_HAPROXY_RUNS     runs of each mode, alternating which goes first (default 3)
 *   BENCH_HAPROXY_CLIENTS  keep-alive clients sending GETs back to back (default 8)
 *
 * Everything is real and local: Debian's haproxy in master-worker mode on a free loopback port,
 * four HTTP backends, a static catalog file (service `web`) rewritten for each change, the
 * shipped haproxy-runtime template, and ctmpl (`dist/src/bin.js`, `wait: 0`, guards off) with a
 * check (`haproxy -c`) and `kill -USR2 <master>` as its reload command. The changes cycle through
 * what a catalog does: an instance added (weight 1-3), removed, moved to another address and back.
 * Each change waits for ctmpl to act on it (Runtime API applied, or the reload command run and a
 * new haproxy worker answering), then for 50 more requests, before the next one. A request failed
 * when it got no 200 (reset, closed connection, 3 s timeout, 5xx). Reloads are counted on the
 * haproxy side (a new worker PID after a change); ctmpl's own reload-command count is in the JSON.
 * A fresh haproxy and ctmpl per run and mode; all stopped at the end, even on failure.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { startBackends, type Backend } from '../test/support/backends.js';
import { HAPROXY } from '../test/support/checkers.js';
import { editFile } from '../test/support/ctmpl.js';
import { startKeepAliveLoad } from '../test/support/haproxy.js';
import { waitFor } from '../test/support/wait.js';
import { markdownTable, median, progress, round } from './common.js';
import { catalogText } from '../test/support/haproxy-ctmpl.js';
import { BIN, startRig, type Entry, type Mode } from './haproxy-rig.js';

const CHANGES = Number(process.env.BENCH_HAPROXY_CHANGES ?? 100);
const RUNS = Number(process.env.BENCH_HAPROXY_RUNS ?? 3);
const CLIENTS = Number(process.env.BENCH_HAPROXY_CLIENTS ?? 8);
/** Requests completed after each change before the next one, so clients use the new state. */
const SETTLE_REQUESTS = 50;
const WARM_UP_REQUESTS = 100;

const LABEL: Record<Mode, string> = { reload: 'reload mode (command: kill -USR2)', runtime: 'runtime mode (haproxy key)' };

/** Catalog state after change `i` (-1: the start). Consecutive states always differ. */
function stateAt(i: number, [b1, b2, b3, b4]: readonly Backend[]): Entry[] {
  const [one, two, three, four] = [b1, b2, b3, b4] as [Backend, Backend, Backend, Backend];
  const base: Entry[] = [{ id: 'b2', backend: two, weight: 1 }];
  if (i < 0 || i % 2 === 1) return [{ id: 'b1', backend: one, weight: 1 }, ...base];
  return [{ id: 'b1', backend: i % 4 === 0 ? one : four, weight: 1 }, ...base, { id: 'b3', backend: three, weight: 1 + (i % 3) }];
}

interface RunFigures {
  readonly changes: number;
  readonly requests: number;
  readonly failed: number;
  /** Failed requests by what they got: an error code, or the HTTP status. */
  readonly failures: Record<string, number>;
  /** New haproxy workers seen after the changes. */
  readonly reloads: number;
  readonly reloadCommands: number;
  readonly runtimeApplied: number;
  readonly runtimeFellBackToReload: number;
  readonly runtimeCommands: number;
  readonly connections: number;
  readonly ctmplErrors: number;
  /** Catalog file written → change applied (or reloaded and a new worker answering), per change. */
  readonly actMs: number[];
}

async function measure(mode: Mode, backends: readonly Backend[]): Promise<RunFigures> {
  const rig = await startRig(mode, stateAt(-1, backends));
  const { haproxy, ctmpl } = rig;
  const counts = ctmpl.counts;
  const load = startKeepAliveLoad(haproxy.url, { concurrency: CLIENTS, pauseMs: 0, host: 'web', maxMs: CHANGES * 10_000 + 60_000 });
  try {
    await waitFor(() => load.records.length >= WARM_UP_REQUESTS, { timeoutMs: 15_000, what: 'requests through haproxy before the first change' });
    const settle = async (requests: number, what: string): Promise<void> => {
      const from = load.records.length;
      await waitFor(() => load.records.length >= from + requests, { timeoutMs: 15_000, intervalMs: 5, what });
    };
    const before = { ...counts };
    let worker = await haproxy.workerPid();
    let reloads = 0;
    const actMs: number[] = [];
    const started = performance.now();
    for (let i = 0; i < CHANGES; i++) {
      const acted = counts.applied + counts.reloadCommands;
      const reloadCommands = counts.reloadCommands;
      const t0 = performance.now();
      await editFile(rig.catalog, catalogText({ web: stateAt(i, backends) }));
      await ctmpl.waitFor(() => counts.applied + counts.reloadCommands > acted, `change ${i} to be applied or reloaded`);
      const previous = worker;
      worker =
        counts.reloadCommands > reloadCommands
          ? await waitFor(async () => {
              const pid = await haproxy.workerPid();
              return pid !== previous ? pid : undefined;
            }, { timeoutMs: 10_000, intervalMs: 5, what: `a new haproxy worker after change ${i}` })
          : await haproxy.workerPid();
      if (worker !== previous) reloads += 1;
      actMs.push(performance.now() - t0);
      await settle(SETTLE_REQUESTS, `requests after change ${i}`);
      if ((i + 1) % 25 === 0) progress(`  ${mode}: ${i + 1}/${CHANGES} changes, ${load.failures().filter((r) => r.startedAt >= started).length} failed requests so far`);
    }
    await settle(4 * SETTLE_REQUESTS, 'requests after the last change');
    await load.stop();
    const measured = load.records.filter((r) => r.startedAt >= started);
    const failed = load.failures().filter((r) => r.startedAt >= started);
    const failures: Record<string, number> = {};
    for (const r of failed) {
      const kind = r.error ?? `HTTP ${String(r.status)}`;
      failures[kind] = (failures[kind] ?? 0) + 1;
    }
    return {
      changes: CHANGES,
      requests: measured.length,
      failed: failed.length,
      failures,
      reloads,
      reloadCommands: counts.reloadCommands - before.reloadCommands,
      runtimeApplied: counts.applied - before.applied,
      runtimeFellBackToReload: counts.fellBack - before.fellBack,
      runtimeCommands: counts.runtimeCommands - before.runtimeCommands,
      connections: load.connections(),
      ctmplErrors: counts.errors,
      actMs,
    };
  } finally {
    await load.stop();
    await rig.stop();
  }
}

const per100 = (n: number, changes: number): number => round((100 * n) / changes, 1);

interface Summary {
  readonly changes: number;
  readonly requests: number;
  readonly failed: number;
  readonly failedPer100Changes: number;
  readonly reloads: number;
  readonly reloadsPer100Changes: number;
  readonly runtimeCommands: number;
  readonly medianActMs: number;
  readonly perRun: readonly Record<string, unknown>[];
}

/** A mode's runs together: totals over all its changes, and each run's figures. */
function summary(runs: readonly RunFigures[]): Summary {
  const sum = (pick: (r: RunFigures) => number): number => runs.reduce((total, r) => total + pick(r), 0);
  const changes = sum((r) => r.changes);
  return {
    changes,
    requests: sum((r) => r.requests),
    failed: sum((r) => r.failed),
    failedPer100Changes: per100(sum((r) => r.failed), changes),
    reloads: sum((r) => r.reloads),
    reloadsPer100Changes: per100(sum((r) => r.reloads), changes),
    runtimeCommands: sum((r) => r.runtimeCommands),
    medianActMs: round(median(runs.flatMap((r) => r.actMs)), 1),
    perRun: runs.map(({ actMs, ...rest }) => ({ ...rest, failedPer100Changes: per100(rest.failed, rest.changes), medianActMs: round(median(actMs), 1) })),
  };
}

async function main(): Promise<void> {
  if (!existsSync(BIN)) throw new Error(`${BIN} does not exist: run \`npm run build\` first`);
  const version = execFileSync(HAPROXY, ['-v'], { encoding: 'utf8' }).split('\n')[0] ?? 'haproxy';
  progress(`${version}; ${CHANGES} changes × ${RUNS} run(s) per mode, ${CLIENTS} keep-alive clients`);
  const backends = await startBackends(['b1', 'b2', 'b3', 'b4']);
  const results: Record<Mode, RunFigures[]> = { reload: [], runtime: [] };
  for (let run = 0; run < RUNS; run++) {
    const order: Mode[] = run % 2 === 0 ? ['reload', 'runtime'] : ['runtime', 'reload'];
    for (const mode of order) {
      progress(`run ${run + 1}/${RUNS}: ${LABEL[mode]}`);
      const figures = await measure(mode, backends);
      progress(`  ${figures.failed} failed of ${figures.requests} requests, ${figures.reloads} reloads, ${figures.runtimeCommands} runtime commands`);
      results[mode].push(figures);
    }
  }
  const rows = (['reload', 'runtime'] as const).map((mode) => {
    const runs = results[mode];
    const s = summary(runs);
    const each = runs.map((r) => per100(r.failed, r.changes)).join(', ');
    return [LABEL[mode], s.changes, s.requests, s.failed, s.failedPer100Changes, each, s.reloads, s.reloadsPer100Changes, mode === 'runtime' ? s.runtimeCommands : '–', s.medianActMs];
  });
  console.log(`${version}; ${RUNS} run(s) of ${CHANGES} changes per mode; ${CLIENTS} keep-alive clients\n`);
  console.log(markdownTable(['mode', 'changes', 'requests sent', 'failed requests', 'failed per 100 changes', 'each run', 'reloads', 'reloads per 100 changes', 'runtime commands', 'median ms per change'], rows));
  console.log(JSON.stringify({ bench: 'haproxy', haproxy: version, changes: CHANGES, runs: RUNS, clients: CLIENTS, results: { reload: summary(results.reload), runtime: summary(results.runtime) } }));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
