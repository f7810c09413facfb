import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { dependencyId, type Dependency, type ServiceSummary } from '../../../../src/catalog/types.js';
import { CONNECTION } from '../../../../src/registries/health.js';
import type { EurekaSettings } from '../../../../src/registries/eureka/settings.js';
import { EurekaSource } from '../../../../src/registries/eureka/source.js';
import { applicationsJson, FakeEureka, instanceJson, type FakeAnswer } from '../../../support/eureka/fake.js';
import { RecordingSink } from '../../../support/eureka/sink.js';
import { freePort } from '../../../support/ports.js';
import { registerCleanup, tempDir } from '../../../support/tmp.js';

/**
 * The Eureka source against a scripted fake server (real sockets, real time, short intervals):
 * the faults a real Eureka server cannot easily be made to show.
 */

const WEB: Dependency = { kind: 'service', source: 'eu', name: 'web', status: 'any' };
const WEB_PASSING: Dependency = { kind: 'service', source: 'eu', name: 'WEB', status: ['passing'] };
const SERVICES: Dependency = { kind: 'services', source: 'eu' };
const web = (id: string, extra: Record<string, unknown> = {}) => instanceJson('WEB', id, `10.0.0.${id.replace(/\D/g, '') || '9'}`, 8080, extra);

function settings(hosts: readonly string[], more: Partial<EurekaSettings> = {}): EurekaSettings {
  return { hosts, tls: false, context: '/eureka', intervalMs: 150, timeoutMs: 1000, names: 'app', ...more };
}

async function startSource(config: EurekaSettings, deps: readonly Dependency[] = [WEB]): Promise<{ source: EurekaSource; sink: RecordingSink }> {
  const source = new EurekaSource('eu', config, { backoff: { baseMs: 20, capMs: 100, jitter: 'none' } });
  const sink = new RecordingSink();
  registerCleanup(() => source.stop());
  await source.start(sink.sink);
  for (const dep of deps) source.watch(dep);
  return { source, sink };
}

/** Whether a dependency is affected by an open problem: its own, or the whole source's. */
function affects(source: EurekaSource, dep: Dependency): boolean {
  return source.health.problems().some((p) => p.subjects.includes(dependencyId(dep)) || p.subjects.includes(CONNECTION));
}

const eventually = (check: () => void, timeout = 4000) => vi.waitFor(check, { timeout, interval: 10 });

describe('Eureka source: full fetch, then deltas', () => {
  it('fetches /apps once, then applies /apps/delta on the interval, asking for JSON', async () => {
    const fake = await FakeEureka.start();
    fake.full = applicationsJson({ WEB: [web('w1'), web('w2', { status: 'OUT_OF_SERVICE' })] }, 'OUT_OF_SERVICE_1_UP_1_');
    fake.delta = applicationsJson({}, 'OUT_OF_SERVICE_1_UP_1_');
    const { source, sink } = await startSource(settings([fake.address]), [WEB, WEB_PASSING]);
    await eventually(() => expect(sink.last(WEB)).toEqual(['w1:passing', 'w2:warning']));
    expect(sink.last(WEB_PASSING)).toEqual(['w1:passing']);

    fake.delta = applicationsJson({ WEB: [web('w3', { actionType: 'ADDED' }), web('w2', { actionType: 'DELETED' })] }, 'UP_2_');
    await eventually(() => expect(sink.last(WEB)).toEqual(['w1:passing', 'w3:passing']));
    expect(fake.count('/apps')).toBe(1);
    expect(fake.count('/apps/delta')).toBeGreaterThanOrEqual(1);
    expect(fake.requests.every((r) => r.accept === 'application/json' && r.authorization === undefined)).toBe(true);
    expect(source.reconciliations).toBe(0);
    expect(source.health.failing).toBe(false);
  });

  it('reads gzipped answers, and dependencies watched before start', async () => {
    const fake = await FakeEureka.start();
    fake.script('/apps', { body: applicationsJson({ WEB: [web('w1')] }, 'UP_1_'), gzip: true });
    fake.delta = applicationsJson({}, 'UP_1_');
    const source = new EurekaSource('eu', settings([fake.address]));
    registerCleanup(() => source.stop());
    const sink = new RecordingSink();
    source.watch(WEB);
    await source.start(sink.sink);
    await eventually(() => expect(sink.last(WEB)).toEqual(['w1:passing']));
    expect(sink.errors).toEqual([]);
  });

  it('sends an answer again only when it changed (the delta repeats the last minutes of changes)', async () => {
    const fake = await FakeEureka.start();
    fake.full = applicationsJson({ WEB: [web('w1')] }, 'UP_1_');
    fake.delta = applicationsJson({ WEB: [web('w1', { actionType: 'ADDED' })] }, 'UP_1_');
    const { sink } = await startSource(settings([fake.address]));
    await eventually(() => expect(fake.count('/apps/delta')).toBeGreaterThanOrEqual(4));
    expect(sink.answers(WEB)).toEqual([['w1:passing']]);
  });

  it('fetches everything again when the hashcode after a delta differs from the server\'s, and the full answer wins', async () => {
    const fake = await FakeEureka.start();
    fake.full = applicationsJson({ WEB: [web('w1')] }, 'UP_1_');
    fake.delta = applicationsJson({}, 'UP_1_');
    const { source, sink } = await startSource(settings([fake.address]));
    await eventually(() => expect(sink.last(WEB)).toEqual(['w1:passing']));
    // The server now holds two instances, but the delta does not say which (it was missed).
    fake.full = applicationsJson({ WEB: [web('w1'), web('w9')] }, 'UP_2_');
    fake.delta = applicationsJson({}, 'UP_2_');
    await eventually(() => expect(sink.last(WEB)).toEqual(['w1:passing', 'w9:passing']));
    expect(fake.count('/apps')).toBe(2);
    expect(source.reconciliations).toBe(1);
    // Reconciled: later deltas are applied again without a full fetch.
    const fullFetches = fake.count('/apps');
    const deltas = fake.count('/apps/delta');
    await eventually(() => expect(fake.count('/apps/delta')).toBeGreaterThanOrEqual(deltas + 3));
    expect(fake.count('/apps')).toBe(fullFetches);
  });

  it('lists applications for (services), with the union of their tags', async () => {
    const fake = await FakeEureka.start();
    fake.full = applicationsJson({ WEB: [web('w1', { metadata: { tags: 'b,a' } }), web('w2', { metadata: { tags: 'c' } })], API: [instanceJson('API', 'a1', '10.0.1.1', 80)] });
    const { sink } = await startSource(settings([fake.address]), [SERVICES]);
    await eventually(() => expect(sink.values(SERVICES).at(-1)).toEqual<ServiceSummary[]>([{ Name: 'API', Tags: [] }, { Name: 'WEB', Tags: ['a', 'b', 'c'] }]));
  });

  it('answers a dependency watched later at once from the copy it holds', async () => {
    const fake = await FakeEureka.start();
    fake.full = applicationsJson({ WEB: [web('w1')] }, 'UP_1_');
    fake.delta = applicationsJson({}, 'UP_1_');
    const { source, sink } = await startSource(settings([fake.address], { intervalMs: 60_000 }));
    await eventually(() => expect(sink.last(WEB)).toEqual(['w1:passing']));
    source.watch(WEB_PASSING);
    await eventually(() => expect(sink.last(WEB_PASSING)).toEqual(['w1:passing']));
    expect(fake.requests).toHaveLength(1);
  });

  it('refuses key lookups as a problem of that dependency alone', async () => {
    const fake = await FakeEureka.start();
    const key: Dependency = { kind: 'key', source: 'eu', key: 'app/x' };
    const { source, sink } = await startSource(settings([fake.address]), [WEB, key]);
    await eventually(() => expect(sink.last(WEB)).toEqual([]));
    expect(source.health.problems()).toEqual([expect.objectContaining({ problem: 'no keys', subjects: [dependencyId(key)] })]);
    expect(affects(source, WEB)).toBe(false);
  });
});

describe('Eureka source: failures keep the last good data', () => {
  it('reports 500s once as a problem of the whole source, sends nothing meanwhile, and fetches in full after', async () => {
    const fake = await FakeEureka.start();
    fake.full = applicationsJson({ WEB: [web('w1')] }, 'UP_1_');
    fake.delta = applicationsJson({}, 'UP_1_');
    const { source, sink } = await startSource(settings([fake.address]));
    await eventually(() => expect(sink.last(WEB)).toEqual(['w1:passing']));

    fake.always = { status: 500, body: { error: 'Internal Server Error' } };
    const before = fake.requests.length;
    await eventually(() => expect(fake.requests.length).toBeGreaterThanOrEqual(before + 4));
    expect(affects(source, WEB)).toBe(true);
    expect(source.health.problems()).toEqual([expect.objectContaining({ problem: 'HTTP 500', subjects: [CONNECTION] })]);
    expect(sink.errors).toHaveLength(1);
    expect(sink.errors[0]).toMatch(/^Eureka at eureka:\/\/127\.0\.0\.1:\d+\/eureka: GET \/eureka\/apps(\/delta)? failed: HTTP 500; retrying with backoff, the last good data stays in use$/);
    expect(sink.answers(WEB)).toEqual([['w1:passing']]);

    fake.full = applicationsJson({ WEB: [web('w1'), web('w2')] }, 'UP_2_');
    fake.delta = applicationsJson({}, 'UP_2_');
    const failedUpTo = fake.requests.length;
    fake.always = undefined;
    await eventually(() => expect(sink.last(WEB)).toEqual(['w1:passing', 'w2:passing']));
    expect(fake.requests[failedUpTo]?.path).toBe('/eureka/apps');
    expect(source.health.failing).toBe(false);
    expect(sink.infos).toEqual([expect.stringMatching(/answers again \(HTTP 500 resolved\)/)]);
    expect(source.stats.failures).toBeGreaterThanOrEqual(4);
  });

  it.each<[string, FakeAnswer, RegExp]>([
    ['cut short mid-answer', { cutAt: 40 }, /closed before the whole answer arrived/],
    ['a gzipped answer cut short', { cutAt: 20, gzip: true }, /closed before the whole answer arrived/],
    ['a complete answer that is not JSON', { body: '{"applications": {"application": [' }, /not JSON/],
    ['JSON that is not Eureka\'s', { body: { status: 'ok' } }, /not Eureka applications JSON/],
  ])('treats %s as a failure, never as data', async (_, answer, message) => {
    const fake = await FakeEureka.start();
    fake.full = applicationsJson({ WEB: [web('w1'), web('w2')] }, 'UP_2_');
    fake.delta = applicationsJson({}, 'UP_2_');
    const { source, sink } = await startSource(settings([fake.address]));
    await eventually(() => expect(sink.last(WEB)).toEqual(['w1:passing', 'w2:passing']));
    fake.script('/apps/delta', { ...answer, body: answer.body ?? applicationsJson({ WEB: [web('w1', { actionType: 'DELETED' })] }, 'UP_1_') });
    await eventually(() => expect(sink.errors).toEqual([expect.stringMatching(message)]));
    expect(sink.errors[0]).toMatch(/bad answer|not JSON|closed before|applications JSON/);
    await eventually(() => expect(source.health.failing).toBe(false));
    expect(sink.answers(WEB)).toEqual([['w1:passing', 'w2:passing']]);
  });

  it('gives up on a server that does not answer within the timeout', async () => {
    const fake = await FakeEureka.start();
    fake.full = applicationsJson({ WEB: [web('w1')] }, 'UP_1_');
    fake.script('/apps', { delayMs: 3000, body: applicationsJson({}) });
    const { sink } = await startSource(settings([fake.address], { timeoutMs: 200 }));
    await eventually(() => expect(sink.last(WEB)).toEqual(['w1:passing']));
    expect(sink.errors).toEqual([expect.stringMatching(/GET \/eureka\/apps failed: no complete answer within 200 ms/)]);
    expect(sink.answers(WEB)).toEqual([['w1:passing']]);
  });

  it('sends a 401 as an authentication problem naming the user (never the password), and never an empty service', async () => {
    const dir = await tempDir('ctmpl-eureka-');
    const passwordFile = join(dir, 'eureka.pw');
    await writeFile(passwordFile, 'pa55-w0rd\n');
    const fake = await FakeEureka.start();
    fake.always = { status: 401, body: { error: 'Unauthorized' } };
    const { source, sink } = await startSource(settings([fake.address], { auth: { user: 'ctmpl', passwordFile } }));
    await eventually(() => expect(fake.requests.length).toBeGreaterThanOrEqual(3));
    expect(fake.requests[0]?.authorization).toBe(`Basic ${Buffer.from('ctmpl:pa55-w0rd').toString('base64')}`);
    expect(sink.deliveries.size).toBe(0);
    expect(sink.errors).toEqual([expect.stringMatching(/user "ctmpl" was refused \(HTTP 401\): check the user in the URI and the password in its password_file/)]);
    expect(sink.errors.join()).not.toMatch(/pa55/);
    expect(source.health.problems()).toEqual([expect.objectContaining({ problem: 'authentication refused (HTTP 401)', subjects: [CONNECTION] })]);
  });

  it('says a login is missing when the server asks for one and the URI has no user; a 403 keeps the data', async () => {
    const fake = await FakeEureka.start();
    fake.full = applicationsJson({ WEB: [web('w1')] }, 'UP_1_');
    fake.delta = applicationsJson({}, 'UP_1_');
    const { source, sink } = await startSource(settings([fake.address]));
    await eventually(() => expect(sink.last(WEB)).toEqual(['w1:passing']));
    fake.always = { status: 403 };
    await eventually(() => expect(sink.errors).toEqual([expect.stringMatching(/a client without a login may not read the registry \(HTTP 403\)/)]));
    fake.always = { status: 401 };
    await eventually(() => expect(sink.errors).toHaveLength(2));
    expect(sink.errors[1]).toMatch(/the server asks for a login \(HTTP 401\): put USER@ before the servers and add password_file=PATH/);
    expect(sink.answers(WEB)).toEqual([['w1:passing']]);
    expect(affects(source, WEB)).toBe(true);
  });

  it('falls back to full fetches when the server refuses deltas (Eureka\'s disableDelta answers 403)', async () => {
    const fake = await FakeEureka.start();
    fake.full = applicationsJson({ WEB: [web('w1')] }, 'UP_1_');
    const { source, sink } = await startSource(settings([fake.address]));
    await eventually(() => expect(sink.last(WEB)).toEqual(['w1:passing']));
    fake.full = applicationsJson({ WEB: [web('w1'), web('w2')] }, 'UP_2_');
    fake.delta = applicationsJson({}, 'UP_2_');
    fake.script('/apps/delta', { status: 403 }, { status: 403 }, { status: 403 });
    await eventually(() => expect(sink.last(WEB)).toEqual(['w1:passing', 'w2:passing']));
    expect(sink.errors).toEqual([]);
    expect(source.health.failing).toBe(false);
  });

  it('ends a request in flight at once when stopped', async () => {
    const fake = await FakeEureka.start();
    fake.always = { delayMs: 10_000, body: applicationsJson({}) };
    const { source } = await startSource(settings([fake.address], { timeoutMs: 30_000 }));
    await eventually(() => expect(fake.requests).toHaveLength(1));
    const started = Date.now();
    await source.stop();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('Eureka source: peer group', () => {
  it('moves to the next server when one fails, and fetches in full from it (its deltas continue its own copy)', async () => {
    const first = await FakeEureka.start();
    const second = await FakeEureka.start();
    first.full = applicationsJson({ WEB: [web('w1')] }, 'UP_1_');
    first.delta = applicationsJson({}, 'UP_1_');
    second.full = applicationsJson({ WEB: [web('w1'), web('w2')] }, 'UP_2_');
    second.delta = applicationsJson({}, 'UP_2_');
    const { source, sink } = await startSource(settings([first.address, second.address]));
    await eventually(() => expect(sink.last(WEB)).toEqual(['w1:passing']));
    expect(second.requests).toHaveLength(0);

    first.always = { status: 503 };
    await eventually(() => expect(sink.last(WEB)).toEqual(['w1:passing', 'w2:passing']));
    expect(second.requests[0]?.path).toBe('/eureka/apps/delta');
    expect(second.count('/apps')).toBe(1);
    // It stays with the server that answers; nothing failed as a whole.
    const firstAsked = first.requests.length;
    await eventually(() => expect(second.count('/apps/delta')).toBeGreaterThanOrEqual(4));
    expect(first.requests.length).toBe(firstAsked);
    expect(sink.errors).toEqual([]);
    expect(source.health.failing).toBe(false);
  });

  it('starts with the next server when the first one is down, and reports each server\'s reason when all fail', async () => {
    const down = `127.0.0.1:${await freePort()}`;
    const fake = await FakeEureka.start();
    fake.full = applicationsJson({ WEB: [web('w1')] }, 'UP_1_');
    fake.delta = applicationsJson({}, 'UP_1_');
    const { source, sink } = await startSource(settings([down, fake.address]));
    await eventually(() => expect(sink.last(WEB)).toEqual(['w1:passing']));
    expect(sink.errors).toEqual([]);

    fake.always = { status: 502 };
    await eventually(() => expect(source.health.failing).toBe(true));
    expect(sink.errors).toHaveLength(1);
    expect(sink.errors[0]).toContain(`failed on every server: ${fake.address}: HTTP 502; ${down}: connect ECONNREFUSED ${down}`);
    expect(source.health.problems()[0]?.problem).toBe('HTTP 502, no answer');
  });
});
