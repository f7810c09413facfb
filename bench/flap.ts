/**
 * Flap protection, end to end on the static catalog: one instance of ten flaps (up/down, changing
 * at two of three 100 ms ticks) for 30 s, the catalog file rewritten at each tick, with wait 1s:5s;
 * first without flap damping, then with the default (5 changes in 30 s). Prints renders, writes
 * and command runs of each.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Config } from '../src/config/schema.js';
import type { FlapSpec } from '../src/feed/guards/flap.js';
import { Runner } from '../src/runner.js';
import { markdownTable } from './common.js';

const FLIP_MS = 100;
const DURATION_MS = Number(process.env.BENCH_FLAP_SECONDS ?? 30) * 1000;

function catalog(withTenth: boolean): string {
  const rows = Array.from({ length: withTenth ? 10 : 9 }, (_, i) => `    - { id: web-${i + 1}, address: 10.0.0.${i + 1}, port: 80 }`);
  return `services:\n  web:\n${rows.join('\n')}\n`;
}

async function scenario(flap: FlapSpec | undefined): Promise<{ renders: number; writes: number; commandRuns: number; changes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'ctmpl-bench-flap-'));
  try {
    const catalogPath = join(dir, 'catalog.yaml');
    writeFileSync(catalogPath, catalog(true));
    writeFileSync(join(dir, 'up.hbs'), '{{#each (service "web")}}server {{Address}}:{{Port}};\n{{/each}}');
    const config: Config = {
      sources: [{ name: 'file', registry: 'file', settings: { path: catalogPath }, description: `file:${catalogPath}` }],
      templates: [{ source: join(dir, 'up.hbs'), destination: join(dir, 'up.conf'), command: undefined, wait: undefined, perms: undefined, backup: false, sandbox: dir }],
      command: 'true',
      commandTimeoutMs: 10_000,
      wait: { minMs: 1000, maxMs: 5000 },
      once: false,
      dry: false,
      logLevel: 'silent',
      guards: { allowlist: { cidrs: [], tags: [], dcs: [] }, maxRemovalPct: 20, holdMaxMs: 300_000, flap, services: {} },
      splayMs: 0,
      reloadRetry: { firstMs: 10_000, maxMs: 300_000 },
      minReloadIntervalMs: 0,
      logFormat: undefined,
      listen: undefined,
      healthFailingAfterMs: 60_000,
      healthGraceMs: 30_000,
      relaxedSources: [],
      envAllow: undefined,
      exec: undefined,
      dedup: undefined,
      probes: { services: {} },
      probeConcurrency: 64,
      partials: undefined,
    };
    const runner = new Runner({ config, logger: pino({ level: 'silent' }) });
    await runner.start();
    await new Promise((r) => setTimeout(r, 500));
    const before = { ...runner.stats };
    let changes = 0;
    const end = Date.now() + DURATION_MS;
    // A fixed pseudo-random up/down sequence: a strictly alternating one would always be in the
    // same state at each 5 s render and hide every write.
    let seed = 42;
    let present = true;
    while (Date.now() < end) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const next: boolean = (seed >> 16) % 3 !== 0 ? !present : present;
      if (next !== present) changes += 1;
      present = next;
      writeFileSync(catalogPath, catalog(present));
      await new Promise((r) => setTimeout(r, FLIP_MS));
    }
    const after = { ...runner.stats };
    await runner.stop();
    return { renders: after.renders - before.renders, writes: after.writes - before.writes, commandRuns: after.commandRuns - before.commandRuns, changes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const undamped = await scenario(undefined);
const damped = await scenario({ changes: 5, windowMs: 30_000, dampedWaitMs: 30_000 });
console.log(`\nFlap: one of 10 instances flapping (a change at 2 of 3 ticks of ${FLIP_MS} ms) for ${DURATION_MS / 1000} s, wait 1s:5s\n`);
console.log(
  markdownTable(
    ['', 'catalog changes', 'renders', 'writes', 'command runs'],
    [
      ['no damping', undamped.changes, undamped.renders, undamped.writes, undamped.commandRuns],
      ['damping 5/30s', damped.changes, damped.renders, damped.writes, damped.commandRuns],
    ],
  ),
);
console.log(JSON.stringify({ bench: 'flap', flipMs: FLIP_MS, durationMs: DURATION_MS, undamped, damped }));
