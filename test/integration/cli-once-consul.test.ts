/**
 * A bounded --once: against a Consul that does not answer, ctmpl retries as consul-template does
 * (-consul-retry-attempts, its backoff) and then exits 1 naming the source, the dependency and the
 * last error; a permission error (403) ends it at once, naming the token and the permission it
 * lacks. The daemon never gives up (consul-template would exit there too; ctmpl keeps serving).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { startConsul } from '../support/consul.js';
import { startCountingProxy } from '../support/counting-proxy.js';
import { field, LEVEL, NO_CONSUL_ENV, readIfExists, runCtmpl, startCtmpl, type LogLine } from '../support/ctmpl.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';

const SERVICE_TEMPLATE = '{{#each (service "web")}}server {{Address}}:{{Port}};\n{{/each}}';
const KEY_TEMPLATE = 'flag={{key "app/x"}}\n';
const RETRY = ['-consul-retry-attempts=3', '-consul-retry-backoff=50ms', '-consul-retry-max-backoff=200ms'];

async function workspace(template: string): Promise<{ dir: string; template: string; out: string }> {
  const dir = await tempDir('ctmpl-once-consul-');
  await writeFile(join(dir, 't.hbs'), template);
  return { dir, template: join(dir, 't.hbs'), out: join(dir, 'out.conf') };
}

const gaveUp = (logs: readonly LogLine[]): LogLine | undefined => logs.find((l) => l.level === LEVEL.error && l.msg.startsWith('template cannot render: source "consul" gave up on'));

describe('--once with a Consul that does not answer', () => {
  test('gives up after the configured attempts (the first and 3 retries) and exits 1, naming the source, the dependency and the last error', async () => {
    const agent = await startConsul();
    await agent.kill();
    const proxy = await startCountingProxy(agent.address);
    const ws = await workspace(SERVICE_TEMPLATE);
    const started = Date.now();
    const run = await runCtmpl(['-consul-addr', proxy.address, '-template', `${ws.template}:${ws.out}`, '-once', ...RETRY, '--log-format', 'json'], { cwd: ws.dir, env: NO_CONSUL_ENV, timeoutMs: 20_000 });
    expect(run.timedOut, run.stdout + run.stderr).toBe(false);
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    expect(proxy.requests.filter((u) => u.pathname === '/v1/health/service/web')).toHaveLength(4);
    const line = gaveUp(run.logs);
    expect(line, run.stdout).toBeDefined();
    expect(field(line as LogLine, 'source')).toBe('consul');
    expect(field(line as LogLine, 'dependency')).toMatch(/web/);
    expect(field(line as LogLine, 'error')).toMatch(/^no answer after 4 attempts \(consul retry: 3 retries\); last error: /);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await readIfExists(ws.out)).toBeUndefined();
  });

  test('gives up the same way when nothing listens at all (connection refused)', async () => {
    const ws = await workspace(KEY_TEMPLATE);
    const run = await runCtmpl(['-consul-addr', `127.0.0.1:${await freePort()}`, '-template', `${ws.template}:${ws.out}`, '-once', ...RETRY, '--log-format', 'json'], { cwd: ws.dir, env: NO_CONSUL_ENV, timeoutMs: 20_000 });
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    expect(field(gaveUp(run.logs) as LogLine, 'error')).toMatch(/^no answer after 4 attempts .*ECONNREFUSED/);
  });

  test('keeps retrying with -consul-retry-attempts=0, as consul-template does', async () => {
    const agent = await startConsul();
    await agent.kill();
    const proxy = await startCountingProxy(agent.address);
    const ws = await workspace(SERVICE_TEMPLATE);
    const daemon = startCtmpl(['-consul-addr', proxy.address, '-template', `${ws.template}:${ws.out}`, '-once', '-consul-retry-attempts=0', '-consul-retry-backoff=20ms', '-consul-retry-max-backoff=50ms'], { cwd: ws.dir, env: NO_CONSUL_ENV });
    await daemon.waitFor(() => proxy.count() > 12, { timeoutMs: 15_000, what: 'more tries than any bound' });
    expect(daemon.exit).toBeUndefined();
    await daemon.stop();
  });
});

describe('--once with a token that may not read', () => {
  test('exits 1 at the first 403, naming the token (never its value) and the permission it lacks', async () => {
    const agent = await startConsul({ managementToken: 'e95b599e-166e-7d80-08ad-aee76e7ddf19' });
    await agent.api('PUT', '/v1/kv/app/x', 'on');
    const created = (await agent.api('PUT', '/v1/acl/token', { Description: 'no policy' })) as { SecretID: string };
    const proxy = await startCountingProxy(agent.address);
    const ws = await workspace(KEY_TEMPLATE);
    const tokenFile = join(ws.dir, 'consul-token');
    await writeFile(tokenFile, `${created.SecretID}\n`);
    const run = await runCtmpl(['-consul-addr', proxy.address, '-consul-token-file', tokenFile, '-template', `${ws.template}:${ws.out}`, '-once', '--log-format', 'json'], { cwd: ws.dir, env: NO_CONSUL_ENV, timeoutMs: 20_000 });
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    expect(proxy.requests.filter((u) => u.pathname === '/v1/kv/app/x')).toHaveLength(1);
    const line = gaveUp(run.logs) as LogLine;
    expect(field(line, 'error')).toBe(`permission denied (HTTP 403): the ACL token is missing or lacks read access: the ACL token in ${tokenFile} lacks key:read on "app/x"`);
    expect(run.stdout + run.stderr).not.toContain(created.SecretID);
  });

  test('treats instances hidden by ACLs the same way (Consul answers 200 with less data)', async () => {
    const agent = await startConsul({ managementToken: '2b4c8e0a-7f5d-4c3e-9a1b-6d8f0e2c4a6b' });
    await agent.api('PUT', '/v1/agent/service/register', { ID: 'web-1', Name: 'web', Address: '10.0.0.1', Port: 80 });
    const created = (await agent.api('PUT', '/v1/acl/token', { Description: 'no policy' })) as { SecretID: string };
    const ws = await workspace(SERVICE_TEMPLATE);
    const run = await runCtmpl(['-consul-addr', agent.address, '-consul-token', created.SecretID, '-template', `${ws.template}:${ws.out}`, '-once', ...RETRY, '--log-format', 'json'], { cwd: ws.dir, env: NO_CONSUL_ENV, timeoutMs: 20_000 });
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    expect(field(gaveUp(run.logs) as LogLine, 'error')).toMatch(/the ACL token given by --consul-token, consul.token or CONSUL_HTTP_TOKEN lacks service:read on "web"/);
    expect(run.stdout + run.stderr).not.toContain(created.SecretID);
    expect(await readIfExists(ws.out)).toBeUndefined();
  });
});
