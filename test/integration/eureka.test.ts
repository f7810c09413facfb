import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { dependencyId, type Dependency, type HealthStatus, type Instance, type ServiceSummary } from '../../src/catalog/types.js';
import { eurekaRegistry } from '../../src/registries/eureka/index.js';
import { EurekaSource } from '../../src/registries/eureka/source.js';
import { CONNECTION } from '../../src/registries/health.js';
import { startAuthProxy } from '../support/eureka/auth-proxy.js';
import { startEureka, type EurekaRegistration, type EurekaServer } from '../support/eureka/harness.js';
import { RecordingSink } from '../support/eureka/sink.js';
import { freePort } from '../support/ports.js';
import { registerCleanup, tempDir } from '../support/tmp.js';

/**
 * ctmpl's Eureka source against a real Eureka server (Spring Cloud Netflix's, built once with
 * Maven, test/support/eureka/obtain.sh) on a free loopback port. One server for the file; each
 * test uses its own applications. The server restart comes last.
 */

let eureka: EurekaServer;

beforeAll(async () => {
  eureka = await startEureka();
}, 180_000);

const service = (name: string, status: readonly HealthStatus[] | 'any' = 'any'): Dependency => ({ kind: 'service', source: 'eu', name, status });
const SERVICES: Dependency = { kind: 'services', source: 'eu' };

/** A source built as ctmpl builds it: the URI through the registry's parser, then its factory. */
async function watchEureka(uri: string, deps: readonly Dependency[], baseDir = '/'): Promise<{ source: EurekaSource; sink: RecordingSink }> {
  const [scheme = '', rest = ''] = /^([^:]+):(.*)$/s.exec(uri)?.slice(1) ?? [];
  const settings = eurekaRegistry.parse({ scheme, rest }, { baseDir, what: '--source', env: {}, shared: undefined });
  const source = await eurekaRegistry.create('eu', settings, { watch: true });
  if (!(source instanceof EurekaSource)) throw new Error('not a Eureka source');
  registerCleanup(() => source.stop());
  const sink = new RecordingSink();
  await source.start(sink.sink);
  for (const dep of deps) source.watch(dep);
  return { source, sink };
}

const until = (check: () => void, timeout = 20_000) => vi.waitFor(check, { timeout, interval: 25 });

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

describe('Eureka, real server', () => {
  test('follows registrations, status changes and deregistrations; its hashcode agrees with the server\'s', async () => {
    const web = (id: string, ip: string, more: Partial<EurekaRegistration> = {}): EurekaRegistration => ({ app: 'web', id, ip, port: 8080, metadata: { zone: 'z1', tags: 'blue,v2' }, ...more });
    await eureka.register(web('w1', '10.1.0.1'));
    await eureka.register(web('w2', '10.1.0.2', { securePort: 8443, securePortOnly: true, metadata: { zone: 'z2' } }));
    const any = service('web');
    const passing = service('Web', ['passing']);
    const { source, sink } = await watchEureka(`eureka://${eureka.address}?interval=1s`, [any, passing, SERVICES]);
    await until(() => expect(sink.last(any)).toEqual(['w1:passing', 'w2:passing']));
    const [w1, w2] = sink.instances(any) as [Instance, Instance];
    expect(w1).toMatchObject({ Name: 'WEB', Node: 'w1.test', Address: '10.1.0.1', Port: '8080', Tags: ['blue', 'v2'], Datacenter: 'z1', Meta: { zone: 'z1', tags: 'blue,v2' } });
    expect(w1.TaggedAddresses).toEqual({ http: { Address: '10.1.0.1', Port: '8080' } });
    expect(w2).toMatchObject({ Port: '8443', Datacenter: 'z2', TaggedAddresses: { https: { Address: '10.1.0.2', Port: '8443' } }, NodeMeta: { status: 'UP', vipAddress: 'web' } });

    await eureka.setStatus('web', 'w2', 'OUT_OF_SERVICE');
    await until(() => expect(sink.last(any)).toEqual(['w1:passing', 'w2:warning']));
    expect(sink.last(passing)).toEqual(['w1:passing']);
    await eureka.deregister('web', 'w1');
    await until(() => expect(sink.last(any)).toEqual(['w2:warning']));
    expect(sink.last(passing)).toEqual([]);

    // Application names may hold dots (Eureka upper-cases them): the whole string is the name.
    await eureka.register({ app: 'orders.api', id: 'o1', ip: '10.1.1.1', port: 9000 });
    const orders = service('orders.api');
    source.watch(orders);
    await until(() => expect(sink.last(orders)).toEqual(['o1:passing']));
    expect(sink.instances(orders)?.[0]?.Name).toBe('ORDERS.API');
    await until(() => expect((sink.values(SERVICES).at(-1) as ServiceSummary[]).map((s) => s.Name)).toEqual(expect.arrayContaining(['ORDERS.API', 'WEB'])));

    // Every delta reconciled: ctmpl's hashcode is the server's, no full fetch was needed.
    expect(source.reconciliations).toBe(0);
    expect(sink.errors).toEqual([]);
    await eureka.deregister('web', 'w2');
    await eureka.deregister('orders.api', 'o1');
    await until(() => expect(sink.last(any)).toEqual([]));
  }, 60_000);

  test('drops an instance whose heartbeats stop once Eureka evicts it (twice its lease after the last heartbeat); one that beats stays', async () => {
    const beating: EurekaRegistration = { app: 'lease', id: 'l1', ip: '10.2.0.1', port: 80, leaseSeconds: 2 };
    const dying: EurekaRegistration = { app: 'lease', id: 'l2', ip: '10.2.0.2', port: 80, leaseSeconds: 2 };
    await eureka.register(beating);
    await eureka.register(dying);
    eureka.keepAlive(beating, 500);
    const dep = service('lease');
    const { sink } = await watchEureka(`eureka://${eureka.address}?interval=1s`, [dep]);
    await until(() => expect(sink.last(dep)).toEqual(['l1:passing', 'l2:passing']));
    // The dying client's last heartbeat: Eureka's renew sets the lease's last update to now + its
    // duration, so the lease ends twice its duration later (a never renewed one ends after one).
    expect(await eureka.heartbeat('lease', 'l2')).toBe(200);
    const lastBeat = performance.now();
    await until(() => expect(sink.last(dep)).toEqual(['l1:passing']), 30_000);
    const seconds = (performance.now() - lastBeat) / 1000;
    console.log(`Eureka eviction: a 2 s lease whose heartbeats stopped left the data ${seconds.toFixed(1)} s after the last heartbeat`);
    expect(seconds).toBeGreaterThanOrEqual(4);
    expect(sink.answers(dep).every((a) => a.includes('l1:passing'))).toBe(true);
    expect(sink.errors).toEqual([]);
  }, 60_000);

  test('answers VIP addresses with names=vip, across applications, and starts with the next server of a peer group', async () => {
    await eureka.register({ app: 'checkout', id: 'c1', ip: '10.4.0.1', port: 80, vipAddress: 'shop' });
    await eureka.register({ app: 'cart', id: 'k1', ip: '10.4.0.2', port: 81, vipAddress: 'cart,SHOP' });
    const down = `127.0.0.1:${await freePort()}`;
    const shop = service('shop');
    const cart = service('cart');
    const { sink, source } = await watchEureka(`eureka://${down},${eureka.address}/eureka?interval=1s&names=vip`, [shop, cart]);
    await until(() => expect(sink.last(shop)).toEqual(['c1:passing', 'k1:passing']));
    expect(sink.last(cart)).toEqual(['k1:passing']);
    expect(sink.instances(shop)?.map((i) => i.Name)).toEqual(['CHECKOUT', 'CART']);
    expect(sink.errors).toEqual([]);
    expect(source.health.failing).toBe(false);
  }, 60_000);

  test('logs in through an authenticating front; a wrong password is an authentication problem naming the user, never an empty service', async () => {
    const proxy = await startAuthProxy(eureka.address, 'ctmpl', 'right-Pa55');
    await eureka.register({ app: 'guarded', id: 'g1', ip: '10.5.0.1', port: 80 });
    const dir = await tempDir('ctmpl-eureka-auth-');
    await writeFile(join(dir, 'good.pw'), 'right-Pa55\n');
    await writeFile(join(dir, 'bad.pw'), 'wrong-Pa55\n');
    const dep = service('guarded');

    const good = await watchEureka(`eureka://ctmpl@${proxy.address}?interval=1s&password_file=good.pw`, [dep], dir);
    await until(() => expect(good.sink.last(dep)).toEqual(['g1:passing']));
    expect(good.sink.errors).toEqual([]);

    const bad = await watchEureka(`eureka://ctmpl@${proxy.address}?interval=1s&password_file=bad.pw`, [dep], dir);
    await until(() => expect(bad.sink.errors).toHaveLength(1));
    expect(bad.sink.errors[0]).toMatch(/user "ctmpl" was refused \(HTTP 401\)/);
    expect(bad.sink.errors.join()).not.toMatch(/Pa55/);
    expect(bad.source.health.problems()).toEqual([expect.objectContaining({ problem: 'authentication refused (HTTP 401)', subjects: [CONNECTION] })]);
    expect(bad.sink.deliveries.size).toBe(0);
    expect(proxy.seen).toContain(`Basic ${Buffer.from('ctmpl:wrong-Pa55').toString('base64')}`);
  }, 60_000);

  test('change → data latency with interval=1s (printed: median and p90)', async () => {
    const dep = service('latency');
    const { sink } = await watchEureka(`eureka://${eureka.address}?interval=1s`, [dep]);
    await until(() => expect(sink.last(dep)).toEqual([]));
    const samples: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      // Each change at a random moment of the polling interval: a change made right after an
      // answer arrives would always wait one whole interval.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 1000));
      const id = `lat-${String(i).padStart(2, '0')}`;
      const changed = performance.now();
      await eureka.register({ app: 'latency', id, ip: `10.6.0.${i + 1}`, port: 80 });
      await until(() => expect(sink.last(dep)).toContain(`${id}:passing`));
      const arrived = (sink.deliveries.get(dependencyId(dep)) ?? []).find((d) => (d.value as readonly Instance[]).some((inst) => inst.ID === id));
      samples.push((arrived?.at ?? NaN) - changed);
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const median = percentile(sorted, 50);
    const p90 = percentile(sorted, 90);
    console.log(`Eureka change → data latency, interval=1s, ${samples.length} registrations: median ${median.toFixed(0)} ms, p90 ${p90.toFixed(0)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(0)} ms`);
    // A delta fetch every second: a change is seen within about one interval.
    expect(sorted.at(-1)).toBeLessThan(2000);
    expect(sink.errors).toEqual([]);
  }, 90_000);

  test('keeps the last data while the server is down (never an empty answer), and recovers after its restart', async () => {
    const instance: EurekaRegistration = { app: 'restart', id: 'r1', ip: '10.7.0.1', port: 80, leaseSeconds: 30 };
    await eureka.register(instance);
    // A client heartbeats, and registers again when a restarted server no longer knows it.
    eureka.keepAlive(instance, 500);
    const dep = service('restart');
    const { source, sink } = await watchEureka(`eureka://${eureka.address}?interval=1s`, [dep]);
    await until(() => expect(sink.last(dep)).toEqual(['r1:passing']));

    await eureka.kill();
    await until(() => expect(source.health.problems()).toEqual([expect.objectContaining({ subjects: [CONNECTION] })]));
    const failures = source.stats.failures;
    await until(() => expect(source.stats.failures).toBeGreaterThanOrEqual(failures + 3));
    expect(sink.answers(dep)).toEqual([['r1:passing']]);
    expect(sink.errors).toEqual([expect.stringMatching(/GET \/eureka\/apps(\/delta)? failed: .*(ECONNREFUSED|ECONNRESET|socket hang up).*the last good data stays in use/)]);

    // Restarted empty, the server refuses reads for 5 s (as one whose peers gave it nothing), time
    // for clients to register again: it never shows its empty registry.
    await eureka.restart({ syncWaitMs: 5000 });
    await until(() => expect(source.health.failing).toBe(false), 60_000);
    expect(sink.answers(dep).every((a) => a.length > 0)).toBe(true);
    expect(sink.last(dep)).toEqual(['r1:passing']);
    expect(sink.infos.some((m) => /answers again/.test(m))).toBe(true);
    console.log(`Eureka restart, as logged:\n  ${[...sink.errors, ...sink.infos].join('\n  ')}`);

    // Deltas work again after the restart.
    await eureka.register({ ...instance, id: 'r2', ip: '10.7.0.2' });
    await until(() => expect(sink.last(dep)).toEqual(['r1:passing', 'r2:passing']));
  }, 240_000);
});
