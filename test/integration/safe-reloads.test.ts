import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, test } from 'vitest';
import { startBackends, type Backend } from '../support/backends.js';
import { NGINX } from '../support/checkers.js';
import { editFile, field, readIfExists, startCtmpl, TEMPLATES, type Daemon } from '../support/ctmpl.js';
import { startNginx } from '../support/nginx.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

/**
 * Writes and reloads that never deadlock, never keep a bad file, and never look healthy while
 * stuck: the real nginx, real loopback backends, the static catalog. Retries are fast here
 * (--reload-retry 300ms:1s) and /healthz turns unhealthy after a 1 s grace.
 */
const sh = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;
const catalogText = (backends: readonly Backend[]): string => stringify({ services: { web: backends.map((b) => ({ id: b.name, address: b.address, port: b.port })) } });
const FAST = ['--wait', '0', '--flap', 'off', '--reload-retry', '300ms:1s', '--health-grace', '1s'];

interface Health {
  readonly status: number;
  readonly body: { status: string; reasons?: string[] };
}

async function healthz(port: number): Promise<Health> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: res.status, body: (await res.json()) as Health['body'] };
}

function daemon(dir: string, args: readonly string[]): Daemon {
  return startCtmpl(args, { cwd: dir });
}

describe('first deployment: nginx is not running yet', () => {
  test('the new file is kept (nothing to roll back to), the reload is retried, nginx starts with it, and the next change reloads', async () => {
    const dir = await tempDir('ctmpl-first-');
    const [b1, b2] = (await startBackends(['b1', 'b2'])) as [Backend, Backend];
    const catalog = join(dir, 'catalog.yaml');
    await writeFile(catalog, catalogText([b1]));
    const template = join(dir, 'up.hbs');
    await copyFile(join(TEMPLATES, 'nginx-upstream.hbs'), template);
    const include = join(dir, 'upstreams.conf');
    // The reload startNginx will accept once nginx runs (the same prefix and configuration).
    const prefix = `${join(dir, 'nginx')}/`;
    const reload = `${sh(NGINX)} -p ${sh(prefix)} -c ${sh(join(dir, 'nginx.conf'))} -e ${sh(`${prefix}error.log`)} -s reload`;
    const port = await freePort();
    const ctmpl = daemon(dir, ['--source', `file:${catalog}`, '-t', `${template}:${include}`, '-c', reload, '--listen', `127.0.0.1:${port}`, ...FAST]);

    await ctmpl.waitForLog((l) => /had no previous version: they are kept as written/.test(l.msg));
    expect(ctmpl.logs().some((l) => l.msg.startsWith('rolled back'))).toBe(false);
    expect(await readIfExists(include)).toContain(b1.hostPort);
    // Retried with backoff, the file kept each time, and /healthz says why it is not current.
    await ctmpl.waitForLog((l) => l.msg === 'command failed', { count: 3 });
    expect(await readIfExists(include)).toContain(b1.hostPort);
    const stuck = await waitFor(async () => {
      const h = await healthz(port);
      return h.status === 503 ? h : undefined;
    });
    expect(stuck.body.reasons?.join('\n')).toMatch(/upstreams\.conf is not current: reload failed, nothing to roll back to/);

    // nginx starts with the include ctmpl kept; the next retry's reload goes through.
    const nginx = await startNginx({ dir, include });
    await ctmpl.waitForLog((l) => l.msg === 'command succeeded' && field(l, 'command') === reload);
    await waitFor(async () => (await healthz(port)).status === 200, { what: '/healthz to turn 200 once the file is current' });
    expect(await (await fetch(nginx.url)).text()).toBe('b1');

    // The next catalog change reloads nginx, which then serves the new backend too.
    const workers = await nginx.workers();
    await editFile(catalog, catalogText([b1, b2]));
    await nginx.waitForWorkersReplaced(workers);
    await waitFor(async () => (await (await fetch(nginx.url)).text()) === 'b2', { what: 'b2 to serve through nginx' });
    await ctmpl.stop();
  }, 60_000);
});

describe('a catalog change that breaks the reload', () => {
  test('is rolled back, retried while it fails (/healthz 503), and the removal guard never holds the instance only that change rendered', async () => {
    const dir = await tempDir('ctmpl-rollback-');
    const backends = await startBackends(['b1', 'b2', 'b3', 'b4', 'b5']);
    const [b1, b2, b3, b4, b5] = backends as [Backend, Backend, Backend, Backend, Backend];
    const catalog = join(dir, 'catalog.yaml');
    await writeFile(catalog, catalogText([b1, b2, b3]));
    const template = join(dir, 'up.hbs');
    await copyFile(join(TEMPLATES, 'nginx-upstream.hbs'), template);
    const include = join(dir, 'upstreams.conf');
    await writeFile(include, `upstream web {\n    server ${b1.hostPort};\n}\n`);
    const nginx = await startNginx({ dir, include });
    // nginx refuses every configuration that sends traffic to b4 (as a proxy refusing a bad server).
    const reload = `if grep -q ${sh(b4.hostPort)} ${sh(include)}; then echo 'refused: b4' >&2; exit 1; fi; ${nginx.reloadCommand}`;
    const port = await freePort();
    const ctmpl = daemon(dir, ['--source', `file:${catalog}`, '-t', `${template}:${include}`, '-c', reload, '--listen', `127.0.0.1:${port}`, ...FAST]);
    await ctmpl.waitForLog((l) => l.msg === 'command succeeded');
    await waitFor(async () => (await healthz(port)).status === 200, { what: 'the first render to be current' });
    const good = await readFile(include, 'utf8');
    expect(good).toContain(b3.hostPort);

    await editFile(catalog, catalogText([b1, b2, b3, b4]));
    await ctmpl.waitForLog((l) => /^rolled back 1 file\(s\)/.test(l.msg), { count: 2 });
    expect(await readFile(include, 'utf8')).toBe(good);
    const loop = await waitFor(async () => {
      const h = await healthz(port);
      return h.status === 503 ? h : undefined;
    });
    expect(loop.body.reasons?.join('\n')).toMatch(/not current: reload failed, rolled back .* retry \d+ at/);
    const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as { templates: { rollbacks: number; lastCommand: { ok: boolean } }[] };
    expect(status.templates[0]?.rollbacks).toBeGreaterThanOrEqual(2);
    expect(status.templates[0]?.lastCommand.ok).toBe(false);

    // b3 and b4 leave, b5 comes: against what nginx runs (b1, b2, b3) that is one removal, within
    // the guard's budget. b4 was never committed, so it is never held (and never rendered again).
    const logsBeforeEdit = ctmpl.logs().length;
    await editFile(catalog, catalogText([b1, b2, b5]));
    await waitFor(async () => (await healthz(port)).status === 200, { what: '/healthz to turn 200 once the files are current' });
    const now = await readFile(include, 'utf8');
    expect(now).toContain(b5.hostPort);
    expect(now).not.toContain(b4.hostPort);
    expect(now).not.toContain(b3.hostPort);
    expect(now).not.toMatch(/held/);
    // A retry of the refused change may already be under way when the edit lands (it still carries
    // b4 and fails); no reload of the new content fails, and none fails once one has succeeded.
    const afterEdit = ctmpl.logs().slice(logsBeforeEdit);
    const firstSuccess = afterEdit.findIndex((l) => l.msg === 'command succeeded');
    expect(firstSuccess, 'a reload succeeded after the edit').toBeGreaterThanOrEqual(0);
    const failures = afterEdit.filter((l) => l.msg === 'command failed');
    expect(failures.every((l) => field(l, 'output').includes('refused: b4'))).toBe(true);
    expect(afterEdit.slice(firstSuccess).some((l) => l.msg === 'command failed')).toBe(false);
    expect(ctmpl.logs().some((l) => /holding \d/.test(l.msg))).toBe(false);
    await waitFor(async () => (await (await fetch(nginx.url)).text()) === 'b5', { what: 'b5 to serve through nginx' });
    await ctmpl.stop();
  }, 60_000);
});
