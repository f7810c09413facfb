import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { describe, expect, test } from 'vitest';
import { readIfExists, startCtmpl } from '../support/ctmpl.js';
import { freePort } from '../support/ports.js';
import { registerCleanup, tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

/**
 * A destination on a file system that fills up: a real tmpfs of 256 KiB, mounted for the test
 * (the tests run as root, as CI does) and always unmounted. The disk is filled to the last byte,
 * the catalog changes, and then: the write fails with ENOSPC, the last good file stays whole,
 * /healthz says the file is not current, nothing staged is left behind; once space is freed the
 * retry writes the new file and /healthz is healthy again. In both write modes.
 */
const run = promisify(execFile);

async function mountTmpfs(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await run('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0755', 'tmpfs', dir]);
  registerCleanup(() => run('umount', ['-l', dir]).catch(() => undefined));
}

/** Writes 4 KiB blocks until the file system refuses (ENOSPC), then one byte at a time. */
async function fill(path: string): Promise<void> {
  await run('sh', ['-c', `dd if=/dev/zero of='${path}' bs=4k 2>/dev/null; dd if=/dev/zero bs=1 count=65536 >>'${path}' 2>/dev/null; true`]);
}

const catalogText = (ports: readonly number[]): string =>
  stringify({ services: { web: ports.map((port) => ({ id: `web-${port}`, address: '10.0.0.1', port })) } });

async function healthz(port: number): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
}

describe.each(['atomic', 'in_place'] as const)('a full disk (write mode %s)', (mode) => {
  test('keeps the last good file whole, says it is not current, and catches up once space is freed', async () => {
    const dir = await tempDir('ctmpl-full-');
    const disk = join(dir, 'disk');
    await mountTmpfs(disk);
    const catalog = join(dir, 'catalog.yaml');
    await writeFile(catalog, catalogText([8001]));
    const template = join(dir, 'up.hbs');
    // Enough text per instance that the new file needs blocks the old one does not have.
    await writeFile(template, '{{#each (service "web")}}server {{Address}}:{{Port}}; # {{ID}} ........................................................................................................\n{{/each}}');
    const destination = join(disk, 'upstream.conf');
    const port = await freePort();
    const ctmpl = startCtmpl(
      ['--source', `file:${catalog}`, '-t', `${template}:${destination}`, '--write-mode', mode, '--wait', '0', '--flap', 'off', '--reload-retry', '200ms:500ms', '--health-grace', '500ms', '--listen', `127.0.0.1:${port}`],
      { cwd: dir },
    );
    await waitFor(async () => (await readIfExists(destination))?.includes('web-8001'));
    const good = await readIfExists(destination);
    await waitFor(async () => (await healthz(port)) === 200);

    const filler = join(disk, 'filler');
    await fill(filler);
    await writeFile(catalog, catalogText(Array.from({ length: 40 }, (_, i) => 8001 + i)));

    const failure = await ctmpl.waitForLog((l) => /ENOSPC|no space/i.test(JSON.stringify(l)));
    expect(failure.level).toBeGreaterThanOrEqual(40);
    // Retried (not given up on), the old file whole each time, and /healthz unhealthy meanwhile.
    await ctmpl.waitForLog((l) => /ENOSPC|no space/i.test(JSON.stringify(l)), { count: 3 });
    expect(await readIfExists(destination)).toBe(good);
    await waitFor(async () => (await healthz(port)) === 503);
    expect((await readdir(disk)).sort()).toEqual(['filler', 'upstream.conf']);

    await rm(filler);
    await waitFor(async () => (await readIfExists(destination))?.includes('web-8040'));
    expect((await readIfExists(destination))?.split('\n').filter((l) => l.startsWith('server'))).toHaveLength(40);
    await waitFor(async () => (await healthz(port)) === 200);
    expect((await readdir(disk)).sort()).toEqual(['upstream.conf']);
    await ctmpl.stop();
  });
});
