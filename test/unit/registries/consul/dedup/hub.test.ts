import { describe, expect, it } from 'vitest';
import { dependencyId, type Dependency } from '../../../../../src/catalog/types.js';
import { decodeSnapshot } from '../../../../../src/registries/consul/dedup/snapshot.js';
import { DATA_KEY, dedupInstance, LOCK_KEY } from '../../../../support/dedup-fleet.js';
import { ScriptedConsulKv } from '../../../../support/scripted-consul-kv.js';
import { quietFor, until } from '../../../../support/until.js';

const WEB: Dependency = { kind: 'service', source: 'consul', name: 'web', status: ['passing'] };
const KEY: Dependency = { kind: 'key', source: 'consul', key: 'app/x' };
const ANSWER = [{ ID: 'web-1', Address: '10.0.0.1', Port: '80' }] as never;

const published = (kv: ScriptedConsulKv) => {
  const text = kv.value(DATA_KEY);
  return text === undefined || text === '' ? undefined : decodeSnapshot(text);
};

describe('DedupHub', () => {
  it('makes the first instance the leader: it watches the registry and publishes what it hears', async () => {
    const kv = new ScriptedConsulKv();
    const a = await dedupInstance(kv, [WEB]);
    expect(a.hub.leader).toBe(true);
    expect(kv.holder(LOCK_KEY)).toBeDefined();
    expect(a.inner.calls).toEqual([`watch ${dependencyId(WEB)}`]);
    a.inner.deliver(WEB, ANSWER);
    expect(a.received.map((r) => r.value)).toEqual([ANSWER]);
    await until(() => a.hub.stats.publishes === 1, 'the answer published');
    expect(published(kv)?.entries).toEqual([{ dep: WEB, value: ANSWER }]);
    expect(a.hub.stats).toMatchObject({ publishes: 1, takeovers: 1 });
  });

  it('publishes only what its templates watch, and never the same data twice', async () => {
    const kv = new ScriptedConsulKv();
    const a = await dedupInstance(kv, [WEB]);
    a.inner.deliver(WEB, ANSWER);
    a.inner.deliver(KEY, 'not watched');
    await until(() => a.hub.stats.publishes === 1, 'the first publish');
    a.inner.deliver(WEB, ANSWER);
    await quietFor(400);
    expect(a.hub.stats.publishes).toBe(1);
    expect(kv.puts.filter((p) => p.key === DATA_KEY)).toHaveLength(1);
    expect(published(kv)?.entries.map((e) => e.dep)).toEqual([WEB]);
  });

  it('makes the others followers: they answer from the published data, never ask the registry, and hold no session', async () => {
    const kv = new ScriptedConsulKv();
    const a = await dedupInstance(kv, [WEB]);
    a.inner.deliver(WEB, ANSWER);
    await until(() => published(kv) !== undefined, 'the answer published');
    const b = await dedupInstance(kv, [WEB]);
    expect(b.hub.leader).toBe(false);
    await until(() => b.received.length > 0, 'the follower answered');
    expect(b.received).toEqual([{ dep: WEB, value: ANSWER }]);
    expect(b.inner.calls).toEqual([]);
    expect(kv.liveSessions, "only the leader's session").toBe(1);
  });

  it('passes new published data on to a follower', async () => {
    const kv = new ScriptedConsulKv();
    const a = await dedupInstance(kv, [WEB]);
    const b = await dedupInstance(kv, [WEB]);
    a.inner.deliver(WEB, ANSWER);
    await until(() => b.received.length === 1, 'the first answer followed');
    a.inner.deliver(WEB, []);
    await until(() => b.received.length === 2, 'the second answer followed');
    expect(b.received.map((r) => r.value)).toEqual([ANSWER, []]);
  });

  it('lets a follower take over when the leader stops: it then watches the registry itself', async () => {
    const kv = new ScriptedConsulKv();
    const a = await dedupInstance(kv, [WEB]);
    const b = await dedupInstance(kv, [WEB]);
    await a.hub.stop();
    await until(() => b.hub.leader, 'the follower leads');
    expect(b.inner.calls).toEqual([`watch ${dependencyId(WEB)}`]);
    expect(b.hub.stats.takeovers).toBe(1);
    b.inner.deliver(WEB, ANSWER);
    await until(() => published(kv)?.entries.length === 1, 'the new leader publishes');
  });

  it("lets a follower take over when the leader's session expires, and the old leader follows", async () => {
    const kv = new ScriptedConsulKv();
    const a = await dedupInstance(kv, [WEB]);
    const b = await dedupInstance(kv, [WEB]);
    kv.expire(kv.holder(LOCK_KEY) as string);
    await until(() => b.hub.leader && !a.hub.leader, 'the lead has passed to the follower');
    expect(a.inner.calls).toEqual([`watch ${dependencyId(WEB)}`, `unwatch ${dependencyId(WEB)}`]);
    expect(a.log.at('warn').some((l) => /no longer the leader/.test(l.msg))).toBe(true);
  });

  it('keeps the last good data when the published data cannot be read', async () => {
    const kv = new ScriptedConsulKv();
    const a = await dedupInstance(kv, [WEB]);
    const b = await dedupInstance(kv, [WEB]);
    a.inner.deliver(WEB, ANSWER);
    await until(() => b.received.length === 1, 'the answer followed');
    kv.put(DATA_KEY, 'not a snapshot', {});
    await until(() => b.log.at('error').length > 0, 'the bad data reported');
    expect(b.hub.published(WEB)).toEqual(ANSWER);
    expect(b.received).toHaveLength(1);
  });

  it('releases its lock when it stops, for the next leader', async () => {
    const kv = new ScriptedConsulKv();
    const a = await dedupInstance(kv);
    await a.hub.stop();
    expect(kv.holder(LOCK_KEY)).toBeUndefined();
    expect(kv.liveSessions).toBe(0);
  });
});
