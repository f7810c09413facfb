import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, test } from 'vitest';
import { startBackends, type Backend } from '../support/backends.js';
import { startConsul } from '../support/consul.js';
import { editFile, startCtmpl, TEMPLATES, type Daemon } from '../support/ctmpl.js';
import { startKeepAliveLoad, type HaproxyServer, type KeepAliveLoad } from '../support/haproxy.js';
import { catalogText, haproxyOnFirstRender, type CatalogEntry } from '../support/haproxy-ctmpl.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

/**
 * ctmpl driving a real haproxy (master-worker) through its Runtime API, end to end: the shipped
 * haproxy-runtime template, a haproxy `template` key, keep-alive clients through the frontend.
 * Server changes are applied without a reload (same worker, no failed request); a structural
 * change reloads once; a ctmpl killed mid-apply and started again converges haproxy with the file.
 */
interface Rig {
  readonly dir: string;
  readonly haproxy: HaproxyServer;
  readonly config: string;
  readonly env: Record<string, string>;
  start(): Daemon;
}

/** haproxy started on the template's first render; ctmpl's config file names its admin socket. */
async function rig(source: string, sourceFile?: { path: string; text: string }): Promise<Rig> {
  const dir = await tempDir('ctmpl-haproxy-e2e-');
  if (sourceFile) await writeFile(sourceFile.path, sourceFile.text);
  const template = join(dir, 'haproxy.cfg.hbs');
  await copyFile(join(TEMPLATES, 'haproxy-runtime.hbs'), template);
  const { haproxy, env } = await haproxyOnFirstRender(dir, source, template);
  const config = join(dir, 'ctmpl.yaml');
  await writeFile(
    config,
    stringify({
      sources: [source],
      wait: '0',
      flap: 'off',
      templates: [{ source: template, destination: haproxy.config, check: 'haproxy -c -q -f {{staged}}', command: `kill -USR2 ${haproxy.masterPid}`, haproxy: { socket: haproxy.socket, reconcile_every: '2s' } }],
    }),
  );
  return { dir, haproxy, config, env, start: () => startCtmpl(['--config', config], { cwd: dir, env }) };
}

const applied = (d: Daemon): number => d.logs().filter((l) => /through its Runtime API; no reload$/.test(l.msg)).length;
const reloads = (d: Daemon): number => d.logs().filter((l) => l.msg === 'command succeeded').length;

async function servesSoon(load: KeepAliveLoad, name: string, since: number): Promise<void> {
  await waitFor(() => load.servedBy(name, since) >= 3, { timeoutMs: 10_000, what: `${name} to serve through haproxy` });
}

async function serverNames(haproxy: HaproxyServer, backend: string): Promise<string[]> {
  return (await haproxy.servers(backend)).map((s) => `${s.name} ${s.address}:${s.port} w${s.weight}`).sort();
}

describe('haproxy through its Runtime API, driven by ctmpl', () => {
  test('static catalog: adds, removals, weight and address changes without a reload or a failed request; a new backend reloads once; a kill mid-apply converges', async () => {
    const backends = await startBackends(['b1', 'b2', 'b3', 'b4', 'b5', 'b6']);
    const [b1, b2, b3, b4, b5, b6] = backends as [Backend, Backend, Backend, Backend, Backend, Backend];
    const dir0 = await tempDir('ctmpl-haproxy-catalog-');
    const catalog = join(dir0, 'catalog.yaml');
    const three: CatalogEntry[] = [{ id: 'b1', backend: b1 }, { id: 'b2', backend: b2 }, { id: 'b3', backend: b3 }];
    const { haproxy, start } = await rig(`file:${catalog}`, { path: catalog, text: catalogText({ web: three }) });
    let ctmpl = start();
    await ctmpl.waitForLog((l) => l.msg === 'rendered; file unchanged');
    const load = startKeepAliveLoad(haproxy.url, { concurrency: 8, host: 'web', maxMs: 120_000 });
    const worker = await haproxy.workerPid();
    await servesSoon(load, 'b3', 0);

    const steps: { what: string; services: Record<string, readonly CatalogEntry[]>; check: (since: number) => Promise<void> }[] = [
      { what: 'add b4', services: { web: [...three, { id: 'b4', backend: b4 }] }, check: (since) => servesSoon(load, 'b4', since) },
      { what: 'remove b1', services: { web: [{ id: 'b2', backend: b2 }, { id: 'b3', backend: b3 }, { id: 'b4', backend: b4 }] }, check: async () => void (await waitFor(async () => !(await serverNames(haproxy, 'web')).some((s) => s.includes(`:${b1.port} `)), { what: 'b1 to leave haproxy' })) },
      { what: 'b2 weighs 4', services: { web: [{ id: 'b2', backend: b2, weight: 4 }, { id: 'b3', backend: b3 }, { id: 'b4', backend: b4 }] }, check: async () => void (await waitFor(async () => (await serverNames(haproxy, 'web')).some((s) => s.includes(`:${b2.port} w4`)), { what: 'b2 at weight 4' })) },
      { what: 'b3 moves to b5', services: { web: [{ id: 'b2', backend: b2, weight: 4 }, { id: 'b3', backend: b5 }, { id: 'b4', backend: b4 }] }, check: (since) => servesSoon(load, 'b5', since) },
    ];
    for (const step of steps) {
      const before = applied(ctmpl);
      const since = performance.now();
      await editFile(catalog, catalogText(step.services));
      await ctmpl.waitFor(() => applied(ctmpl) > before, { timeoutMs: 10_000, what: `${step.what} applied at run time` });
      await step.check(since);
    }
    expect(load.failures(), 'failed requests through haproxy').toEqual([]);
    expect(await haproxy.workerPid()).toBe(worker);
    expect(reloads(ctmpl)).toBe(0);
    const moved = performance.now();
    await waitFor(() => load.servedBy('b1', moved) === 0 && load.servedBy('b3', moved) === 0 && load.servedBy('b5', moved) > 3, { what: 'traffic only to the instances in the catalog' });

    // A new service is a new backend: structural, one reload.
    const reloaded = reloads(ctmpl);
    await editFile(catalog, catalogText({ web: steps[3]?.services.web ?? [], api: [{ id: 'b6', backend: b6 }] }));
    await ctmpl.waitFor(() => reloads(ctmpl) === reloaded + 1, { timeoutMs: 15_000, what: 'one reload for the new backend' });
    await waitFor(async () => (await haproxy.workerPid()) !== worker, { what: 'a new haproxy worker' });
    expect((await serverNames(haproxy, 'api')).length).toBe(1);

    // Killed while applying a change (SIGKILL as soon as the file is written), then started again:
    // the next start reconciles haproxy with the file.
    await editFile(catalog, catalogText({ web: [{ id: 'b2', backend: b2 }, { id: 'b4', backend: b4 }, { id: 'b6', backend: b6 }, { id: 'b1', backend: b1 }], api: [{ id: 'b6', backend: b6 }] }));
    await ctmpl.waitForLog((l) => l.msg === 'wrote file', { count: 6 });
    ctmpl.signal('SIGKILL');
    await ctmpl.exited;
    ctmpl = start();
    const file = async (): Promise<string[]> =>
      [...(await readFile(haproxy.config, 'utf8')).matchAll(/^\s+server (\S+) (\S+):(\d+) weight (\d+)/gm)].map((m) => `${m[1]} ${m[2]}:${m[3]} w${m[4]}`).sort();
    await waitFor(async () => JSON.stringify([...(await serverNames(haproxy, 'web')), ...(await serverNames(haproxy, 'api'))].sort()) === JSON.stringify(await file()), {
      timeoutMs: 15_000,
      what: 'haproxy to run what the file says after the restart',
    });
    await load.stop();
    await ctmpl.stop();
  }, 120_000);

  test('Consul: registrations, deregistrations and weights applied without a reload or a failed request', async () => {
    const backends = await startBackends(['c1', 'c2', 'c3', 'c4']);
    const [c1, c2, c3, c4] = backends as [Backend, Backend, Backend, Backend];
    const consul = await startConsul();
    const register = (b: Backend, weight = 1): Promise<unknown> => consul.api('PUT', '/v1/agent/service/register', { ID: b.name, Name: 'web', Address: b.address, Port: b.port, Weights: { Passing: weight, Warning: 1 } });
    for (const b of [c1, c2, c3]) await register(b);
    const { haproxy, start } = await rig(`consul://${consul.address}`);
    const ctmpl = start();
    await ctmpl.waitForLog((l) => l.msg === 'rendered; file unchanged');
    const load = startKeepAliveLoad(haproxy.url, { concurrency: 8, host: 'web', maxMs: 90_000 });
    const worker = await haproxy.workerPid();
    await servesSoon(load, 'c3', 0);
    const changes: [string, () => Promise<unknown>, (since: number) => Promise<void>][] = [
      ['register c4', () => register(c4), (since) => servesSoon(load, 'c4', since)],
      ['deregister c1', () => consul.api('PUT', '/v1/agent/service/deregister/c1'), async () => void (await waitFor(async () => !(await serverNames(haproxy, 'web')).some((s) => s.includes(`:${c1.port} `)), { what: 'c1 to leave' }))],
      ['c2 weighs 3', () => register(c2, 3), async () => void (await waitFor(async () => (await serverNames(haproxy, 'web')).some((s) => s.includes(`:${c2.port} w3`)), { what: 'c2 at weight 3' }))],
    ];
    for (const [what, change, check] of changes) {
      const before = applied(ctmpl);
      const since = performance.now();
      await change();
      await ctmpl.waitFor(() => applied(ctmpl) > before, { timeoutMs: 10_000, what: `${what} applied at run time` });
      await check(since);
    }
    expect(load.failures()).toEqual([]);
    expect(await haproxy.workerPid()).toBe(worker);
    expect(reloads(ctmpl)).toBe(0);
    await load.stop();
    await ctmpl.stop();
  }, 90_000);
});
