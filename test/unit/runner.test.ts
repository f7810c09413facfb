import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Config, TemplateConfig } from '../../src/config/schema.js';
import { Runner } from '../../src/runner.js';
import { ScriptedSource } from '../support/scripted-source.js';

const silent = pino({ level: 'silent' });
const runners: Runner[] = [];

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

function workspace(templates: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctmpl-runner-'));
  for (const [name, text] of Object.entries(templates)) writeFileSync(join(dir, name), text);
  return dir;
}

function template(dir: string, name: string, over: Partial<TemplateConfig> = {}): TemplateConfig {
  return { source: join(dir, name), destination: join(dir, `${name}.out`), command: undefined, wait: undefined, perms: undefined, backup: false, sandbox: dir, ...over };
}

function config(templates: TemplateConfig[], over: Partial<Config> = {}): Config {
  return {
    sources: [{ name: 'file', registry: 'file', settings: { path: '/unused' }, description: 'file:/unused' }],
    templates,
    command: undefined,
    commandTimeoutMs: 5000,
    wait: { minMs: 0, maxMs: 0 },
    once: false,
    dry: false,
    logLevel: 'silent',
    guards: { allowlist: { cidrs: [], tags: [], dcs: [] }, maxRemovalPct: undefined, holdMaxMs: 300_000, flap: undefined, services: {} },
    splayMs: 0,
    reloadRetry: { firstMs: 200, maxMs: 300_000 },
    minReloadIntervalMs: 0,
    logFormat: undefined,
    listen: undefined,
    healthFailingAfterMs: 60_000,
    healthGraceMs: 30_000,
    relaxedSources: [],
    envAllow: undefined,
    partials: undefined,
    exec: undefined,
    dedup: undefined,
    probes: { services: {} },
    probeConcurrency: 64,
    ...over,
  };
}

function start(cfg: Config, source: ScriptedSource, dryOutput?: Writable): Runner {
  const runner = new Runner({ config: cfg, logger: silent, createSource: () => source, ...(dryOutput ? { dryOutput } : {}) });
  runners.push(runner);
  return runner;
}

/** Collects what --dry prints, as `DEST => content` entries. */
function dryCapture(): { stream: Writable; prints: string[] } {
  const prints: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      prints.push(chunk.toString());
      done();
    },
  });
  return { stream, prints };
}

async function until(check: () => boolean, deadlineMs = 3000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Lets pending setImmediate batches and microtask deliveries run (timers stay faked). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

const WEB2 = 'services:\n  web:\n    - { address: 10.0.0.1, port: 80 }\n    - { address: 10.0.0.2, port: 80 }\n';
const WEB1 = 'services:\n  web:\n    - { address: 10.0.0.1, port: 80 }\n';

describe('Runner', () => {
  it('writes once data is complete and runs the command once per batch', async () => {
    const dir = workspace({ 'a.hbs': '{{#each (service "web")}}{{Address}} {{/each}}', 'b.hbs': '{{len (service "web")}}' });
    const log = join(dir, 'commands.log');
    const source = new ScriptedSource('file', WEB2);
    const cfg = config([template(dir, 'a.hbs', { command: `echo a >> ${log}` }), template(dir, 'b.hbs', { command: `echo a >> ${log}` })], { command: `echo global >> ${log}` });
    await start(cfg, source).start();
    await until(() => existsSync(log) && readFileSync(log, 'utf8').split('\n').length === 3);
    expect(readFileSync(join(dir, 'a.hbs.out'), 'utf8')).toBe('10.0.0.1 10.0.0.2 ');
    expect(readFileSync(join(dir, 'b.hbs.out'), 'utf8')).toBe('2');
    expect(readFileSync(log, 'utf8')).toBe('a\nglobal\n');

    source.update(WEB1);
    await until(() => readFileSync(log, 'utf8') === 'a\nglobal\na\nglobal\n');
    expect(readFileSync(join(dir, 'b.hbs.out'), 'utf8')).toBe('1');
  });

  it('runs nothing when the same data arrives again', async () => {
    const dir = workspace({ 'a.hbs': '{{#each (service "web")}}{{Address}} {{/each}}' });
    const log = join(dir, 'commands.log');
    const source = new ScriptedSource('file', WEB2);
    await start(config([template(dir, 'a.hbs')], { command: `echo run >> ${log}` }), source).start();
    await until(() => existsSync(log));
    source.update(WEB2);
    // A barrier: a real change afterwards must be the only other command run.
    source.update(WEB1);
    await until(() => readFileSync(log, 'utf8').split('\n').length === 3);
    expect(readFileSync(log, 'utf8')).toBe('run\nrun\n');
  });

  it('does not rewrite a destination whose content is already right', async () => {
    const dir = workspace({ 'a.hbs': 'static' });
    writeFileSync(join(dir, 'a.hbs.out'), 'static');
    const log = join(dir, 'commands.log');
    const runner = start(config([template(dir, 'a.hbs')], { command: `echo run >> ${log}`, once: true }), new ScriptedSource('file', WEB1));
    await runner.start();
    expect(await runner.done).toBe(0);
    expect(existsSync(log)).toBe(false);
  });

  it('discovers dependencies iteratively and unwatches those no longer used', async () => {
    const dir = workspace({ 'a.hbs': '{{#each (services)}}{{Name}}={{len (service Name)}};{{/each}}' });
    const { stream, prints } = dryCapture();
    const source = new ScriptedSource('file', 'services:\n  web: []\n  db:\n    - { address: h, port: 1 }\n');
    await start(config([template(dir, 'a.hbs')], { dry: true }), source, stream).start();
    await until(() => prints.length === 1);
    expect(prints[0]).toBe(`> ${join(dir, 'a.hbs.out')}\ndb=1;web=0;\n`);
    expect([...source.watched.keys()].sort()).toEqual(['file:service(db|passing)', 'file:service(web|passing)', 'file:services()']);

    source.update('services:\n  web: []\n');
    await until(() => prints.length === 2);
    expect(prints[1]).toMatch(/\nweb=0;\n$/);
    expect(source.unwatchedIds).toEqual(['file:service(db|passing)']);
  });

  it('waits for quiescence after the first render: a burst becomes one render', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const dir = workspace({ 'a.hbs': '{{len (service "web")}}' });
    const { stream, prints } = dryCapture();
    const source = new ScriptedSource('file', WEB1);
    await start(config([template(dir, 'a.hbs')], { dry: true, wait: { minMs: 1000, maxMs: 5000 } }), source, stream).start();
    await settle();
    expect(prints).toHaveLength(1); // the first render does not wait

    source.update(WEB2);
    await vi.advanceTimersByTimeAsync(500);
    source.update(WEB1);
    await vi.advanceTimersByTimeAsync(500);
    source.update(WEB2);
    await vi.advanceTimersByTimeAsync(999);
    await settle();
    expect(prints).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(prints).toHaveLength(2);
    expect(prints[1]).toMatch(/\n2\n$/);
  });

  it('uses a template\'s own wait over the global one', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const dir = workspace({ 'a.hbs': '{{len (service "web")}}' });
    const { stream, prints } = dryCapture();
    const source = new ScriptedSource('file', WEB1);
    const cfg = config([template(dir, 'a.hbs', { wait: { minMs: 0, maxMs: 0 } })], { dry: true, wait: { minMs: 60_000, maxMs: 120_000 } });
    await start(cfg, source, stream).start();
    await settle();
    source.update(WEB2);
    await settle();
    expect(prints).toHaveLength(2);
  });

  it('--once: exits 1 when a template waits for a key the static catalog does not have', async () => {
    const dir = workspace({ 'a.hbs': 'maxconn {{key "app/maxconn"}};' });
    const runner = start(config([template(dir, 'a.hbs')], { once: true }), new ScriptedSource('file', 'kv: {}', false));
    await runner.start();
    expect(await runner.done).toBe(1);
    expect(existsSync(join(dir, 'a.hbs.out'))).toBe(false);
  });

  it('--once: exits 1 when a command fails, 0 when everything worked', async () => {
    const dir = workspace({ 'a.hbs': 'x', 'b.hbs': 'y' });
    const failing = start(config([template(dir, 'a.hbs')], { once: true, command: 'exit 7' }), new ScriptedSource('file', WEB1, false));
    await failing.start();
    expect(await failing.done).toBe(1);
    const ok = start(config([template(dir, 'b.hbs')], { once: true, command: 'true' }), new ScriptedSource('file', WEB1, false));
    await ok.start();
    expect(await ok.done).toBe(0);
  });

  it('keeps other templates going when one destination cannot be written', async () => {
    const dir = workspace({ 'a.hbs': 'a', 'b.hbs': 'b', blocker: 'a file, not a directory' });
    const runner = start(
      config([template(dir, 'a.hbs', { destination: join(dir, 'blocker', 'a.out') }), template(dir, 'b.hbs')], { once: true }),
      new ScriptedSource('file', WEB1, false),
    );
    await runner.start();
    expect(await runner.done).toBe(1);
    expect(readFileSync(join(dir, 'b.hbs.out'), 'utf8')).toBe('b');
  });

  it('keeps the last good file when a render fails at run time', async () => {
    const dir = workspace({ 'a.hbs': '{{#each (service "web")}}{{add Port Meta.weight}}{{/each}}' });
    writeFileSync(join(dir, 'a.hbs.out'), 'last good');
    const runner = start(config([template(dir, 'a.hbs')], { once: true }), new ScriptedSource('file', WEB1, false));
    await runner.start();
    expect(await runner.done).toBe(1);
    expect(readFileSync(join(dir, 'a.hbs.out'), 'utf8')).toBe('last good');
  });
});

describe('Runner protection', () => {
  const TEN = (present: (n: number) => boolean) =>
    `services:\n  web:\n${Array.from({ length: 10 }, (_, i) => i + 1)
      .filter(present)
      .map((n) => `    - { id: web-${n}, address: 10.0.0.${n}, port: 80 }\n`)
      .join('')}`;

  /** One instance of ten flips every 100 ms for 30 s; returns how many renders that gave. */
  async function flapRenders(flap: Config['guards']['flap']): Promise<{ renders: number; prints: number }> {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const dir = workspace({ 'a.hbs': '{{#each (service "web")}}{{ID}} {{/each}}' });
    const { stream, prints } = dryCapture();
    const source = new ScriptedSource('file', TEN(() => true));
    const guards = { allowlist: { cidrs: [], tags: [], dcs: [] }, maxRemovalPct: 20, holdMaxMs: 300_000, flap, services: {} };
    const runner = start(config([template(dir, 'a.hbs')], { dry: true, wait: { minMs: 1000, maxMs: 5000 }, guards }), source, stream);
    await runner.start();
    await settle();
    expect(prints).toHaveLength(1);
    for (let step = 1; step <= 300; step++) {
      source.update(TEN((n) => n !== 10 || step % 2 === 0));
      await vi.advanceTimersByTimeAsync(100);
      await settle();
    }
    return { renders: runner.stats.renders, prints: prints.length };
  }

  it('a 0/1 flap every 100 ms for 30 s with wait 1s:5s renders at most 7 times', async () => {
    const { renders } = await flapRenders(undefined);
    // The first render, then one per max wait (5 s): the 1 s of calm never comes.
    expect(renders).toBeGreaterThanOrEqual(6);
    expect(renders).toBeLessThanOrEqual(7);
  });

  it('with flap damping (5 changes in 30 s) the same flap renders at most 3 times', async () => {
    const { renders } = await flapRenders({ changes: 5, windowMs: 30_000, dampedWaitMs: 30_000 });
    expect(renders).toBeGreaterThanOrEqual(2);
    expect(renders).toBeLessThanOrEqual(3);
  });

  it('holds a mass drop: 6 of 10 failing keeps 8 in the file, marked Held', async () => {
    const dir = workspace({ 'a.hbs': '{{#each (service "web")}}{{ID}}{{#if Held}}(held){{/if}} {{/each}}|{{#with (serviceStatus "web")}}{{Healthy}}/{{Held}}{{/with}}' });
    const { stream, prints } = dryCapture();
    const source = new ScriptedSource('file', TEN(() => true));
    const guards = { allowlist: { cidrs: [], tags: [], dcs: [] }, maxRemovalPct: 20, holdMaxMs: 300_000, flap: undefined, services: {} };
    const runner = start(config([template(dir, 'a.hbs')], { dry: true, guards }), source, stream);
    await runner.start();
    await until(() => prints.length === 1);
    source.update(TEN((n) => n <= 4));
    await until(() => prints.length === 2);
    const shown = prints[1] ?? '';
    expect(shown.match(/web-\d+/g)).toHaveLength(8);
    expect(shown.match(/\(held\)/g)).toHaveLength(4);
    expect(shown).toMatch(/\|4\/4\n$/);

    runner.releaseHeld();
    await until(() => prints.length === 3);
    expect((prints[2] ?? '').match(/web-\d+/g)).toHaveLength(4);
  });

  it('keeps instances outside the allowlist from templates', async () => {
    const dir = workspace({ 'a.hbs': '{{#each (service "web")}}{{Address}} {{/each}}' });
    const { stream, prints } = dryCapture();
    const source = new ScriptedSource('file', 'services:\n  web:\n    - { address: 10.0.0.1, port: 80 }\n    - { address: 192.168.0.9, port: 80 }\n');
    const guards = { allowlist: { cidrs: ['10.0.0.0/8'], tags: [], dcs: [] }, maxRemovalPct: 20, holdMaxMs: 300_000, flap: undefined, services: {} };
    await start(config([template(dir, 'a.hbs')], { dry: true, guards }), source, stream).start();
    await until(() => prints.length === 1);
    expect(prints[0]).toMatch(/\n10\.0\.0\.1 \n$/);
  });
});

describe('Runner check before swap', () => {
  it('runs the check on the staged file; a failure leaves the destination alone and runs no command', async () => {
    const dir = workspace({ 'a.hbs': '{{#each (service "web")}}{{Address}} {{/each}}' });
    writeFileSync(join(dir, 'a.hbs.out'), 'last good');
    const log = join(dir, 'commands.log');
    // The check rejects any file mentioning 10.0.0.2, and records the staged path it was given.
    const check = `echo "$CTMPL_STAGED" {{staged}} >> ${join(dir, 'checks.log')}; ! grep -q 10.0.0.2 {{staged}}`;
    const runner = start(config([template(dir, 'a.hbs', { check })], { command: `echo run >> ${log}`, once: true }), new ScriptedSource('file', WEB2, false));
    await runner.start();
    expect(await runner.done).toBe(1);
    expect(readFileSync(join(dir, 'a.hbs.out'), 'utf8')).toBe('last good');
    expect(existsSync(log)).toBe(false);
    const [stagedEnv, stagedArg] = readFileSync(join(dir, 'checks.log'), 'utf8').trim().split(' ');
    expect(stagedEnv).toBe(stagedArg);
    expect(stagedEnv?.startsWith(join(dir, '.a.hbs.out.ctmpl-'))).toBe(true);
    expect(existsSync(stagedEnv ?? '')).toBe(false);
  });

  it('swaps in a file that passes its check, then reloads', async () => {
    const dir = workspace({ 'a.hbs': '{{#each (service "web")}}{{Address}} {{/each}}' });
    const log = join(dir, 'commands.log');
    const runner = start(config([template(dir, 'a.hbs', { check: 'grep -q 10.0.0.1 {{staged}}' })], { command: `echo run >> ${log}`, once: true }), new ScriptedSource('file', WEB1, false));
    await runner.start();
    expect(await runner.done).toBe(0);
    expect(readFileSync(join(dir, 'a.hbs.out'), 'utf8')).toBe('10.0.0.1 ');
    expect(readFileSync(log, 'utf8')).toBe('run\n');
  });
});

describe('Runner after a failed reload', () => {
  it('rolls the file back, then tries the new content again later on its own', async () => {
    const dir = workspace({ 'a.hbs': '{{#each (service "web")}}{{Address}} {{/each}}' });
    const flag = join(dir, 'fail-next');
    const log = join(dir, 'commands.log');
    const source = new ScriptedSource('file', WEB1);
    // The reload fails while the flag exists (the first time the new file is tried).
    const command = `cat ${join(dir, 'a.hbs.out')} >> ${log}; echo >> ${log}; if [ -e ${flag} ]; then rm ${flag}; exit 1; fi`;
    await start(config([template(dir, 'a.hbs')], { command }), source).start();
    await until(() => existsSync(log) && readFileSync(log, 'utf8') === '10.0.0.1 \n');
    writeFileSync(flag, '');
    source.update(WEB2);
    // Tried (fails), rolled back and re-run on the old file, then retried with the new one.
    await until(() => readFileSync(log, 'utf8').split('\n').length === 5);
    expect(readFileSync(log, 'utf8')).toBe('10.0.0.1 \n10.0.0.1 10.0.0.2 \n10.0.0.1 \n10.0.0.1 10.0.0.2 \n');
    expect(readFileSync(join(dir, 'a.hbs.out'), 'utf8')).toBe('10.0.0.1 10.0.0.2 ');
  });
});
