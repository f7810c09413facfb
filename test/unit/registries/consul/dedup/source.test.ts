import { describe, expect, it } from 'vitest';
import { dependencyId, type Dependency } from '../../../../../src/catalog/types.js';
import { CONNECTION } from '../../../../../src/registries/health.js';
import { dedupInstance } from '../../../../support/dedup-fleet.js';
import { flush } from '../../../../support/fake-clock.js';
import { ScriptedConsulKv } from '../../../../support/scripted-consul-kv.js';
import { until } from '../../../../support/until.js';

const WEB: Dependency = { kind: 'service', source: 'consul', name: 'web', status: ['passing'] };
const API: Dependency = { kind: 'service', source: 'consul', name: 'api', status: ['passing'] };
const ANSWER = [{ ID: 'web-1', Address: '10.0.0.1', Port: '80' }] as never;

/** A leader that has published ANSWER for WEB, and a follower. */
async function fleet() {
  const kv = new ScriptedConsulKv();
  const leader = await dedupInstance(kv, [WEB]);
  leader.inner.deliver(WEB, ANSWER);
  await until(() => leader.hub.stats.publishes === 1, 'the answer published');
  const follower = await dedupInstance(kv, []);
  await until(() => follower.hub.published(WEB) !== undefined, 'the follower has the published data');
  return { kv, leader, follower };
}

describe('DedupSource', () => {
  it("is the wrapped source's name, counters and description, marked as deduplicated, and always live", async () => {
    const { leader } = await fleet();
    expect(leader.source.name).toBe('consul');
    expect(leader.source.description).toBe('fake:consul (dedup)');
    expect(leader.source.stats).toBe(leader.inner.stats);
    expect(leader.source.live).toBe(true);
  });

  it('as leader, watches and unwatches on the real source, and passes its answers on', async () => {
    const { leader } = await fleet();
    leader.source.watch(API);
    leader.source.unwatch(API);
    expect(leader.inner.calls.slice(-2)).toEqual([`watch ${dependencyId(API)}`, `unwatch ${dependencyId(API)}`]);
    expect(leader.received).toEqual([{ dep: WEB, value: ANSWER }]);
  });

  it('as follower, answers a watch from the published data, after the call returns, without the real source', async () => {
    const { follower } = await fleet();
    follower.source.watch(WEB);
    expect(follower.received, 'never from inside watch()').toEqual([]);
    await flush();
    expect(follower.received).toEqual([{ dep: WEB, value: ANSWER }]);
    follower.source.watch(API);
    follower.source.unwatch(API);
    await flush();
    expect(follower.received, 'nothing published for api yet').toHaveLength(1);
    expect(follower.inner.calls).toEqual([]);
  });

  it("as follower, does not show the real source's problems: the registry is the leader's to watch", async () => {
    const { leader, follower } = await fleet();
    follower.inner.health.report('lost', CONNECTION, 'lost');
    expect(follower.source.health.failing).toBe(false);
    leader.inner.health.report('lost', CONNECTION, 'lost');
    expect(leader.source.health.failing).toBe(true);
  });

  it('on becoming leader watches on the real source what its templates use, and on following stops', async () => {
    const { kv, leader, follower } = await fleet();
    follower.source.watch(WEB);
    await leader.hub.stop();
    await until(() => follower.hub.leader, 'the follower leads');
    expect(follower.inner.calls).toEqual([`watch ${dependencyId(WEB)}`]);
    expect(kv.liveSessions).toBe(1);
  });
});
