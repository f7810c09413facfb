import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTtlInstance, setCheck, startConsul, type ConsulAgent } from '../support/consul.js';
import { readIfExists, readLines, startCtmpl } from '../support/ctmpl.js';
import { tempDir } from '../support/tmp.js';

/** Protection against a real Consul agent: mass failures are held, flapping is damped. */
describe('protection against a real Consul', () => {
  let agent: ConsulAgent;
  const checks: string[] = [];

  beforeAll(async () => {
    agent = await startConsul();
    for (let i = 1; i <= 10; i++) {
      const check = await registerTtlInstance(agent, { id: `web-${i}`, name: 'web', address: `10.0.0.${i}`, port: 8080 });
      await setCheck(agent, check, 'pass');
      checks.push(check);
    }
  }, 60_000);

  afterAll(async () => {
    await agent.stop();
  });

  const servers = (text: string | undefined): number => (text ?? '').split('\n').filter((l) => l.startsWith('server ')).length;
  const held = (text: string | undefined): number => (text ?? '').split('\n').filter((l) => l.includes('# held')).length;

  async function workspace(): Promise<{ dir: string; template: string; out: string; runs: string }> {
    const dir = await tempDir();
    const template = join(dir, 'up.hbs');
    await writeFile(template, '{{#each (service "web")}}server {{Address}}:{{Port}};{{#if Held}} # held{{/if}}\n{{/each}}');
    return { dir, template, out: join(dir, 'up.conf'), runs: join(dir, 'runs.log') };
  }

  it('keeps at least 8 of 10 in the file when 6 checks fail at once, says why, and follows the restore', async () => {
    const ws = await workspace();
    const daemon = startCtmpl(['--consul-addr', agent.address, '-t', `${ws.template}:${ws.out}`, '-c', `echo run >> ${ws.runs}`, '--wait', '0', '--flap', 'off'], { cwd: ws.dir });
    await daemon.waitFor(async () => servers(await readIfExists(ws.out)) === 10, { timeoutMs: 15_000, what: 'all 10 servers' });

    await Promise.all(checks.slice(0, 6).map((c) => setCheck(agent, c, 'fail')));
    await daemon.waitForLog((l) => /removal guard allows/.test(l.msg), { timeoutMs: 15_000 });
    const during = await daemon.waitFor(async () => {
      const text = await readIfExists(ws.out);
      return held(text) > 0 ? text : undefined;
    }, { timeoutMs: 15_000, what: 'held instances in the file' });
    expect(servers(during)).toBeGreaterThanOrEqual(8);
    // Later deliveries of the same state never take the file below 8 either.
    await daemon.waitFor(async () => (await readLines(ws.runs)).length >= 2, { timeoutMs: 15_000, what: 'the guarded render to run the command' });
    expect(servers(await readIfExists(ws.out))).toBeGreaterThanOrEqual(8);

    await Promise.all(checks.slice(0, 6).map((c) => setCheck(agent, c, 'pass')));
    await daemon.waitFor(async () => {
      const text = await readIfExists(ws.out);
      return servers(text) === 10 && held(text) === 0;
    }, { timeoutMs: 15_000, what: 'all 10 back, none held' });
  });

  it('runs the command a bounded number of times while one check flaps every 100 ms for 10 s', async () => {
    const ws = await workspace();
    const daemon = startCtmpl(['--consul-addr', agent.address, '-t', `${ws.template}:${ws.out}`, '-c', `echo run >> ${ws.runs}`, '--wait', '1s:5s'], { cwd: ws.dir });
    await daemon.waitFor(async () => (await readLines(ws.runs)).length === 1, { timeoutMs: 15_000, what: 'the first render' });

    const flapping = checks[9] as string;
    let flips = 0;
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      await setCheck(agent, flapping, flips % 2 === 0 ? 'fail' : 'pass');
      flips += 1;
      await new Promise((r) => setTimeout(r, 100));
    }
    await setCheck(agent, flapping, 'pass');
    // After the flapping: the damped wait (the 30 s flap window) at most, then the file settles on 10.
    await daemon.waitFor(async () => servers(await readIfExists(ws.out)) === 10 && held(await readIfExists(ws.out)) === 0, { timeoutMs: 45_000, what: 'the settled file' });
    const runs = (await readLines(ws.runs)).length - 1;
    expect(flips).toBeGreaterThan(50);
    // Damping switches on after 5 changes: at most one render per damped wait, plus the settling one.
    expect(runs).toBeLessThanOrEqual(3);
    expect(daemon.logs().some((l) => /is flapping/.test(l.msg))).toBe(true);
  }, 90_000);
});
