import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { nginxCheck } from '../support/checkers.js';
import { readIfExists, startCtmpl, TEMPLATES } from '../support/ctmpl.js';
import { startNacos } from '../support/nacos/harness.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

/**
 * `ctmpl --source nacos://…` with the shipped nginx template against a real Nacos server (rnacos):
 * registrations, health and enabled changes, an expiry, and a server restart that never empties
 * an upstream.
 */
const servers = (text: string | undefined, upstream: string): string[] => {
  const block = new RegExp(`upstream ${upstream} \\{([^}]*)\\}`).exec(text ?? '')?.[1] ?? '';
  return [...block.matchAll(/^\s+server (\S+)( [^;]*);/gm)].map((m) => m[1] as string).sort();
};

describe('the shipped nginx template from Nacos', () => {
  test('follows registrations, a disabled instance and an expiry, and keeps its upstream through a server restart', async () => {
    const nacos = await startNacos({ healthTimeoutS: 1, instanceTimeoutS: 2 });
    const dir = await tempDir('ctmpl-nacos-nginx-');
    const template = join(dir, 'up.hbs');
    await copyFile(join(TEMPLATES, 'nginx-upstream.hbs'), template);
    const out = join(dir, 'up.conf');
    const spec = (ip: string) => ({ service: 'web', ip, port: 8080 });
    const beats = [await nacos.registerWithHeartbeats(spec('10.8.0.1'), 500), await nacos.registerWithHeartbeats(spec('10.8.0.2'), 500)];
    const third = await nacos.registerWithHeartbeats(spec('10.8.0.3'), 500);
    const ctmpl = startCtmpl(['--source', `nacos://${nacos.address}`, '-t', `${template}:${out}`, '--wait', '0', '--max-removal', 'off', '--flap', 'off'], { cwd: dir, env: { CONSUL_HTTP_ADDR: '' } });
    const becomes = (expected: string[], what: string): Promise<unknown> => waitFor(async () => JSON.stringify(servers(await readIfExists(out), 'web')) === JSON.stringify(expected), { timeoutMs: 20_000, what });
    await becomes(['10.8.0.1:8080', '10.8.0.2:8080', '10.8.0.3:8080'], 'three instances of web');
    expect((await nginxCheck(out, { upstreams: ['web'] })).ok).toBe(true);

    await nacos.update({ ...spec('10.8.0.2'), enabled: false });
    await becomes(['10.8.0.1:8080', '10.8.0.3:8080'], 'the disabled instance out');
    // (Its heartbeats would register it again, enabled, after the restart below.)
    beats[1]?.stop();
    await nacos.deregister(spec('10.8.0.2'));
    third.stop();
    await becomes(['10.8.0.1:8080'], 'the instance without heartbeats expired');

    const versions = new Set<string>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        versions.add((await readIfExists(out)) ?? '');
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await nacos.restart();
    await becomes(['10.8.0.1:8080'], 'the instance back after the restart');
    await new Promise((r) => setTimeout(r, 3000));
    watching = false;
    await watcher;
    for (const version of versions) expect(servers(version, 'web').length, version).toBeGreaterThan(0);
    expect((await nginxCheck(out, { upstreams: ['web'] })).ok).toBe(true);
    for (const b of beats) b.stop();
    await ctmpl.stop();
  }, 240_000);
});
