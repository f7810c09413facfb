/**
 * ConsulClient over HTTP against the scripted fake Consul (test/support/fake-consul.ts) for reads,
 * and a small recording server for what the fake does not serve (writes, sessions, /v1/agent/self).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, test } from 'vitest';
import { ConsulClient, ConsulRequestError, type BlockingOptions, type ConsulRequest } from '../../../../src/registries/consul/client.js';
import type { ConsulSettings } from '../../../../src/registries/consul/settings.js';
import { CATALOG_SERVICES, HEALTH, KV, startFakeConsul, type FakeConsul } from '../../../support/fake-consul.js';
import { registerCleanup } from '../../../support/tmp.js';

function settings(address: string, extra: Partial<ConsulSettings> = {}): ConsulSettings {
  return {
    address,
    scheme: 'http',
    token: undefined,
    tokenFile: undefined,
    auth: undefined,
    tls: { caCert: undefined, caPath: undefined, clientCert: undefined, clientKey: undefined, serverName: undefined, verify: true },
    blockWaitMs: 1000,
    maxStaleMs: 2000,
    consistent: false,
    cached: false,
    minIntervalMs: 0,
    retry: { enabled: true, attempts: 12 },
    ...extra,
  } as ConsulSettings;
}

const WEB: ConsulRequest = { kind: 'health', service: 'web', passingOnly: true };
const FIRST: BlockingOptions = { index: 0, waitMs: 1000, mode: 'stale' };
const signal = (): AbortSignal => new AbortController().signal;

async function withFake(): Promise<{ fake: FakeConsul; client: ConsulClient }> {
  const fake = await startFakeConsul({ maxWaitMs: 2000 });
  const client = new ConsulClient(settings(fake.address), 'secret-token');
  registerCleanup(() => client.destroy());
  return { fake, client };
}

/** A server that answers every request with `answer(req, body)` and records what it was asked. */
async function recordingServer(answer: (req: IncomingMessage, body: string) => { status: number; body: string; headers?: Record<string, string> }): Promise<{ address: string; seen: { method: string; url: string; body: string; headers: IncomingMessage['headers'] }[] }> {
  const seen: { method: string; url: string; body: string; headers: IncomingMessage['headers'] }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, headers: req.headers });
      const a = answer(req, body);
      res.writeHead(a.status, { 'Content-Type': 'application/json', ...a.headers });
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registerCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.unref();
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('ConsulClient reads', () => {
  test('asks a blocking health query with the index, the wait in seconds, the read mode and the filters; the token goes in a header only', async () => {
    const { fake, client } = await withFake();
    fake.setService('web', [{ id: 'web-1', address: '10.0.0.1', port: 80, tags: ['v1'] }], { index: 42 });
    await client.read({ kind: 'health', service: 'web', tag: 'v1', passingOnly: true, dc: 'dc1' }, { index: 0, waitMs: 60_000, mode: 'stale' }, signal());
    await client.read(WEB, { index: 42, waitMs: 1000, mode: 'consistent' }, AbortSignal.timeout(50)).catch(() => undefined);
    const [first, second] = fake.requestsFor(HEALTH('web'));
    expect(first?.query).toEqual({ tag: 'v1', passing: 'true', dc: 'dc1', stale: '1', index: '0', wait: '60s' });
    expect(second?.query).toEqual({ passing: 'true', consistent: '1', index: '42', wait: '1s' });
    expect(first?.headers['x-consul-token']).toBe('secret-token');
    expect(JSON.stringify(fake.requests.map((r) => r.query))).not.toContain('secret-token');
  });

  test('surfaces the index, leader contact and query backend of the reply', async () => {
    const { fake, client } = await withFake();
    fake.setService('web', [{ id: 'web-1', address: '10.0.0.1', port: 80 }], { index: 7 });
    fake.inject(HEALTH('web'), { kind: 'lastContact', ms: 1500 }, 1);
    const reply = await client.read(WEB, FIRST, signal());
    expect(reply).toMatchObject({ index: 7, knownLeader: true, lastContactMs: 1500, backend: 'blocking-query' });
    expect(Array.isArray(reply.body) && reply.body.length).toBe(1);
  });

  test('decodes the body only when it is read: a truncated body fails then, as a classified error', async () => {
    const { fake, client } = await withFake();
    fake.setService('web', [{ id: 'web-1', address: '10.0.0.1', port: 80 }]);
    fake.inject(HEALTH('web'), { kind: 'truncate' }, 1);
    const reply = await client.read(WEB, FIRST, signal());
    expect(reply.index).toBeGreaterThan(0);
    expect(() => reply.body).toThrow(new ConsulRequestError('Consul sent a reply that is not valid JSON (truncated?)', undefined));
  });

  test('lets the body of a reply go when the next read of the same request starts (a watch keeps its last reply while it waits)', async () => {
    const { fake, client } = await withFake();
    const index = fake.setService('web', [{ id: 'web-1', address: '10.0.0.1', port: 80 }]);
    const first = await client.read(WEB, FIRST, signal());
    const other = await client.read({ kind: 'health', service: 'web', passingOnly: false }, FIRST, signal());
    const controller = new AbortController();
    const next = client.read(WEB, { index, waitMs: 60_000, mode: 'stale' }, controller.signal);
    expect(() => first.body).toThrow(/read after the next read of the same request started/);
    // Another request's reply is not affected.
    expect(Array.isArray(other.body)).toBe(true);
    controller.abort();
    await next.catch(() => undefined);
  });

  test('reads KV as the consul client did: a missing key is undefined, values are decoded, a prefix lists every entry', async () => {
    const { fake, client } = await withFake();
    expect((await client.read({ kind: 'key', key: 'app/missing' }, FIRST, signal())).body).toBeUndefined();
    fake.setKey('app/pool/a', 'één');
    fake.setKey('app/pool/b', '2');
    const one = (await client.read({ kind: 'key', key: 'app/pool/a' }, FIRST, signal())).body as { Key: string; Value: string };
    expect(one).toMatchObject({ Key: 'app/pool/a', Value: 'één' });
    const all = (await client.read({ kind: 'keys', prefix: 'app/pool' }, FIRST, signal())).body as { Key: string; Value: string }[];
    expect(all.map((e) => [e.Key, e.Value])).toEqual([['app/pool/a', 'één'], ['app/pool/b', '2']]);
    expect(fake.requestsFor(KV('app/pool')).at(-1)?.query.recurse).toBe('true');
  });

  test('classifies HTTP errors: the status and Consul\'s text, and a 403 as a permission problem', async () => {
    const { fake, client } = await withFake();
    fake.inject(HEALTH('web'), { kind: 'status', status: 500, body: 'rpc error: no leader' }, 1);
    await expect(client.read(WEB, FIRST, signal())).rejects.toMatchObject({ name: 'ConsulRequestError', status: 500, message: 'HTTP 500: rpc error: no leader' });
    fake.inject(HEALTH('web'), { kind: 'status', status: 403 }, 1);
    await expect(client.read(WEB, FIRST, signal())).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/^permission denied/) });
  });

  test('refuses answers hidden by ACLs instead of returning them as no instances', async () => {
    const { fake, client } = await withFake();
    fake.setService('web', [{ id: 'web-1', address: '10.0.0.1', port: 80 }]);
    fake.inject(HEALTH('web'), { kind: 'aclFiltered' }, 1);
    await expect(client.read(WEB, FIRST, signal())).rejects.toMatchObject({ status: 403, message: expect.stringContaining('hid results') });
  });

  test('refuses an empty service list without a token when Consul denies by default', async () => {
    const fake = await startFakeConsul({ defaultAclPolicy: 'deny' });
    const client = new ConsulClient(settings(fake.address), undefined);
    registerCleanup(() => client.destroy());
    fake.set(CATALOG_SERVICES, {});
    await expect(client.read({ kind: 'services' }, FIRST, signal())).rejects.toMatchObject({ status: 403, message: expect.stringContaining('no ACL token') });
  });

  test('an abort ends a held blocking query at once, as an aborted error', async () => {
    const { fake, client } = await withFake();
    const index = fake.setService('web', [{ id: 'web-1', address: '10.0.0.1', port: 80 }]);
    const controller = new AbortController();
    const held = client.read(WEB, { index, waitMs: 60_000, mode: 'stale' }, controller.signal);
    await expect.poll(() => fake.pending(HEALTH('web'))).toBe(1);
    controller.abort();
    await expect(held).rejects.toMatchObject({ aborted: true, message: 'request aborted' });
  });

  test('refused connections are errors without a status', async () => {
    const client = new ConsulClient(settings('127.0.0.1:1'), undefined);
    registerCleanup(() => client.destroy());
    await expect(client.read(WEB, FIRST, signal())).rejects.toMatchObject({ name: 'ConsulRequestError', status: undefined, aborted: false, message: expect.stringContaining('ECONNREFUSED') });
  });
});

describe('ConsulClient first reads', () => {
  test('at most firstReadConcurrency non-blocking reads are in flight; blocking reads are not held back', async () => {
    const fake = await startFakeConsul({ maxWaitMs: 5000 });
    const client = new ConsulClient(settings(fake.address), undefined, { firstReadConcurrency: 2 });
    registerCleanup(() => client.destroy());
    for (const name of ['a', 'b', 'c']) {
      fake.setService(name, [{ id: `${name}-1`, address: '10.0.0.1', port: 80 }]);
      fake.inject(HEALTH(name), { kind: 'delay', ms: 300 }, 1);
    }
    const index = fake.setService('blocked', [{ id: 'x', address: '10.0.0.9', port: 80 }]);
    const controller = new AbortController();
    const reads = ['a', 'b', 'c'].map((service) => client.read({ kind: 'health', service, passingOnly: false }, FIRST, signal()));
    const blocking = client.read({ kind: 'health', service: 'blocked', passingOnly: false }, { index, waitMs: 5000, mode: 'stale' }, controller.signal).catch(() => undefined);
    // Two first reads and the blocking one arrive; the third first read waits for a slot.
    await expect.poll(() => fake.requests.length).toBe(3);
    expect(fake.requestsFor(HEALTH('c'))).toHaveLength(0);
    expect(fake.pending(HEALTH('blocked'))).toBe(1);
    await Promise.all(reads);
    expect(fake.requestsFor(HEALTH('c'))).toHaveLength(1);
    controller.abort();
    await blocking;
  });

  test('a first read slower than slowFirstReadMs gives its slot back: one slow service does not hold up the next', async () => {
    const fake = await startFakeConsul();
    const client = new ConsulClient(settings(fake.address), undefined, { firstReadConcurrency: 1, slowFirstReadMs: 100 });
    registerCleanup(() => client.destroy());
    fake.setService('slow', [{ id: 's-1', address: '10.0.0.1', port: 80 }]);
    fake.setService('quick', [{ id: 'q-1', address: '10.0.0.2', port: 80 }]);
    fake.inject(HEALTH('slow'), { kind: 'delay', ms: 1000 }, 1);
    const slow = client.read({ kind: 'health', service: 'slow', passingOnly: false }, FIRST, signal());
    await expect.poll(() => fake.requestsFor(HEALTH('slow')).length).toBe(1);
    const quick = await client.read({ kind: 'health', service: 'quick', passingOnly: false }, FIRST, signal());
    expect(quick.index).toBeGreaterThan(0);
    // Answered while the slow one is still held by the fake.
    expect(fake.pending(HEALTH('slow'))).toBe(1);
    await slow;
  });
});

describe('ConsulClient query backends', () => {
  test('counts the backend of blocking health reads and reports a fallback once, saying what to do', async () => {
    const fake = await startFakeConsul({ maxWaitMs: 100 });
    const reports: string[] = [];
    const client = new ConsulClient(settings(fake.address), undefined, { fellBack: (message) => reports.push(message) });
    registerCleanup(() => client.destroy());
    const index = fake.setService('web', [{ id: 'web-1', address: '10.0.0.1', port: 80 }]);
    fake.setService('api', [{ id: 'api-1', address: '10.0.0.2', port: 80 }], { index });
    await client.read(WEB, FIRST, signal());
    expect(client.backends.counts()).toEqual({ streaming: 0, 'blocking-query': 0 });
    await client.read(WEB, { index, waitMs: 100, mode: 'stale' }, signal());
    await client.read({ kind: 'health', service: 'api', passingOnly: true }, { index, waitMs: 100, mode: 'stale' }, signal());
    expect(client.backends.counts()).toEqual({ streaming: 0, 'blocking-query': 2 });
    // The fake has no /v1/agent/self: the role is unknown, so the report hedges.
    await expect.poll(() => reports).toHaveLength(1);
    expect(reports[0]).toMatch(/without streaming \(first seen for "web"\): if this is a client agent, every answer of every watch costs the servers an RPC; turn use_streaming_backend on/);
  });

  test('agentRole reads Config.Server of /v1/agent/self, and is unknown when the agent does not say', async () => {
    const client = { server: await recordingServer(() => ({ status: 200, body: JSON.stringify({ Config: { Server: false, NodeName: 'n1' } }) })) };
    const c = new ConsulClient(settings(client.server.address), 'tok');
    registerCleanup(() => c.destroy());
    expect(await c.agentRole()).toBe('client');
    const denied = await recordingServer(() => ({ status: 403, body: 'Permission denied' }));
    const d = new ConsulClient(settings(denied.address), 'tok');
    registerCleanup(() => d.destroy());
    expect(await d.agentRole()).toBeUndefined();
  });
});

describe('ConsulClient writes (dedup mode)', () => {
  test('creates, renews and destroys a session, and writes a key with acquire, as Consul expects them', async () => {
    const server = await recordingServer((req) => {
      if (req.url === '/v1/session/create') return { status: 200, body: '{"ID":"sess-1"}' };
      if (req.url?.startsWith('/v1/session/renew/gone')) return { status: 404, body: 'Session id not found' };
      if (req.url?.startsWith('/v1/session/renew/')) return { status: 200, body: '[{"ID":"sess-1"}]' };
      if (req.url?.startsWith('/v1/kv/')) return { status: 200, body: 'true' };
      return { status: 200, body: 'true' };
    });
    const client = new ConsulClient(settings(server.address, { auth: 'user:p@ss' } as Partial<ConsulSettings>), 'tok');
    registerCleanup(() => client.destroy());
    expect(await client.createSession('ctmpl dedup', 15, 1)).toBe('sess-1');
    expect(await client.renewSession('sess-1')).toBe(true);
    expect(await client.renewSession('gone')).toBe(false);
    expect(await client.put('ctmpl/dedup/lock', 'host-a', { acquire: 'sess-1' })).toBe(true);
    await client.destroySession('sess-1');
    expect(server.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'PUT /v1/session/create',
      'PUT /v1/session/renew/sess-1',
      'PUT /v1/session/renew/gone',
      'PUT /v1/kv/ctmpl/dedup/lock?acquire=sess-1',
      'PUT /v1/session/destroy/sess-1',
    ]);
    expect(JSON.parse(server.seen[0]?.body ?? '')).toEqual({ LockDelay: '1s', Name: 'ctmpl dedup', Behavior: 'delete', TTL: '15s' });
    expect(server.seen[3]?.body).toBe('host-a');
    expect(server.seen.every((s) => s.headers['x-consul-token'] === 'tok' && s.headers.authorization === `Basic ${Buffer.from('user:p@ss').toString('base64')}`)).toBe(true);
  });
});
