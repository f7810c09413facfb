import { describe, expect, it, vi } from 'vitest';
import { dependencyId, type Dependency, type DependencyValue, type Instance } from '../../../../src/catalog/types.js';
import { parseEtcdUri } from '../../../../src/registries/etcd/settings.js';
import { EtcdSource } from '../../../../src/registries/etcd/source.js';
import { FakeEtcd } from '../../../support/fake-etcd.js';
import { registerCleanup } from '../../../support/tmp.js';
import { until } from '../../../support/until.js';

// EtcdSource builds its own client from the etcd3 package: replaced by the script.
vi.mock('etcd3', async () => ({ Etcd3: (await import('../../../support/fake-etcd.js')).FakeEtcd }));

const WEB: Dependency = { kind: 'service', source: 'reg', name: 'web', status: ['passing'] };
const API: Dependency = { kind: 'service', source: 'reg', name: 'api', status: ['passing'] };
const LIST: Dependency = { kind: 'services', source: 'reg' };
const KEY: Dependency = { kind: 'key', source: 'reg', key: 'app/x' };
const BACKOFF = { baseMs: 10, capMs: 20, jitter: 'none' as const };

async function started(seed: Record<string, string> = {}) {
  const source = new EtcdSource('reg', parseEtcdUri('etcd', '//127.0.0.1:2379/services', '/', '--source', {}), BACKOFF);
  const latest = new Map<string, DependencyValue>();
  const errors: string[] = [];
  await source.start({ data: (dep, value) => void latest.set(dependencyId(dep), value), error: (m) => void errors.push(m), info: () => undefined, warn: () => undefined });
  registerCleanup(() => source.stop());
  const etcd = FakeEtcd.made.at(-1) as FakeEtcd;
  for (const [k, v] of Object.entries(seed)) etcd.kvs.set(k, v);
  const addresses = (dep: Dependency): string[] => ((latest.get(dependencyId(dep)) ?? []) as Instance[]).map((i) => `${i.Address}:${i.Port}`);
  return { source, etcd, latest, errors, addresses };
}

describe('EtcdSource', () => {
  it('answers every service query and the service list from one read and one watch of the registry range', async () => {
    const { source, etcd, latest, addresses } = await started({
      'services/web/1': '10.0.0.1:80',
      'services/web/2': JSON.stringify({ Address: '10.0.0.2', Port: 8080, Tags: ['v2'] }),
      'services/api/1': JSON.stringify({ Addr: '10.0.1.1:9000', Metadata: { zone: 'a' } }),
    });
    source.watch(WEB);
    source.watch(API);
    source.watch(LIST);
    await until(() => latest.size === 3, 'three answers');
    expect(addresses(WEB)).toEqual(['10.0.0.1:80', '10.0.0.2:8080']);
    expect(addresses(API)).toEqual(['10.0.1.1:9000']);
    expect(latest.get(dependencyId(LIST))).toEqual([{ Name: 'api', Tags: [] }, { Name: 'web', Tags: ['v2'] }]);
    expect(etcd.reads).toEqual(['prefix services/']);
    expect(etcd.watchers).toHaveLength(1);
    expect(source.stats.requests).toBe(1);
  });

  it('follows registrations and removals as they happen', async () => {
    const { source, etcd, latest, addresses } = await started({ 'services/web/1': '10.0.0.1:80' });
    source.watch(WEB);
    await until(() => latest.size === 1 && etcd.watchers.length === 1, 'watching');
    etcd.put('services/web/2', '10.0.0.2:80');
    expect(addresses(WEB)).toEqual(['10.0.0.1:80', '10.0.0.2:80']);
    etcd.remove('services/web/1');
    expect(addresses(WEB)).toEqual(['10.0.0.2:80']);
  });

  it('skips an instance whose value is unusable, reporting each bad value once', async () => {
    const { source, etcd, latest, errors, addresses } = await started({ 'services/web/1': '10.0.0.1:80', 'services/web/bad': 'not an address' });
    source.watch(WEB);
    await until(() => latest.size === 1 && etcd.watchers.length === 1, 'watching');
    expect(addresses(WEB)).toEqual(['10.0.0.1:80']);
    etcd.put('services/web/2', '10.0.0.2:80');
    expect(errors).toEqual(['etcd at etcd://127.0.0.1:2379/services: skipping instance services/web/bad: the value is neither JSON nor host:port']);
  });

  it('reads any key through a mirror of its own', async () => {
    const { source, etcd, latest } = await started({ 'app/x': 'v1' });
    source.watch(KEY);
    await until(() => latest.get(dependencyId(KEY)) === 'v1', 'the key read');
    await until(() => etcd.watching('app/x').length === 1, 'the key watched');
    etcd.put('app/x', 'v2');
    expect(latest.get(dependencyId(KEY))).toBe('v2');
    etcd.remove('app/x');
    expect(latest.get(dependencyId(KEY))).toBeNull();
  });

  it('keeps health per dependency: a key that cannot be read stays a problem while the registry answers', async () => {
    const { source, etcd, latest } = await started({ 'services/web/1': '10.0.0.1:80' });
    etcd.failReads = { range: (k) => k === 'app/x', error: new Error('permission denied') };
    source.watch(WEB);
    source.watch(KEY);
    await until(() => source.health.failing && latest.has(dependencyId(WEB)), 'the key failing, the registry answering');
    expect(source.health.affects(dependencyId(KEY))).toBe(true);
    expect(source.health.affects('services')).toBe(false);
    await until(() => etcd.watching('services/web/2').length === 1, 'the registry watched');
    etcd.put('services/web/2', '10.0.0.2:80');
    expect(source.health.failing, "the registry's answer does not clear the key's problem").toBe(true);
    expect(latest.has(dependencyId(KEY)), 'no answer while the key cannot be read').toBe(false);
    etcd.failReads = undefined;
    await until(() => !source.health.failing, 'the key read again');
    expect(latest.get(dependencyId(KEY))).toBeNull();
  });

  it('keeps health per dependency the other way round: the registry failing does not touch a key that answers', async () => {
    const { source, etcd, latest } = await started({ 'app/x': 'v' });
    etcd.failReads = { range: (k) => k === 'services/', error: new Error('14 UNAVAILABLE') };
    source.watch(KEY);
    source.watch(WEB);
    await until(() => source.health.failing && latest.has(dependencyId(KEY)), 'the registry failing, the key answering');
    expect(source.health.affects('services')).toBe(true);
    expect(source.health.affects(dependencyId(KEY))).toBe(false);
    expect(latest.has(dependencyId(WEB))).toBe(false);
  });

  it('ends the registry watch with the last service query, forgetting its problem', async () => {
    const { source, etcd } = await started();
    etcd.failReads = { range: () => true, error: new Error('down') };
    source.watch(WEB);
    source.watch(API);
    await until(() => source.health.failing, 'failing');
    source.unwatch(WEB);
    expect(source.health.failing, 'api still uses the registry').toBe(true);
    source.unwatch(API);
    expect(source.health.failing).toBe(false);
  });

  it('closes the client when stopped', async () => {
    const { source, etcd } = await started();
    source.watch(KEY);
    await until(() => etcd.watchers.length === 1, 'watching');
    await source.stop();
    expect(etcd.closed).toBe(true);
    expect(etcd.watchers.every((w) => w.cancelled)).toBe(true);
  });
});
