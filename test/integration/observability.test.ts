import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { editFile, readIfExists, runCtmpl, startCtmpl, TEMPLATES } from '../support/ctmpl.js';
import { freePort } from '../support/ports.js';
import { registerCleanup, tempDir } from '../support/tmp.js';

const CATALOG = 'services:\n  web:\n    - { id: web-1, address: 10.0.0.1, port: 80 }\n';
const CATALOG_2 = 'services:\n  web:\n    - { id: web-1, address: 10.0.0.1, port: 80 }\n    - { id: web-2, address: 10.0.0.2, port: 80 }\n';

async function workspace(): Promise<{ dir: string; catalog: string; template: string; out: string }> {
  const dir = await tempDir();
  const ws = { dir, catalog: join(dir, 'catalog.yaml'), template: join(dir, 'web.hbs'), out: join(dir, 'web.conf') };
  await writeFile(ws.catalog, CATALOG);
  await writeFile(ws.template, '{{#each (service "web")}}server {{Address}};\n{{/each}}');
  return ws;
}

/** One sample's value from Prometheus text, e.g. metric('ctmpl_writes_total{destination="/x"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics, health and status', () => {
  test('/metrics and /healthz follow renders and a failing source', async () => {
    const ws = await workspace();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const daemon = startCtmpl(['--source', `file:${ws.catalog}`, '-t', `${ws.template}:${ws.out}`, '--wait', '0', '-c', 'true', '--listen', `127.0.0.1:${port}`, '--health-failing-after', '0s'], { cwd: ws.dir });
    await daemon.waitFor(async () => (await readIfExists(ws.out)) !== undefined, { what: 'the first render' });
    const metrics = async (): Promise<string> => (await fetch(`${base}/metrics`)).text();
    const series = `{destination="${ws.out}"}`;
    // The reload command runs after the write: wait for both to be counted.
    await daemon.waitFor(async () => {
      const text = await metrics();
      return sample(text, `ctmpl_writes_total${series}`) === 1 && sample(text, 'ctmpl_reload_commands_total{result="success"}') === 1;
    }, { what: 'one write and one command counted' });
    const first = await metrics();
    expect(sample(first, `ctmpl_renders_total${series}`)).toBe(1);
    expect(sample(first, 'ctmpl_reload_commands_total{result="success"}')).toBe(1);
    expect(sample(first, 'ctmpl_dependencies_watched')).toBe(1);
    expect(sample(first, 'ctmpl_source_failing{source="file"}')).toBe(0);
    expect(first).toMatch(/^process_cpu_seconds_total /m);
    const healthy = await fetch(`${base}/healthz`);
    expect(healthy.status).toBe(200);

    await editFile(ws.catalog, CATALOG_2);
    await daemon.waitFor(async () => sample(await metrics(), `ctmpl_writes_total${series}`) === 2, { what: 'the second write counted' });
    expect(sample(await metrics(), `ctmpl_renders_total${series}`)).toBe(2);

    // A broken edit: the file source fails (the last good catalog stays) and health says so.
    await editFile(ws.catalog, 'services: [\n');
    await daemon.waitFor(async () => (await fetch(`${base}/healthz`)).status === 503, { what: '/healthz to turn 503' });
    const unhealthy = (await (await fetch(`${base}/healthz`)).json()) as { status: string; reasons: string[] };
    expect(unhealthy.status).toBe('unhealthy');
    expect(unhealthy.reasons.join('\n')).toMatch(/source file has been failing/);
    expect(sample(await metrics(), 'ctmpl_source_failing{source="file"}')).toBe(1);

    const status = (await (await fetch(`${base}/status`)).json()) as { templates: { destination: string; rendered: boolean }[]; dependencies: string[] };
    expect(status.templates).toEqual([expect.objectContaining({ destination: ws.out, rendered: true })]);
    expect(status.dependencies).toEqual(['file:service(web|passing)']);

    await editFile(ws.catalog, CATALOG);
    await daemon.waitFor(async () => (await fetch(`${base}/healthz`)).status === 200, { what: '/healthz to recover' });
  });

  test('/healthz is 503 while a template waits for data', async () => {
    const ws = await workspace();
    await writeFile(ws.template, '{{key "app/missing"}}');
    const port = await freePort();
    const daemon = startCtmpl(['--source', `file:${ws.catalog}`, '-t', `${ws.template}:${ws.out}`, '--listen', `127.0.0.1:${port}`], { cwd: ws.dir });
    const line = await daemon.waitForLog((l) => /^waiting for /.test(l.msg));
    expect(line.msg).toBe('waiting for key app/missing (file)');
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(503);
    expect(JSON.stringify(await res.json())).toContain('has not rendered yet');
  });

  test('an unusable --listen address is an input error', async () => {
    const ws = await workspace();
    const run = await runCtmpl(['--source', `file:${ws.catalog}`, '-t', `${ws.template}:${ws.out}`, '--listen', 'nowhere:99999', '--once'], { cwd: ws.dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/--listen "nowhere:99999" is not host:port/);
  });
});

describe('systemd notify', () => {
  interface Listener {
    bind(path: string): void;
    on(event: 'data', cb: (buf: Buffer) => void): void;
    close(): void;
  }
  const { DgramSocket } = createRequire(import.meta.url)('node-unix-socket') as { DgramSocket: new () => Listener };

  test('READY=1 reaches $NOTIFY_SOCKET once every template has rendered, and STATUS after a change', async () => {
    const ws = await workspace();
    const socketPath = join(ws.dir, 'notify.sock');
    const socket = new DgramSocket();
    socket.bind(socketPath);
    registerCleanup(() => socket.close());
    const messages: string[] = [];
    socket.on('data', (buf) => messages.push(buf.toString()));
    const daemon = startCtmpl(['--source', `file:${ws.catalog}`, '-t', `${ws.template}:${ws.out}`, '--wait', '0'], { cwd: ws.dir, env: { NOTIFY_SOCKET: socketPath } });
    const ready = await daemon.waitFor(() => messages.find((m) => m.startsWith('READY=1')), { what: 'READY=1' });
    expect(ready).toMatch(/STATUS=1 template\(s\) rendered/);
    expect(ready).toContain(`MAINPID=${daemon.pid}`);
    expect(await readIfExists(ws.out)).toBe('server 10.0.0.1;\n');
    await editFile(ws.catalog, CATALOG_2);
    await daemon.waitFor(() => messages.some((m) => /^STATUS=1 change\(s\) applied/.test(m)), { what: 'a STATUS update' });
    await daemon.stop();
    expect(messages.some((m) => m.startsWith('STOPPING=1'))).toBe(true);
  });
});

describe('ctmpl validate', () => {
  test('says ok and exits 0 for good input, writing nothing', async () => {
    const ws = await workspace();
    const run = await runCtmpl(['validate', '--source', `file:${ws.catalog}`, '-t', `${TEMPLATES}/nginx-upstream.hbs:${ws.out}`], { cwd: ws.dir });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('ok: 1 template(s) and 1 catalog file(s) are valid');
    expect(await readIfExists(ws.out)).toBeUndefined();
  });

  test('reports every problem with its location and exits 2', async () => {
    const ws = await workspace();
    await writeFile(ws.template, 'a {{#if x}}\n{{/each}}');
    await writeFile(ws.catalog, 'services:\n  web: [ { address: 10.0.0.1, port: 99999 } ]\n');
    const missing = ['missing.hbs', 'gone.hbs'].map((name) => join(ws.dir, name));
    const run = await runCtmpl(['validate', '--source', `file:${ws.catalog}`, '-t', `${ws.template}:${ws.out}`, ...missing.flatMap((m, i) => ['-t', `${m}:${ws.out}.${i}`])], { cwd: ws.dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`${ws.template}:1:`);
    for (const [i, m] of missing.entries()) expect(run.stderr).toContain(`--template "${m}:${ws.out}.${i}": the template ${m} does not exist`);
    expect(run.stderr).toContain(`${ws.catalog}:2:`);
  });

  test('contacts no registry: a Consul source that does not answer is not an error', async () => {
    const ws = await workspace();
    const port = await freePort();
    const run = await runCtmpl(['validate', '--consul-addr', `127.0.0.1:${port}`, '-t', `${ws.template}:${ws.out}`], { cwd: ws.dir, timeoutMs: 5000 });
    expect(run.exitCode).toBe(0);
  });
});
