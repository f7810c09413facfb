/**
 * Scenario 4, flapping: service `flap` has 10 instances; the TTL check of one of them flips
 * pass/fail every 100 ms (plus 0-30 ms of seeded jitter, so renders do not always catch the same
 * phase) for BENCH_FLAP_SECONDS (default 30); then the instance passes for good, and counting goes
 * on until every file shows all 10 instances again (at most BENCH_FLAP_SETTLE_SECONDS, default
 * 40: damping holds a flapping service for up to its window) and BENCH_FLAP_TAIL_SECONDS (default
 * 3) more. The daemons watch the same flapping at once, each with `wait 1s:5s` and a command
 * that appends a line to a file:
 * - ctmpl with its defaults (flap damping 5 changes / 30 s, removal guard 20 %), under each Node,
 * - ctmpl --flap off (no damping: the plain quiescence, as consul-template), under each Node,
 * - consul-template -wait 1s:5s.
 * Counted from the end of the first render: destination replacements (renders that wrote a
 * file; both tools skip a write when the text is unchanged) and command runs.
 * BENCH_FLAP_RUNS (default 3) runs; medians.
 *
 *   npm run bench:flap
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startConsul, type ConsulAgent } from '../test/support/consul.js';
import { tempDir } from '../test/support/tmp.js';
import { isMain, markdownTable, middle, progress, round } from './common.js';
import { consulTemplateTool, CONSUL_TEMPLATE_COLUMN, ctmplTools, FileWatch, readOrEmpty, sleep, startDaemon, stopDaemon, type ScenarioReport, type TemplatePair, type Tool } from './tools.js';

const SECONDS = Number(process.env.BENCH_FLAP_SECONDS ?? 30);
const TAIL_SECONDS = Number(process.env.BENCH_FLAP_TAIL_SECONDS ?? 3);
const SETTLE_SECONDS = Number(process.env.BENCH_FLAP_SETTLE_SECONDS ?? 40);
const RUNS = Number(process.env.BENCH_FLAP_RUNS ?? 3);
const FLIP_MS = 100;
const JITTER_MS = 30;
const INSTANCES = 10;
const CHECK = 'ttl-flap-10';

const FLAP: TemplatePair = {
  hbs: 'upstream flap {\n{{#each (service "flap")}}  server {{Address}}:{{Port}};\n{{/each}} }\n',
  go: 'upstream flap {\n{{range service "flap"}}  server {{.Address}}:{{.Port}};\n{{end}} }\n',
};

interface Counts {
  writes: number;
  commandRuns: number;
  /** Seconds from the last change until the file showed the final state (null: not within the limit). */
  settledS: number | null;
}

function lines(path: string): number {
  try {
    return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').length;
  } catch {
    return 0;
  }
}

async function runOnce(tools: readonly Tool[], agent: ConsulAgent, seed: number): Promise<{ changes: number; counts: Counts[] }> {
  await agent.api('PUT', `/v1/agent/check/pass/${CHECK}`);
  const dir = await tempDir('ctmpl-bench-flap-');
  const running = tools.map((tool, i) => {
    const out = join(dir, `flap-${i}.conf`);
    const runs = join(dir, `flap-${i}.runs`);
    const watch = new FileWatch(out);
    const child = startDaemon(tool, { consulAddr: agent.address, template: tool.writeTemplate(dir, `flap-${i}`, FLAP), destination: out, command: `echo run >> ${runs}`, wait: '1s:5s' });
    return { tool, out, runs, watch, child };
  });
  try {
    const all = (text: string): boolean => text.split('\n').filter((l) => l.startsWith('  server ')).length === INSTANCES;
    for (const r of running) await r.watch.until(all, 30_000, r.child);
    // Let the first command run finish before counting.
    await sleep(1500);
    const before = running.map((r) => ({ writes: r.watch.replaced, commandRuns: lines(r.runs) }));
    let changes = 0;
    let passing = true;
    let rand = seed;
    const started = performance.now();
    for (let tick = 1; performance.now() - started < SECONDS * 1000; tick++) {
      passing = !passing;
      await agent.api('PUT', `/v1/agent/check/${passing ? 'pass' : 'fail'}/${CHECK}`);
      changes++;
      rand = (rand * 1103515245 + 12345) % 2 ** 31;
      const due = started + tick * FLIP_MS + ((rand >> 8) % (JITTER_MS + 1));
      await sleep(Math.max(0, due - performance.now()));
    }
    await agent.api('PUT', `/v1/agent/check/pass/${CHECK}`);
    const calmFrom = performance.now();
    const settled = await Promise.all(
      running.map(async (r) => {
        try {
          return round(((await r.watch.until(all, SETTLE_SECONDS * 1000, r.child)) - calmFrom) / 1000, 1);
        } catch {
          return null;
        }
      }),
    );
    await sleep(TAIL_SECONDS * 1000);
    const counts = running.map((r, i) => ({ writes: r.watch.replaced - (before[i]?.writes ?? 0), commandRuns: lines(r.runs) - (before[i]?.commandRuns ?? 0), settledS: settled[i] ?? null }));
    for (const r of running) if (readOrEmpty(r.out) === '') throw new Error(`${r.tool.label} left no file`);
    return { changes, counts };
  } finally {
    for (const r of running) r.watch.close();
    await Promise.all(running.map((r) => stopDaemon(r.tool, r.child)));
  }
}

export async function runFlap(): Promise<ScenarioReport> {
  const startedAt = performance.now();
  const damped = ctmplTools([], '(defaults: flap damping 5/30s)');
  const undamped = ctmplTools(['--flap', 'off']);
  const tools = [...damped, ...undamped, consulTemplateTool()];
  const agent = await startConsul();
  try {
    for (let i = 1; i <= INSTANCES; i++) {
      const check = i === INSTANCES ? { Check: { CheckID: CHECK, TTL: '10m' } } : {};
      await agent.api('PUT', '/v1/agent/service/register', { ID: `flap-${i}`, Name: 'flap', Address: `10.0.1.${i}`, Port: 80, ...check });
    }
    const perRun: { changes: number; counts: Counts[] }[] = [];
    for (let run = 0; run < RUNS; run++) {
      progress(`flap: run ${run + 1}/${RUNS}: ${SECONDS} s of flapping + ${TAIL_SECONDS} s, ${tools.length} daemons at once…`);
      const result = await runOnce(tools, agent, 42 + run);
      perRun.push(result);
      progress(`flap:   ${result.changes} changes; ${tools.map((t, i) => `${t.label}: ${result.counts[i]?.writes} writes, ${result.counts[i]?.commandRuns} runs`).join('; ')}`);
    }
    const med = (i: number, key: keyof Counts): number => round(middle(perRun.map((r) => r.counts[i]?.[key] ?? Number.NaN)), 1);
    const settledText = (i: number): string => {
      const values = perRun.map((r) => r.counts[i]?.settledS);
      return values.some((v) => v === null || v === undefined) ? `not within ${SETTLE_SECONDS} s` : String(round(middle(values as number[]), 1));
    };
    const changes = round(middle(perRun.map((r) => r.changes)), 0);
    const ct = tools.length - 1;
    const title = `Flapping — one of ${INSTANCES} instances flipping every ${FLIP_MS} ms for ${SECONDS} s, wait 1s:5s, ${RUNS} runs, medians`;
    const details = [
      `### ${title}`,
      '',
      markdownTable(
        ['tool', 'catalog changes', 'files written (renders that changed the file)', 'command runs', 'final state on disk after the last change (s)'],
        tools.map((t, i) => [t.label, changes, med(i, 'writes'), med(i, 'commandRuns'), settledText(i)]),
      ),
    ].join('\n');
    /** One summary line: the figure of each ctmpl variant of one kind, by column, and consul-template's. */
    const line = (variants: readonly Tool[], key: keyof Counts, measure: string): ScenarioReport['summary'][number] => ({
      scenario: '4 flapping',
      measure,
      values: { ...Object.fromEntries(variants.map((t) => [t.column, med(tools.indexOf(t), key)])), [CONSUL_TEMPLATE_COLUMN]: med(ct, key) },
    });
    return {
      key: 'flap',
      title,
      details,
      summary: [
        line(damped, 'writes', 'files written, ctmpl defaults (damping on)'),
        line(damped, 'commandRuns', 'command runs, ctmpl defaults (damping on)'),
        line(undamped, 'writes', 'files written, ctmpl --flap off'),
        line(undamped, 'commandRuns', 'command runs, ctmpl --flap off'),
      ],
      seconds: round((performance.now() - startedAt) / 1000, 1),
      data: { seconds: SECONDS, tailSeconds: TAIL_SECONDS, settleSeconds: SETTLE_SECONDS, flipMs: FLIP_MS, runs: perRun.map((r) => ({ changes: r.changes, counts: Object.fromEntries(tools.map((t, i) => [t.label, r.counts[i]])) })) },
    };
  } finally {
    await agent.stop();
  }
}

if (isMain(import.meta.url)) {
  const report = await runFlap();
  console.log(`${report.details}\n\n(${report.seconds} s)`);
  console.log(JSON.stringify({ bench: report.key, node: process.version, ...(report.data as object) }));
}
