import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, test } from 'vitest';
import { startBackends, type Backend } from '../support/backends.js';
import { parseNginxUpstreams } from '../support/catalog.js';
import { registerTtlInstance, setCheck, startConsul } from '../support/consul.js';
import { editFile, field, NO_CONSUL_ENV, readIfExists, runCtmpl, startCtmpl, TEMPLATES, waitFor, type Daemon } from '../support/ctmpl.js';
import { startLoad, startNginx, type Load, type LoadRecord, type NginxServer } from '../support/nginx.js';
import { tempDir } from '../support/tmp.js';

/**
 * End to end with a real nginx (the Debian package's binary, started by the test with a temporary
 * prefix on a free loopback port) in front of real HTTP backends. ctmpl renders the shipped
 * upstream template, checks every staged file with `nginx -t` on the whole configuration, and
 * reloads nginx with `nginx -s reload`. While backends are added, removed and flapped — in a
 * static catalog and in a real Consul — a load loop sends requests through nginx, and no request
 * may fail: the operator's order is always "catalog change, reload, then stop the backend".
 */

/** Quiescence of every daemon here: a change renders after 1 s of calm, never more than 3 s late. */
const WAIT = ['--wait', '1s:3s'] as const;
const WAIT_MAX_MS = 3000;
/**
 * A new backend must serve within the wait bound plus 1 s for the rest of the path: the catalog
 * watcher (or Consul's blocking query), the `nginx -t` check and nginx starting new workers.
 */
const ADD_BOUND_MS = WAIT_MAX_MS + 1000;
/** Deadline for a catalog change to be in effect in nginx (reloaded, old workers gone). */
const RELOAD_BOUND_MS = WAIT_MAX_MS + 7000;

/** The figures asked for in the closing note, gathered over the whole file. */
const figures = {
  requests: 0,
  failed: 0,
  catalogChanges: 0,
  reloadsByCtmpl: 0,
  reloadsByNginx: 0,
  addLatenciesMs: [] as number[],
  perTest: [] as Record<string, unknown>[],
};

afterAll(() => {
  const sorted = [...figures.addLatenciesMs].sort((a, b) => a - b);
  const median = sorted.length === 0 ? undefined : sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2] : ((sorted[sorted.length / 2 - 1] as number) + (sorted[sorted.length / 2] as number)) / 2;
  const { perTest, ...totals } = figures;
  console.log(`nginx e2e figures: ${JSON.stringify({ ...totals, medianAddLatencyMs: median }, null, 1)}\nper test:\n${perTest.map((t) => JSON.stringify(t)).join('\n')}`);
});

const SHIPPED_TEMPLATE = join(TEMPLATES, 'nginx-upstream.hbs');

/** A static catalog whose `web` service is these backends. */
function catalogText(backends: readonly Backend[]): string {
  return stringify({ services: { web: backends.map((b) => ({ id: b.name, address: b.address, port: b.port })) } });
}

/** The `server` addresses of `upstream web` in the rendered include. */
async function webServers(include: string): Promise<string[]> {
  return parseNginxUpstreams((await readIfExists(include)) ?? '').get('web')?.servers ?? [];
}

const hostPorts = (backends: readonly Backend[]): string[] => backends.map((b) => b.hostPort).sort();

/** Reload commands ctmpl ran successfully (first runs and runs after a rollback). */
function reloadsRun(daemon: Daemon, command: string): number {
  return daemon.logs().filter((l) => field(l, 'command') === command && / succeeded$/.test(l.msg)).length;
}

function describeFailures(failures: readonly LoadRecord[]): string {
  return failures
    .slice(0, 10)
    .map((r) => `  at ${Math.round(r.startedAt)} ms: status ${String(r.status)} ${r.error ?? ''} ${r.body.slice(0, 200)}`)
    .join('\n');
}

/** No request failed so far; the message lists the first failures. */
/** Stops the load: it must have run to the end with no failed request; returns how many were sent. */
async function stopLoadServedAll(load: Load): Promise<number> {
  const { records, completed } = await load.stop();
  expect(completed).toBe(true);
  const failures = load.failures();
  expect(failures.length, `failed requests through nginx:\n${describeFailures(failures)}`).toBe(0);
  return records.length;
}

interface Job {
  readonly dir: string;
  readonly template: string;
  readonly include: string;
  readonly nginx: NginxServer;
}

/**
 * A job directory with a copy of the shipped template; the include is rendered once (`--once`,
 * as an operator does before nginx first starts), then nginx starts on it.
 */
async function newJob(source: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Job> {
  const dir = await tempDir('ctmpl-e2e-');
  const template = join(dir, 'upstreams.hbs');
  await copyFile(SHIPPED_TEMPLATE, template);
  const include = join(dir, 'upstreams.conf');
  const once = await runCtmpl([...source, '-t', `${template}:${include}`, '--once'], { cwd: dir, env });
  expect(once.exitCode, once.stdout + once.stderr).toBe(0);
  const nginx = await startNginx({ dir, include });
  return { dir, template, include, nginx };
}

/** ctmpl as a daemon on the job: `nginx -t` on each staged file, `reload` after each changed batch. */
async function startDaemon(job: Job, source: readonly string[], extra: readonly string[], options: { reload?: string; env?: Readonly<Record<string, string>> } = {}): Promise<Daemon> {
  const daemon = startCtmpl([...source, '-t', `${job.template}:${job.include}`, '--check', job.nginx.checkCommand, '-c', options.reload ?? job.nginx.reloadCommand, ...WAIT, ...extra], {
    cwd: job.dir,
    env: options.env ?? {},
  });
  // The include was rendered by --once: the daemon's first render finds it unchanged and reloads nothing.
  await daemon.waitForLog((l) => l.msg === 'rendered; file unchanged', { timeoutMs: 15_000 });
  return daemon;
}

/** Waits until every one of `backends` has served a few requests that started after `since`. */
async function allServe(load: Load, backends: readonly Backend[], since: number, what: string): Promise<void> {
  await waitFor(() => backends.every((b) => load.servedBy(b.name, since) >= 3), { timeoutMs: 10_000, what: `${what}: ${backends.map((b) => b.name).join(', ')} to serve` });
}

/**
 * One catalog change carried through to nginx: `change()` is applied, then this waits until ctmpl
 * ran the reload and every nginx worker that existed before has exited, so only the new
 * configuration serves. Returns when the change was made (performance.now()).
 */
async function changeAndReload(daemon: Daemon, job: Job, reload: string, change: () => Promise<void>, kind: 'catalog' | 'template' = 'catalog'): Promise<number> {
  const workers = await job.nginx.workers();
  const runs = reloadsRun(daemon, reload);
  const at = performance.now();
  await change();
  if (kind === 'catalog') figures.catalogChanges += 1;
  await daemon.waitFor(() => reloadsRun(daemon, reload) > runs, { timeoutMs: RELOAD_BOUND_MS, what: 'ctmpl to reload nginx' });
  await job.nginx.waitForWorkersReplaced(workers);
  return at;
}

/** A new backend gets traffic within ADD_BOUND_MS of the change; the latency goes into the figures. */
async function servesWithinBound(load: Load, backend: Backend, changedAt: number): Promise<number> {
  const first = await waitFor(() => load.firstServedBy(backend.name, changedAt), { timeoutMs: ADD_BOUND_MS + 2000, what: `${backend.name} to serve its first request` });
  const latency = Math.round(first.endedAt - changedAt);
  expect(latency, `change → first request served by ${backend.name}`).toBeLessThanOrEqual(ADD_BOUND_MS);
  figures.addLatenciesMs.push(latency);
  return latency;
}

/**
 * Removes `backend` the operator's way: out of the catalog, wait for nginx to run without it, check
 * that it gets no more traffic while the others do, and only then stop its server.
 */
async function removeSafely(daemon: Daemon, job: Job, load: Load, reload: string, backend: Backend, rest: readonly Backend[], change: () => Promise<void>): Promise<void> {
  await changeAndReload(daemon, job, reload, change);
  const reloaded = performance.now();
  const servedBefore = backend.served;
  await allServe(load, rest, reloaded, `after ${backend.name} was removed`);
  expect(backend.served, `${backend.name} served requests after nginx reloaded without it`).toBe(servedBefore);
  expect(load.servedBy(backend.name, reloaded)).toBe(0);
  await backend.stop();
}

function recordFigures(name: string, load: Load, sent: number, daemon: Daemon, reload: string, nginxReloads: number, changes: number, extra: Record<string, unknown> = {}): void {
  const ctmplReloads = reloadsRun(daemon, reload);
  figures.requests += sent;
  figures.failed += load.failures().length;
  figures.reloadsByCtmpl += ctmplReloads;
  figures.reloadsByNginx += nginxReloads;
  figures.perTest.push({ test: name, requests: sent, failed: load.failures().length, catalogChanges: changes, reloadsByCtmpl: ctmplReloads, reloadsByNginx: nginxReloads, ...extra });
}

/** A static catalog listing `initial`, and a job rendering from it. */
async function catalogJob(initial: readonly Backend[]): Promise<{ catalog: string; source: string[]; job: Job }> {
  const catalog = join(await tempDir('ctmpl-e2e-catalog-'), 'catalog.yaml');
  await writeFile(catalog, catalogText(initial));
  const source = ['--source', `file:${catalog}`];
  return { catalog, source, job: await newJob(source) };
}

/** A tidy directory: no staged file is left next to the destination. */
async function stagedLeftovers(job: Job): Promise<string[]> {
  return (await readdir(job.dir)).filter((f) => f.includes('.ctmpl-'));
}

describe('nginx end to end: a static catalog', () => {
  test('3 backends serve; a 4th added to the catalog serves within the wait bound; one removed then stopped costs no request', async () => {
    const backends = await startBackends(['b1', 'b2', 'b3', 'b4']);
    const [b1, b2, b3, b4] = backends as [Backend, Backend, Backend, Backend];
    const { catalog, source, job } = await catalogJob([b1, b2, b3]);
    expect(await webServers(job.include)).toEqual(hostPorts([b1, b2, b3]));
    const reload = job.nginx.reloadCommand;
    const daemon = await startDaemon(job, source, ['--flap', 'off']);
    const load = startLoad(job.nginx.url);

    await allServe(load, [b1, b2, b3], 0, 'the initial upstream');
    expect(load.servedBy('b4', 0)).toBe(0);

    // Added: b4 serves within the wait bound.
    const added = await changeAndReload(daemon, job, reload, () => editFile(catalog, catalogText([b1, b2, b3, b4])));
    expect(await webServers(job.include)).toEqual(hostPorts([b1, b2, b3, b4]));
    const latency = await servesWithinBound(load, b4, added);

    // Removed: out of the catalog, reload, then stopped.
    await removeSafely(daemon, job, load, reload, b3, [b1, b2, b4], () => editFile(catalog, catalogText([b1, b2, b4])));
    expect(await webServers(job.include)).toEqual(hostPorts([b1, b2, b4]));
    // nginx goes on with the other three after b3's server is gone.
    const stopped = performance.now();
    await allServe(load, [b1, b2, b4], stopped, 'after b3 stopped');

    const sent = await stopLoadServedAll(load);
    expect(await stagedLeftovers(job)).toEqual([]);
    const nginxReloads = await job.nginx.reloads();
    // One reload per catalog change, and nginx performed each one.
    expect(reloadsRun(daemon, reload)).toBe(2);
    expect(nginxReloads).toBe(2);
    recordFigures('static add/remove', load, sent, daemon, reload, nginxReloads, 2, { addLatencyMs: latency });
  }, 60_000);

  test('a backend flapping in the catalog (server up all along) costs no request and fewer reloads than catalog changes', async () => {
    const backends = await startBackends(['b1', 'b2', 'b3', 'b4']);
    const { catalog, source, job } = await catalogJob(backends);
    const reload = job.nginx.reloadCommand;
    // Flap damping on (past 3 changes in 10 s, render at most every 2 s), removal guard at its default.
    const daemon = await startDaemon(job, source, ['--flap', '3/10s', '--flap-wait', '2s']);
    const load = startLoad(job.nginx.url);
    await allServe(load, backends, 0, 'the initial upstream');

    // b4 drops out of the catalog and comes back for 6 s, at irregular intervals of 120–370 ms as a
    // jittery registry would (a fixed period could line up with the damped wait), ending present.
    const without = catalogText(backends.slice(0, 3));
    const all = catalogText(backends);
    let changes = 0;
    const flapStart = performance.now();
    while (performance.now() - flapStart < 6000 || changes % 2 === 1) {
      await editFile(catalog, changes % 2 === 0 ? without : all);
      changes += 1;
      await new Promise((resolve) => setTimeout(resolve, 120 + ((changes * 97) % 251)));
    }
    figures.catalogChanges += changes;
    // Settled: the include has all four, nginx runs it, all four serve.
    await daemon.waitFor(async () => JSON.stringify(await webServers(job.include)) === JSON.stringify(hostPorts(backends)), { timeoutMs: 15_000, what: 'the include to settle on 4 servers' });
    await daemon.waitFor(async () => (await job.nginx.reloads()) === reloadsRun(daemon, reload), { timeoutMs: 5000, what: 'nginx to have performed every reload' });
    await allServe(load, backends, performance.now(), 'after the flapping');

    const sent = await stopLoadServedAll(load);
    const reloads = reloadsRun(daemon, reload);
    const nginxReloads = await job.nginx.reloads();
    expect(changes).toBeGreaterThanOrEqual(15);
    expect(daemon.logs().some((l) => /is flapping/.test(l.msg))).toBe(true);
    // Damped: at most one render per 2 s damped wait over the ~6 s of flapping, plus the settling
    // one; a render that lands on the state nginx already has writes nothing and reloads nothing.
    const renders = daemon.logs().filter((l) => l.msg === 'wrote file' || l.msg === 'rendered; file unchanged').length - 1;
    expect(renders).toBeLessThanOrEqual(5);
    expect(reloads).toBeLessThanOrEqual(renders);
    expect(reloads).toBeLessThan(changes);
    expect(nginxReloads).toBe(reloads);
    recordFigures('static flap', load, sent, daemon, reload, nginxReloads, changes, { renders });
  }, 60_000);

  test('a broken template edit never reaches nginx: the include stays, nginx is not reloaded and keeps serving; the fix goes through', async () => {
    const backends = await startBackends(['b1', 'b2', 'b3', 'b4']);
    const [b1, b2, b3, b4] = backends as [Backend, Backend, Backend, Backend];
    const { catalog, source, job } = await catalogJob([b1, b2, b3]);
    const reload = job.nginx.reloadCommand;
    const daemon = await startDaemon(job, source, ['--flap', 'off']);
    const load = startLoad(job.nginx.url);
    await allServe(load, [b1, b2, b3], 0, 'the initial upstream');
    const good = await readFile(job.template, 'utf8');
    const live = await readFile(job.include, 'utf8');
    expect(live).toContain('max_fails=3');
    let checkFailures = 0;
    const checksFailed = (): number => daemon.logs().filter((l) => l.msg.startsWith('check failed')).length;

    // 1. A Handlebars syntax error: the template does not compile, nothing renders.
    await editFile(job.template, good.replace('{{hostPort Address Port}}', '{{hostPort Address Port}'));
    await daemon.waitForLog((l) => l.msg.startsWith('template has errors'), { timeoutMs: 5000 });

    // 2. Valid Handlebars, invalid nginx: `nginx -t` on the staged file refuses it.
    await editFile(job.template, good.replace('max_fails=3', 'max_fails=three'));
    const failed = await daemon.waitForLog((l) => l.msg.startsWith('check failed'), { timeoutMs: 5000 });
    checkFailures += 1;
    expect(field(failed, 'output')).toContain('invalid parameter "max_fails=three"');

    // 3. A catalog change while the template is broken: checked and refused too; b4 gets nothing.
    await editFile(catalog, catalogText([b1, b2, b3, b4]));
    await daemon.waitFor(() => checksFailed() === 2, { timeoutMs: RELOAD_BOUND_MS, what: 'the second refused check' });
    checkFailures += 1;
    figures.catalogChanges += 1;
    expect(await readFile(job.include, 'utf8')).toBe(live);
    expect(await stagedLeftovers(job)).toEqual([]);
    expect(reloadsRun(daemon, reload)).toBe(0);
    expect(await job.nginx.reloads()).toBe(0);
    const brokenSince = performance.now();
    await allServe(load, [b1, b2, b3], brokenSince, 'while the template is broken');
    expect(load.servedBy('b4', 0)).toBe(0);

    // 4. The fix (a valid edit): checked, written, reloaded; b4, already in the catalog, serves too.
    const fixedAt = await changeAndReload(daemon, job, reload, () => editFile(job.template, good.replace('max_fails=3', 'max_fails=2')), 'template');
    const fixed = await readFile(job.include, 'utf8');
    expect(fixed).toContain('max_fails=2');
    expect(fixed).not.toContain('max_fails=three');
    expect(await webServers(job.include)).toEqual(hostPorts(backends));
    await allServe(load, backends, fixedAt, 'after the fix');

    const sent = await stopLoadServedAll(load);
    expect(checksFailed()).toBe(checkFailures);
    const nginxReloads = await job.nginx.reloads();
    expect(reloadsRun(daemon, reload)).toBe(1);
    expect(nginxReloads).toBe(1);
    recordFigures('broken template edit', load, sent, daemon, reload, nginxReloads, 1, { checksRefused: checkFailures });
  }, 60_000);

  test('a failing reload rolls the include back, re-runs the reload on the last good file, and nginx serves throughout', async () => {
    const backends = await startBackends(['b1', 'b2', 'b3', 'b4', 'b5']);
    const [b1, b2, b3, b4, b5] = backends as [Backend, Backend, Backend, Backend, Backend];
    const { catalog, source, job } = await catalogJob([b1, b2, b3]);
    // The reload fails once while FLAG exists (as a reload refused by the proxy would).
    const flag = join(job.dir, 'fail-next-reload');
    const reload = `if [ -e '${flag}' ]; then rm -f '${flag}'; echo 'reload refused (test flag)' >&2; exit 1; fi; ${job.nginx.reloadCommand}`;
    const daemon = await startDaemon(job, source, ['--flap', 'off'], { reload });
    const load = startLoad(job.nginx.url);
    await allServe(load, [b1, b2, b3], 0, 'the initial upstream');
    const live = await readFile(job.include, 'utf8');

    // b4 added while the reload fails: the include is written, the reload fails, the include is
    // restored and the reload runs again on it.
    await writeFile(flag, '');
    const workers = await job.nginx.workers();
    await editFile(catalog, catalogText([b1, b2, b3, b4]));
    figures.catalogChanges += 1;
    await daemon.waitForLog((l) => l.msg === 'command after rollback succeeded', { timeoutMs: RELOAD_BOUND_MS });
    expect(daemon.logs().filter((l) => l.msg === 'command failed' && field(l, 'output').includes('reload refused'))).toHaveLength(1);
    expect(daemon.logs().some((l) => l.msg.startsWith('rolled back 1 file(s)') && field(l, 'restored') === JSON.stringify([job.include]))).toBe(true);
    expect(await readFile(job.include, 'utf8')).toBe(live);
    expect(await readIfExists(flag)).toBeUndefined();
    // The reload after the rollback was performed by nginx on the last good file: b4 never serves.
    await job.nginx.waitForWorkersReplaced(workers);
    expect(await job.nginx.reloads()).toBe(1);
    const rolledBack = performance.now();
    await allServe(load, [b1, b2, b3], rolledBack, 'after the rollback');
    expect(load.servedBy('b4', 0)).toBe(0);
    expect(b4.served).toBe(0);

    // The next catalog change goes through: b5 is added, and b4 (still in the catalog) with it.
    const added = await changeAndReload(daemon, job, reload, () => editFile(catalog, catalogText(backends)));
    expect(await webServers(job.include)).toEqual(hostPorts(backends));
    const latency = await servesWithinBound(load, b5, added);
    await allServe(load, backends, added, 'after the next change');

    const sent = await stopLoadServedAll(load);
    expect(await stagedLeftovers(job)).toEqual([]);
    const nginxReloads = await job.nginx.reloads();
    // Runs that succeeded: the one after the rollback and the next change's.
    expect(reloadsRun(daemon, reload)).toBe(2);
    expect(nginxReloads).toBe(2);
    recordFigures('failing reload', load, sent, daemon, reload, nginxReloads, 2, { reloadFailures: 1, rollbacks: 1, addLatencyMs: latency });
  }, 60_000);
});

describe('nginx end to end: a real Consul', () => {
  test('TTL checks passing add a backend within the wait bound, failing removes it; with "catalog change, reload, then stop" no request fails', async () => {
    const agent = await startConsul();
    const backends = await startBackends(['b1', 'b2', 'b3', 'b4']);
    const [b1, b2, b3, b4] = backends as [Backend, Backend, Backend, Backend];
    const checks = new Map<Backend, string>();
    for (const b of backends) checks.set(b, await registerTtlInstance(agent, { id: b.name, name: 'web', address: b.address, port: b.port }));
    const check = (b: Backend): string => checks.get(b) as string;
    // b4 is registered but its check is critical (a new TTL check starts critical).
    for (const b of [b1, b2, b3]) await setCheck(agent, check(b), 'pass');
    const source = ['--consul-addr', agent.address];
    const job = await newJob(source, NO_CONSUL_ENV);
    expect(await webServers(job.include)).toEqual(hostPorts([b1, b2, b3]));
    const reload = job.nginx.reloadCommand;
    const daemon = await startDaemon(job, source, ['--flap', 'off'], { env: NO_CONSUL_ENV });
    const load = startLoad(job.nginx.url);
    await allServe(load, [b1, b2, b3], 0, 'the initial upstream');

    // b4's check passes: it serves within the wait bound.
    const added = await changeAndReload(daemon, job, reload, () => setCheck(agent, check(b4), 'pass'));
    expect(await webServers(job.include)).toEqual(hostPorts(backends));
    const firstLatency = await servesWithinBound(load, b4, added);

    // b3's check fails (the service is being taken down): nginx reloads without it, then it stops.
    await removeSafely(daemon, job, load, reload, b3, [b1, b2, b4], () => setCheck(agent, check(b3), 'fail'));
    expect(await webServers(job.include)).toEqual(hostPorts([b1, b2, b4]));

    // b3 comes back: its server starts first, then its check passes.
    await b3.start();
    const back = await changeAndReload(daemon, job, reload, () => setCheck(agent, check(b3), 'pass'));
    expect(await webServers(job.include)).toEqual(hostPorts(backends));
    const secondLatency = await servesWithinBound(load, b3, back);
    await allServe(load, backends, back, 'after b3 came back');

    const sent = await stopLoadServedAll(load);
    const nginxReloads = await job.nginx.reloads();
    expect(reloadsRun(daemon, reload)).toBe(3);
    expect(nginxReloads).toBe(3);
    recordFigures('consul pass/fail/pass', load, sent, daemon, reload, nginxReloads, 3, { addLatenciesMs: [firstLatency, secondLatency] });
    await agent.stop();
  }, 90_000);
});
