import type { Etcd3 } from 'etcd3';
import { describe, expect, it } from 'vitest';
import { RangeMirror, type MirrorEvents, type Range } from '../../../../src/registries/etcd/mirror.js';
import { FakeEtcd } from '../../../support/fake-etcd.js';
import { registerCleanup } from '../../../support/tmp.js';
import { until } from '../../../support/until.js';

const BACKOFF = { baseMs: 10, capMs: 20, jitter: 'none' as const };

function mirror(etcd: FakeEtcd, range: Range, onChanged?: MirrorEvents['changed']) {
  const events: string[] = [];
  const copies: Map<string, string>[] = [];
  const m = new RangeMirror(etcd as unknown as Etcd3, range, {
    changed: (kvs, keys) => {
      copies.push(new Map(kvs));
      events.push(`changed ${keys === 'all' ? 'all' : keys.join(',')}`);
      onChanged?.(kvs, keys);
    },
    failing: (key, message) => events.push(`failing ${key}: ${message}`),
    recovered: () => events.push('recovered'),
    requested: () => events.push('requested'),
  }, BACKOFF);
  registerCleanup(() => m.stop());
  return { m, events, copies, latest: () => Object.fromEntries(copies.at(-1) ?? []) };
}

describe('RangeMirror', () => {
  it('reads the range, then watches it from the next revision: nothing between the two is lost', async () => {
    const etcd = new FakeEtcd();
    etcd.kvs.set('services/web/1', 'a');
    etcd.kvs.set('other/x', 'b');
    const { m, events, latest } = mirror(etcd, { prefix: 'services/' });
    m.start();
    await until(() => etcd.watchers.length === 1, 'the watch started');
    expect(events).toEqual(['requested', 'changed all']);
    expect(latest()).toEqual({ 'services/web/1': 'a' });
    expect(etcd.watchers[0]?.startRevision).toBe('11');
  });

  it('keeps the copy current from watch events, saying which keys changed', async () => {
    const etcd = new FakeEtcd();
    etcd.kvs.set('services/web/1', 'a');
    const { m, events, latest } = mirror(etcd, { prefix: 'services/' });
    m.start();
    await until(() => etcd.watchers.length === 1, 'the watch started');
    etcd.put('services/web/2', 'b');
    etcd.remove('services/web/1');
    expect(events.slice(-2)).toEqual(['changed services/web/2', 'changed services/web/1']);
    expect(latest()).toEqual({ 'services/web/2': 'b' });
  });

  it('mirrors a single key', async () => {
    const etcd = new FakeEtcd();
    etcd.kvs.set('app/x', '1');
    etcd.kvs.set('app/xy', '2');
    const { m, latest } = mirror(etcd, { key: 'app/x' });
    m.start();
    await until(() => etcd.watchers.length === 1, 'the watch started');
    expect(latest()).toEqual({ 'app/x': '1' });
  });

  it('retries a failed read with backoff, reports the problem, and its end', async () => {
    const etcd = new FakeEtcd();
    etcd.failReads = { range: () => true, error: new Error('14 UNAVAILABLE: No connection established') };
    const { m, events } = mirror(etcd, { prefix: 'services/' });
    m.start();
    await until(() => etcd.reads.length >= 3, 'retried');
    expect(events.filter((e) => e.startsWith('changed')), 'no data while failing').toEqual([]);
    expect(events.find((e) => e.startsWith('failing'))).toMatch(/^failing read failed: reading prefix "services\/" failed \(14 UNAVAILABLE/);
    etcd.failReads = undefined;
    await until(() => events.includes('recovered'), 'recovered');
    expect(events.at(-1)).toBe('changed all');
  });

  it('reads and watches again when etcd cancels the watch (a compacted revision)', async () => {
    const etcd = new FakeEtcd();
    const { m, events } = mirror(etcd, { prefix: 'services/' });
    m.start();
    await until(() => etcd.watchers.length === 1, 'the watch started');
    etcd.kvs.set('services/web/9', 'while canceled');
    etcd.watchers[0]?.emit('error', new Error('Watcher canceled: etcdserver: mvcc: required revision has been compacted'));
    await until(() => etcd.watchers.length === 2, 'watching again');
    expect(etcd.watchers[0]?.cancelled).toBe(true);
    expect(events).toContain('failing watch canceled: the watch on prefix "services/" was canceled (Watcher canceled: etcdserver: mvcc: required revision has been compacted); reading it again');
    expect(events.filter((e) => e === 'changed all')).toHaveLength(2);
    expect(etcd.reads).toEqual(['prefix services/', 'prefix services/']);
  });

  it('reports a lost connection while etcd3 reconnects, and its end, keeping the copy', async () => {
    const etcd = new FakeEtcd();
    etcd.kvs.set('services/web/1', 'a');
    const { m, events, latest } = mirror(etcd, { prefix: 'services/' });
    m.start();
    await until(() => etcd.watchers.length === 1, 'the watch started');
    etcd.watchers[0]?.emit('disconnected', new Error('14 UNAVAILABLE'));
    etcd.watchers[0]?.emit('connected');
    expect(events.slice(-2)).toEqual(['failing disconnected: lost the connection to etcd (14 UNAVAILABLE); reconnecting, the last data stays in use', 'recovered']);
    expect(latest()).toEqual({ 'services/web/1': 'a' });
  });

  it('never lets an exception from its owner reach etcd3', async () => {
    const etcd = new FakeEtcd();
    const { m, events } = mirror(etcd, { prefix: 'services/' }, (_kvs, keys) => {
      if (keys !== 'all') throw new Error('owner broke');
    });
    m.start();
    await until(() => etcd.watchers.length === 1, 'the watch started');
    expect(() => etcd.put('services/web/1', 'a')).not.toThrow();
    expect(events.at(-1)).toBe('failing handler: internal error handling an etcd event: owner broke');
  });

  it('cancels its watch when stopped', async () => {
    const etcd = new FakeEtcd();
    const { m } = mirror(etcd, { prefix: 'services/' });
    m.start();
    await until(() => etcd.watchers.length === 1, 'the watch started');
    await m.stop();
    expect(etcd.watchers[0]?.cancelled).toBe(true);
    expect(etcd.watchers[0]?.listenerCount('error'), 'a late error still finds a listener').toBe(1);
  });
});
