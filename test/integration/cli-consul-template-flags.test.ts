/**
 * Every flag of consul-template 0.42 on ctmpl's command line, in each spelling Go reads (single
 * dash, `=value`, value apart) and with two dashes: an alias that takes effect (what it sets is
 * checked in test/unit/cli/consul-template-flags.test.ts) or a clear refusal (exit 2, `ctmpl:
 * error:`, the flag named, the reason). Whatever the flag, its value never runs as a command, never
 * appears in a log line, and a refused flag changes no file. Then the command lines of the issue
 * that found unknown flags read as short-option clusters (a password run as the reload command).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type ExpectStatic } from 'vitest';
import { mentions, RUN_LIMIT_MS, workspace } from '../support/bad-input.js';
import { NO_CONSUL_ENV, readLines, runCtmpl, type RunResult } from '../support/ctmpl.js';
import { freePort } from '../support/ports.js';
import { CONSUL_TEMPLATE_0_42_FLAGS, spellings } from '../unit/cli/consul-template-0.42-flags.js';

/** A run that would render with a static catalog and run a command that records each run. */
function baseArgs(ws: { template: string; destination: string; catalog: string; dir: string }): string[] {
  return ['--source', `file:${ws.catalog}`, '-t', `${ws.template}:${ws.destination}`, '-c', `echo ran >> ${join(ws.dir, 'ran.log')}`, '-once', '--log-format', 'json'];
}

/** Values that must never reach a log line or a command (a refused flag must not show its value anywhere). */
const CANARY = /CANARY/;

/** `expect` is the test's own: the cases run concurrently. */
function expectNoLeak(expect: ExpectStatic, run: RunResult, ranLog: readonly string[], what: string): void {
  expect.soft(run.timedOut, `${what}: kept running\n${run.stdout}${run.stderr}`).toBe(false);
  expect.soft(run.logs.filter((l) => CANARY.test(JSON.stringify(l))), `${what}: a log line shows the value`).toEqual([]);
  expect.soft(ranLog.filter((l) => l !== 'ran'), `${what}: the command ran with something else`).toEqual([]);
}

describe("consul-template 0.42's flags on ctmpl's command line", () => {
  const cases = CONSUL_TEMPLATE_0_42_FLAGS.flatMap((c) => spellings(c).map((s) => ({ c, ...s })));

  for (const { c, form, args } of cases) {
    test.concurrent(`${args.join(' ')} (${form}): ${c.expect.kind === 'refused' ? 'refused with exit 2' : 'read as ctmpl reads it'}`, async ({ expect, onTestFinished }) => {
      const ws = await workspace({ onTestFinished });
      const run = await runCtmpl([...baseArgs(ws), ...args], { cwd: ws.dir, env: NO_CONSUL_ENV, timeoutMs: RUN_LIMIT_MS });
      const ranLog = await readLines(join(ws.dir, 'ran.log'));
      expectNoLeak(expect, run, ranLog, args.join(' '));
      expect.soft([0, 1, 2], `exit code\n${run.stderr}`).toContain(run.exitCode);
      if (run.exitCode === 2) expect.soft(run.stderr, 'a usage error says so').toMatch(/^ctmpl: error: /);
      if (c.expect.kind === 'refused') {
        expect.soft(run.exitCode, run.stderr).toBe(2);
        expect.soft(mentions(run.stderr, (args[0] as string).replace(/=.*$/, '')), `names the flag:\n${run.stderr}`).toBe(true);
        expect.soft(run.stderr).toMatch(c.expect.reason);
        expect.soft(run.stderr).not.toMatch(CANARY);
        expect.soft(ranLog, 'no command ran').toEqual([]);
        expect.soft(existsSync(ws.destination), 'nothing written').toBe(false);
      }
    });
  }
});

describe('the command lines of the issue', () => {
  test.concurrent('-consul-auth=bob:s3cretpw is basic auth towards Consul: never a command, never in a log line', async ({ expect, onTestFinished }) => {
    const ws = await workspace({ onTestFinished });
    const args = ['-consul-auth=bob:s3cretpw', '-consul-addr', `127.0.0.1:${await freePort()}`, '-consul-retry-attempts=1', '-consul-retry-backoff=10ms', '-template', `${ws.template}:${ws.destination}`, '-c', `echo ran >> ${join(ws.dir, 'ran.log')}`, '-once', '--log-format', 'json'];
    const run = await runCtmpl(args, { cwd: ws.dir, env: NO_CONSUL_ENV, timeoutMs: RUN_LIMIT_MS });
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    expect(run.stdout + run.stderr).not.toContain('s3cretpw');
    expect(run.stdout + run.stderr).not.toContain('onsul-auth');
    expect(await readLines(join(ws.dir, 'ran.log'))).toEqual([]);
  });

  test.concurrent('-consul-ssl-ca-cert=PATH is the CA certificate: a missing one is named, nothing runs, nothing is rolled back', async ({ expect, onTestFinished }) => {
    const ws = await workspace({ onTestFinished });
    const run = await runCtmpl(['-consul-ssl-ca-cert=/nonexistent/consul/ca.pem', '-consul-addr', `127.0.0.1:${ws.closedPort}`, '-template', `${ws.template}:${ws.destination}`, '-c', `echo ran >> ${join(ws.dir, 'ran.log')}`, '-once'], {
      cwd: ws.dir,
      env: NO_CONSUL_ENV,
      timeoutMs: RUN_LIMIT_MS,
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('ctmpl: error: -consul-ssl-ca-cert (--consul-ca-cert): the Consul CA certificate /nonexistent/consul/ca.pem does not exist\n  hint: give the path of a readable file\n');
    expect(await readLines(join(ws.dir, 'ran.log'))).toEqual([]);
  });

  test.concurrent('-vault-addr=… is refused (it printed the version and exited 0)', async ({ expect, onTestFinished }) => {
    const ws = await workspace({ onTestFinished });
    const run = await runCtmpl([...baseArgs(ws), '-vault-addr=https://vault.example:8200'], { cwd: ws.dir, env: NO_CONSUL_ENV, timeoutMs: RUN_LIMIT_MS });
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^ctmpl: error: -vault-addr \(a consul-template flag\) is not supported\n {2}hint: ctmpl does not read Vault/);
  });

  test.concurrent('-template-error-fatal=false is what ctmpl does: the run goes on, no template named "emplate-error-fatal=false"', async ({ expect, onTestFinished }) => {
    const ws = await workspace({ onTestFinished });
    const run = await runCtmpl([...baseArgs(ws), '-template-error-fatal=false'], { cwd: ws.dir, env: NO_CONSUL_ENV, timeoutMs: RUN_LIMIT_MS });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toContain('emplate-error-fatal');
    expect(existsSync(ws.destination)).toBe(true);
  });

  test.concurrent.for(['-x', '-long-name', '-long-name=CANARY-secret', '--long-name', '--long-name=CANARY-secret', '-tCANARY', '-cCANARY'])(
    'an unknown %s is refused before anything runs, its value never shown',
    async (arg, { expect, onTestFinished }) => {
      const ws = await workspace({ onTestFinished });
      const run = await runCtmpl([...baseArgs(ws), arg], { cwd: ws.dir, env: NO_CONSUL_ENV, timeoutMs: RUN_LIMIT_MS });
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(/^ctmpl: error: unknown option /);
      expect(run.stderr).not.toMatch(/=CANARY/);
      expect(await readLines(join(ws.dir, 'ran.log'))).toEqual([]);
      expect(existsSync(ws.destination)).toBe(false);
    },
  );
});
