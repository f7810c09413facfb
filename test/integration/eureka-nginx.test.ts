import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { nginxCheck } from '../support/checkers.js';
import { readIfExists, startCtmpl, TEMPLATES } from '../support/ctmpl.js';
import { startEureka, type EurekaRegistration } from '../support/eureka/harness.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

/**
 * `ctmpl --source eureka://…` with the shipped nginx template against a real Eureka server:
 * registrations, a status change, an expiry, and a server restart that never empties an upstream.
 */
const servers = (text: string | undefined, upstream: string): string[] => {
  const block = new RegExp(`upstream ${upstream} \\{([^}]*)\\}`).exec(text ?? '')?.[1] ?? '';
  return [...block.matchAll(/^\s+server (\S+)( [^;]*);(.*)$/gm)].map((m) => `${m[1]}${/held/.test(m[3] ?? '') ? ' held' : ''}`).sort();
};

describe('the shipped nginx template from Eureka', () => {
  test('follows registrations, OUT_OF_SERVICE and expiry, and keeps its upstream through a server restart', async () => {
    const eureka = await startEureka();
    const dir = await tempDir('ctmpl-eureka-nginx-');
    const template = join(dir, 'up.hbs');
    await copyFile(join(TEMPLATES, 'nginx-upstream.hbs'), template);
    const out = join(dir, 'up.conf');
    const w = (id: string, ip: string, lease = 2): EurekaRegistration => ({ app: 'web', id, ip, port: 8080, leaseSeconds: lease });
    const beats = [eureka.keepAlive(w('w1', '10.9.0.1'), 500), eureka.keepAlive(w('w2', '10.9.0.2'), 500)];
    const w3 = eureka.keepAlive(w('w3', '10.9.0.3'), 500);
    const ctmpl = startCtmpl(['--source', `eureka://${eureka.address}?interval=1s`, '-t', `${template}:${out}`, '--wait', '0', '--max-removal', 'off', '--flap', 'off'], { cwd: dir, env: { CONSUL_HTTP_ADDR: '' } });
    const becomes = (expected: string[], what: string): Promise<unknown> => waitFor(async () => JSON.stringify(servers(await readIfExists(out), 'WEB')) === JSON.stringify(expected), { timeoutMs: 20_000, what });
    await becomes(['10.9.0.1:8080', '10.9.0.2:8080', '10.9.0.3:8080'], 'three instances of WEB');
    expect((await nginxCheck(out, { upstreams: ['WEB'] })).ok).toBe(true);

    await eureka.setStatus('web', 'w2', 'OUT_OF_SERVICE');
    await becomes(['10.9.0.1:8080', '10.9.0.3:8080'], 'w2 out of service (not passing)');
    // (Its client would register it again, UP, after the restart below.)
    beats[1]?.();
    await eureka.deregister('web', 'w2');
    // w3 stops its heartbeats: Eureka evicts it, and it leaves the upstream.
    w3();
    await becomes(['10.9.0.1:8080'], 'w3 expired');

    // Restarted, the server serves an empty registry until the clients register again: the
    // upstream keeps its instance (marked held) and is whole again once it is back.
    // Every version of the file while the server restarts (a bad one would last a delta interval).
    const versions = new Set<string>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        versions.add((await readIfExists(out)) ?? '');
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await eureka.restart();
    await becomes(['10.9.0.1:8080'], 'w1 back after the restart');
    // A few delta intervals more, then every version seen had its upstream with a server.
    await new Promise((r) => setTimeout(r, 3000));
    watching = false;
    await watcher;
    for (const version of versions) expect(servers(version, 'WEB').length, version).toBeGreaterThan(0);
    expect((await nginxCheck(out, { upstreams: ['WEB'] })).ok).toBe(true);
    for (const stop of beats) stop();
    await ctmpl.stop();
  }, 240_000);
});
