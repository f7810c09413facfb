/**
 * Bad input is refused before anything runs, and secrets never show: credentials.
 *
 * 3. Credentials (CONSUL_HTTP_TOKEN, --consul-token, a token file, CONSUL_HTTP_TOKEN_FILE, the
 *    config file's consul.token, CONSUL_HTTP_AUTH) never appear in stdout, stderr (json and pretty
 *    logs at trace level), `--dry` output, /metrics, /status or error messages, against a Consul
 *    answering 403 and 500 and against an unreachable address; the `env` helper withholds them.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test, type ExpectStatic, type TestContext } from 'vitest';
import { NO_CONSUL_ENV, runCtmpl, startCtmpl, type Daemon, type RunResult } from '../support/ctmpl.js';
import { HEALTH, startFakeConsul, type FakeConsul } from '../support/fake-consul.js';
import { freePort } from '../support/ports.js';
import { expectRefused, RUN_LIMIT_MS, workspace } from '../support/bad-input.js';

// =============================================================================================
// 3. Credentials
// =============================================================================================

interface Channel {
  readonly name: string;
  /** Environment, arguments and config for ctmpl, given the secret and a scratch directory. */
  setup(secret: string, dir: string): Promise<{ env: Record<string, string>; args: string[]; config?: Record<string, unknown> }>;
  /** How the secret travels to Consul (each test proves the secret was really in use). */
  readonly sent: (secret: string) => { header: string; value: string };
}

const USER = 'ctmpl-user';
const tokenHeader = (secret: string): { header: string; value: string } => ({ header: 'x-consul-token', value: secret });
const basicAuth = (secret: string): { header: string; value: string } => ({ header: 'authorization', value: `Basic ${Buffer.from(`${USER}:${secret}`).toString('base64')}` });

const CHANNELS: readonly Channel[] = [
  { name: 'CONSUL_HTTP_TOKEN', setup: async (s) => ({ env: { CONSUL_HTTP_TOKEN: s }, args: [] }), sent: tokenHeader },
  { name: '--consul-token', setup: async (s) => ({ env: {}, args: ['--consul-token', s] }), sent: tokenHeader },
  {
    name: '--consul-token-file',
    setup: async (s, dir) => {
      await writeFile(join(dir, 'token'), `${s}\n`);
      return { env: {}, args: ['--consul-token-file', join(dir, 'token')] };
    },
    sent: tokenHeader,
  },
  {
    name: 'CONSUL_HTTP_TOKEN_FILE',
    setup: async (s, dir) => {
      await writeFile(join(dir, 'token'), `${s}\n`);
      return { env: { CONSUL_HTTP_TOKEN_FILE: join(dir, 'token') }, args: [] };
    },
    sent: tokenHeader,
  },
  { name: 'consul.token in the config file', setup: async (s) => ({ env: {}, args: [], config: { consul: { token: s } } }), sent: tokenHeader },
  { name: 'CONSUL_HTTP_AUTH', setup: async (s) => ({ env: { CONSUL_HTTP_AUTH: `${USER}:${s}` }, args: [] }), sent: basicAuth },
];

const FORMATS = ['json', 'pretty'] as const;

/** A fresh secret: random, so any trace of it is a leak. */
const newSecret = (): string => `s3cr3t-${randomUUID()}`;

/** The forms a leaked secret could take: itself, a basic-auth header carrying it, a random fragment of it. */
const leakForms = (secret: string): string[] => [secret, Buffer.from(`${USER}:${secret}`).toString('base64'), secret.slice(-16)];

function expectNoSecret(ex: ExpectStatic, text: string, secret: string, where: string): void {
  for (const form of leakForms(secret)) ex(text.includes(form), `${where} holds the secret (${form}):\n${text}`).toBe(false);
}

/** ctmpl's arguments and environment for a channel (writing its token file or config file). */
async function channelArgs(channel: Channel, secret: string, dir: string): Promise<{ env: Record<string, string>; args: string[] }> {
  const { env, args, config } = await channel.setup(secret, dir);
  if (config === undefined) return { env, args };
  await writeFile(join(dir, 'ctmpl.json'), JSON.stringify(config));
  return { env, args: [...args, '--config', join(dir, 'ctmpl.json')] };
}

/** /metrics, /status and /healthz, as text. */
async function endpoints(daemon: Daemon, base: string): Promise<string> {
  const get = async (path: string): Promise<string> => (await fetch(`${base}${path}`)).text();
  return daemon.waitFor(async () => `${await get('/metrics')}\n${await get('/status')}\n${await get('/healthz')}`, { timeoutMs: 10_000, what: '/metrics, /status and /healthz' });
}

/** Waits until ctmpl's output (json or pretty) has matched `pattern` `count` times. */
function waitForText(daemon: Daemon, pattern: RegExp, what: string, count = 1): Promise<true> {
  const global = new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`);
  return daemon.waitFor(() => ([...`${daemon.stdout()}${daemon.stderr()}`.matchAll(global)].length >= count ? true : undefined), { timeoutMs: 20_000, what });
}

/**
 * The daemon and the fake Consul register their cleanups with the global onTestFinished, which is
 * only safe in tests that run one at a time: these do.
 */
describe('credentials never shown', () => {
  for (const channel of CHANNELS) for (const format of FORMATS) describe(`${channel.name}, ${format} logs at trace level`, () => {
    test('Consul answering 403, then 500, then gone (connection refused): not in stdout, stderr, /metrics, /status or /healthz — and it was sent', async (context) => {
      const { expect } = context;
      const secret = newSecret();
      const ws = await workspace(context);
      const fake: FakeConsul = await startFakeConsul();
      fake.setService('web', [{ id: 'web-1', address: '10.0.0.1', port: 8080 }]);
      const denied = fake.inject(HEALTH('web'), { kind: 'status', status: 403, body: 'Permission denied: token lacks service:read\n' });
      const { env, args } = await channelArgs(channel, secret, ws.dir);
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const daemon = startCtmpl(
        ['-t', `${ws.template}:${ws.destination}`, '--consul-addr', fake.address, '--wait', '0', '--block-query-wait', '1s', '--log-level', 'trace', '--log-format', format, '--listen', `127.0.0.1:${port}`, ...args],
        { cwd: ws.dir, env: { ...NO_CONSUL_ENV, ...env } },
      );
      const shown: string[] = [];

      await waitForText(daemon, /permission denied/i, 'the 403 to be logged');
      shown.push(await endpoints(daemon, base));
      denied.clear();
      await waitForText(daemon, /answers again/, 'Consul to answer again');
      const failing = fake.inject(HEALTH('web'), { kind: 'status', status: 500 });
      await waitForText(daemon, /HTTP 500/, 'the 500 to be logged');
      shown.push(await endpoints(daemon, base));
      failing.clear();
      await waitForText(daemon, /answers again/, 'Consul to answer again after the 500s', 2);
      await fake.close();
      await waitForText(daemon, /ECONNREFUSED|ECONNRESET|socket hang up/, 'the lost connection to be logged');
      shown.push(await endpoints(daemon, base));
      await daemon.stop();

      const { header, value } = channel.sent(secret);
      expect(fake.requests.some((r) => r.headers[header] === value), `the secret reached Consul in ${header}`).toBe(true);
      expectNoSecret(expect, daemon.stdout(), secret, 'stdout');
      expectNoSecret(expect, daemon.stderr(), secret, 'stderr');
      expectNoSecret(expect, shown.join('\n'), secret, '/metrics, /status, /healthz');
    });

    test('--dry --once with data: not in the rendered output or the logs', async (context) => {
      const { expect } = context;
      const secret = newSecret();
      const ws = await workspace(context);
      const fake = await startFakeConsul();
      fake.setService('web', [{ id: 'web-1', address: '10.0.0.1', port: 8080 }]);
      const { env, args } = await channelArgs(channel, secret, ws.dir);
      const run = await runCtmpl(['-t', `${ws.template}:${ws.destination}`, '--consul-addr', fake.address, '--once', '--dry', '--log-level', 'trace', '--log-format', format, ...args], {
        cwd: ws.dir,
        env: { ...NO_CONSUL_ENV, ...env },
      });
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toContain('server 10.0.0.1:8080;');
      const { header, value } = channel.sent(secret);
      expect(fake.requests.some((r) => r.headers[header] === value), `the secret reached Consul in ${header}`).toBe(true);
      expectNoSecret(expect, run.stdout, secret, '--dry output');
      expectNoSecret(expect, run.stderr, secret, 'the logs');
    });
  });

  for (const { what, env, args } of [
    { what: 'CONSUL_HTTP_AUTH without a colon', env: (s: string) => ({ CONSUL_HTTP_AUTH: s }), args: [] },
    { what: 'credentials in CONSUL_HTTP_ADDR (user:password@host)', env: (s: string) => ({ CONSUL_HTTP_ADDR: `http://${USER}:${s}@127.0.0.1:8500` }), args: [] },
    { what: 'credentials in CONSUL_HTTP_ADDR with an unknown scheme', env: (s: string) => ({ CONSUL_HTTP_ADDR: `ftp://${USER}:${s}@127.0.0.1:8500` }), args: [] },
    { what: 'credentials in --consul-addr', env: () => ({}), args: (s: string) => ['--consul-addr', `https://${USER}:${s}@127.0.0.1:8501`] },
  ]) test(`an input error about ${what}: exit 2, and the secret is not in it`, async (context) => {
    const ws = await workspace(context);
    const secret = newSecret();
    const extra = typeof args === 'function' ? args(secret) : args;
    const run = await runCtmpl(['-t', `${ws.template}:${ws.destination}`, '--once', ...extra], { cwd: ws.dir, env: { ...NO_CONSUL_ENV, ...env(secret) }, timeoutMs: RUN_LIMIT_MS });
    expectRefused(run, ws, 'the bad credential setting');
    expectNoSecret(context.expect, `${run.stdout}${run.stderr}`, secret, 'the error');
  });

  describe('the env helper', () => {
    const CREDENTIALS = ['CONSUL_HTTP_TOKEN', 'CONSUL_HTTP_AUTH', 'FOO_PASSWORD', 'DB_PASSWD', 'MY_SECRET', 'AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'github_token', 'STRIPE_API_KEY', 'SSH_PRIVATE_KEY', 'GCP_CREDENTIALS'] as const;
    const template = `${CREDENTIALS.map((n) => `${n}=[{{env "${n}"}}]`).join('\n')}\nREGION=[{{env "REGION"}}]\n`;

    async function renderEnv(context: TestContext, args: readonly string[], config?: Record<string, unknown>): Promise<{ shown: Map<string, string>; secrets: Map<string, string>; run: RunResult }> {
      const ws = await workspace(context);
      await writeFile(ws.template, template);
      const secrets = new Map<string, string>(CREDENTIALS.map((n) => [n, newSecret()]));
      const configArgs: string[] = [];
      if (config) {
        await writeFile(join(ws.dir, 'ctmpl.json'), JSON.stringify(config));
        configArgs.push('--config', join(ws.dir, 'ctmpl.json'));
      }
      const run = await runCtmpl(['--source', `file:${ws.catalog}`, '-t', `${ws.template}:${ws.destination}`, '--once', '--dry', '--log-level', 'trace', '--log-format', 'json', ...configArgs, ...args], {
        cwd: ws.dir,
        env: { ...NO_CONSUL_ENV, ...Object.fromEntries(secrets), REGION: 'eu-west' },
      });
      context.expect(run.exitCode, run.stderr).toBe(0);
      const shown = new Map([...run.stdout.matchAll(/^([A-Za-z_]+)=\[(.*)\]$/gm)].map((m) => [m[1] as string, m[2] as string]));
      return { shown, secrets, run };
    }

    test('withholds every credential-looking variable by default; other variables are shown', async (context) => {
      const { shown, secrets, run } = await renderEnv(context, []);
      for (const name of CREDENTIALS) context.expect(shown.get(name), name).toBe('');
      context.expect(shown.get('REGION')).toBe('eu-west');
      for (const value of secrets.values()) expectNoSecret(context.expect, `${run.stdout}${run.stderr}`, value, 'the output');
    });

    for (const { what, args, config, allowed } of [
      { what: '--env-allow FOO_PASSWORD', args: ['--env-allow', 'FOO_PASSWORD'], config: undefined, allowed: 'FOO_PASSWORD' },
      { what: '--env-allow CONSUL_HTTP_TOKEN', args: ['--env-allow', 'CONSUL_HTTP_TOKEN'], config: undefined, allowed: 'CONSUL_HTTP_TOKEN' },
      { what: 'env_allow: [FOO_PASSWORD] in the config file', args: [], config: { env_allow: ['FOO_PASSWORD'] }, allowed: 'FOO_PASSWORD' },
    ]) test(`with ${what}: shows exactly that variable, and nothing outside the allowlist`, async (context) => {
      const { shown, secrets } = await renderEnv(context, args, config);
      for (const name of CREDENTIALS) context.expect(shown.get(name), name).toBe(name === allowed ? secrets.get(name) : '');
      context.expect(shown.get('REGION'), 'an allowlist shows only its names').toBe('');
    });
  });
});
