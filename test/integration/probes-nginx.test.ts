import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, test } from 'vitest';
import { startBackends, type Backend } from '../support/backends.js';
import { runCtmpl, startCtmpl, TEMPLATES } from '../support/ctmpl.js';
import { startLoad, startNginx } from '../support/nginx.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

/**
 * Consumer-side probing with the static catalog (which has no health of its own) in front of the
 * real nginx: a killed backend leaves the upstream after `fall` failed probes and comes back after
 * `rise` good ones; killing most of them at once is a panic — they all stay, and ctmpl says why.
 */
const catalogText = (backends: readonly Backend[]): string => stringify({ services: { web: backends.map((b) => ({ id: b.name, address: b.address, port: b.port })) } });
const servers = async (include: string): Promise<string[]> => [...(await readFile(include, 'utf8')).matchAll(/^\s+server (\S+) /gm)].map((m) => m[1] as string).sort();

describe('probes in front of nginx, with the static catalog', () => {
  test('a killed backend leaves after fall probes (no failed request after that), returns after rise probes; 80 % down is a panic that keeps them all', async () => {
    const dir = await tempDir('ctmpl-probes-nginx-');
    const backends = await startBackends(['b1', 'b2', 'b3', 'b4', 'b5']);
    const [b1, b2, b3, b4, b5] = backends as [Backend, Backend, Backend, Backend, Backend];
    const catalog = join(dir, 'catalog.yaml');
    await writeFile(catalog, catalogText(backends));
    const template = join(dir, 'up.hbs');
    await copyFile(join(TEMPLATES, 'nginx-upstream.hbs'), template);
    const include = join(dir, 'upstreams.conf');
    const once = await runCtmpl(['--source', `file:${catalog}`, '-t', `${template}:${include}`, '--once'], { cwd: dir });
    expect(once.exitCode, once.stderr).toBe(0);
    const nginx = await startNginx({ dir, include });
    const port = await freePort();
    const probe = 'web=http:/,interval=300ms,timeout=250ms,fall=3,rise=2,panic=60';
    const ctmpl = startCtmpl(['--source', `file:${catalog}`, '-t', `${template}:${include}`, '--check', nginx.checkCommand, '-c', nginx.reloadCommand, '--wait', '0', '--probe', probe, '--listen', `127.0.0.1:${port}`], { cwd: dir });
    await ctmpl.waitForLog((l) => l.msg === 'rendered; file unchanged');
    const load = startLoad(nginx.url, { concurrency: 4, maxMs: 90_000 });
    const all = backends.map((b) => b.hostPort).sort();
    await waitFor(() => backends.every((b) => load.servedBy(b.name, 0) >= 2), { what: 'every backend to serve' });

    // b2 dies: out of the file after 3 failed probes (about a second), nginx reloads without it.
    const workers = await nginx.workers();
    const killed = performance.now();
    await b2.stop();
    await waitFor(async () => !(await servers(include)).includes(b2.hostPort), { timeoutMs: 10_000, what: 'b2 to leave the upstream' });
    const removedAfterMs = performance.now() - killed;
    await nginx.waitForWorkersReplaced(workers);
    const reloaded = performance.now();
    await waitFor(() => [b1, b3, b4, b5].every((b) => load.servedBy(b.name, reloaded) >= 3), { what: 'the others to serve after the reload' });
    expect(load.failures().filter((r) => r.startedAt >= reloaded), 'failed requests after b2 left').toEqual([]);
    expect(ctmpl.logs().some((l) => /instance \S+\/b2 .* → critical: 3 failed probes in a row/.test(l.msg))).toBe(true);
    const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as { probes: Record<string, { down: number; panic: boolean }> };
    expect(status.probes.web).toMatchObject({ down: 1, panic: false });

    // b2 is back: in again after 2 good probes.
    await b2.start();
    await waitFor(async () => JSON.stringify(await servers(include)) === JSON.stringify(all), { timeoutMs: 10_000, what: 'b2 back in the upstream' });

    // Four of five die at once: more than the panic threshold (60 %) looks down from here, so all stay.
    // (Probes fail one after the other: the first one down may leave before the others follow it;
    // once most look down, the panic keeps — or brings back — every one.)
    for (const b of [b1, b2, b3, b4]) await b.stop();
    await ctmpl.waitForLog((l) => /of 5 instances of web look down from this host: more than its panic threshold/.test(l.msg), { timeoutMs: 10_000 });
    await waitFor(async () => JSON.stringify(await servers(include)) === JSON.stringify(all), { timeoutMs: 10_000, what: 'every backend in the upstream during the panic' });
    await waitFor(async () => ((await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as { probes: Record<string, { down: number; panic: boolean }> }).probes.web?.down === 4, { what: '4 down in /status' });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/ctmpl_probe_instances_down\{service="web"\} 4/);
    await load.stop();
    await ctmpl.stop();
    console.log(`probes: backend killed → out of the file in ${Math.round(removedAfterMs)} ms (interval 300 ms, fall 3)`);
  }, 90_000);
});
