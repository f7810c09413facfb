import { describe, expect, it, vi } from 'vitest';
import { dependencyId, type Dependency, type DependencyValue, type Instance } from '../../../../src/catalog/types.js';
import { CONNECTION } from '../../../../src/registries/health.js';
import { parseZooKeeperUri } from '../../../../src/registries/zookeeper/settings.js';
import { ZooKeeperSource } from '../../../../src/registries/zookeeper/source.js';
import { ScriptedZooKeeper } from '../../../support/scripted-zookeeper.js';
import { registerCleanup } from '../../../support/tmp.js';
import { until } from '../../../support/until.js';

// ZooKeeperSource opens its own sessions: ZkSession is replaced by one answering from the script.
vi.mock('../../../../src/registries/zookeeper/client.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../../src/registries/zookeeper/client.js')>();
  const { scriptedSessionClass } = await import('../../../support/scripted-zookeeper.js');
  return { ...real, ZkSession: scriptedSessionClass((path) => new real.ZkNotAuthorised(path)) };
});

const WEB: Dependency = { kind: 'service', source: 'zk', name: 'web', status: ['passing'] };
const API: Dependency = { kind: 'service', source: 'zk', name: 'api', status: ['passing'] };
const LIST: Dependency = { kind: 'services', source: 'zk' };
const curator = (address: string, port: number): string => JSON.stringify({ name: 'x', id: address, address, port, payload: null, serviceType: 'DYNAMIC' });

async function started(options: { connect?: boolean; uri?: string } = {}) {
  const zk = new ScriptedZooKeeper();
  zk.autoConnect = options.connect ?? true;
  ScriptedZooKeeper.current = zk;
  const source = new ZooKeeperSource('zk', parseZooKeeperUri(options.uri ?? '//127.0.0.1:2181/services', '/', '--source'));
  const latest = new Map<string, DependencyValue>();
  const problems: string[] = [];
  await source.start({ data: (dep, value) => void latest.set(dependencyId(dep), value), error: (m) => void problems.push(m), info: () => undefined, warn: () => undefined });
  registerCleanup(() => source.stop());
  const addresses = (dep: Dependency): string[] | undefined => (latest.get(dependencyId(dep)) as Instance[] | undefined)?.map((i) => `${i.Address}:${i.Port}`);
  return { zk, source, latest, problems, addresses };
}

describe('ZooKeeperSource', () => {
  it('reads a Curator service and follows its instances through one-shot watches', async () => {
    const { zk, source, addresses } = await started();
    zk.create('/services/web/a', curator('10.0.0.1', 80));
    source.watch(WEB);
    await until(() => addresses(WEB)?.length === 1, 'web read');
    zk.create('/services/web/b', curator('10.0.0.2', 80));
    await until(() => addresses(WEB)?.length === 2, 'the new instance seen');
    zk.setData('/services/web/a', curator('10.0.0.3', 80));
    await until(() => addresses(WEB)?.includes('10.0.0.3:80') === true, 'the changed instance seen');
    zk.remove('/services/web/b');
    await until(() => addresses(WEB)?.length === 1, 'the removed instance gone');
    expect(addresses(WEB)).toEqual(['10.0.0.3:80']);
  });

  it('reads a Dubbo service from its providers', async () => {
    const { zk, source, addresses } = await started({ uri: '//127.0.0.1:2181/dubbo' });
    zk.create(`/dubbo/web/providers/${encodeURIComponent('dubbo://10.0.0.7:20880/web?side=provider')}`);
    source.watch({ ...WEB, name: 'web' });
    await until(() => addresses(WEB) !== undefined, 'web read');
    expect(addresses(WEB)).toEqual(['10.0.0.7:20880']);
  });

  it('answers a service that does not exist (yet) as empty, and sees it appear', async () => {
    const { zk, source, addresses } = await started();
    source.watch(WEB);
    await until(() => addresses(WEB) !== undefined, 'web answered');
    expect(addresses(WEB)).toEqual([]);
    zk.create('/services/web/a', curator('10.0.0.1', 80));
    await until(() => addresses(WEB)?.length === 1, 'the new service seen');
  });

  it('lists the services below the root', async () => {
    const { zk, source, latest } = await started();
    zk.create('/services/web/a', curator('10.0.0.1', 80));
    zk.create('/services/api');
    source.watch(LIST);
    await until(() => latest.has(dependencyId(LIST)), 'the list read');
    expect(latest.get(dependencyId(LIST))).toEqual([{ Name: 'api', Tags: [] }, { Name: 'web', Tags: [] }]);
  });

  it('skips an instance whose node data is unusable, reporting it once', async () => {
    const { zk, source, problems, addresses } = await started();
    zk.create('/services/web/a', curator('10.0.0.1', 80));
    zk.create('/services/web/bad', 'not json');
    source.watch(WEB);
    await until(() => addresses(WEB) !== undefined, 'web read');
    expect(addresses(WEB)).toEqual(['10.0.0.1:80']);
    zk.create('/services/web/b', curator('10.0.0.2', 80));
    await until(() => addresses(WEB)?.length === 2, 'the new instance seen');
    expect(problems).toEqual(['ZooKeeper at zk://127.0.0.1:2181/services: skipping instance /services/web/bad: the node data is not JSON']);
  });

  it('keeps health per service: one its ACL refuses stays a problem while another answers', async () => {
    const { zk, source, latest, addresses } = await started();
    zk.create('/services/web/a', curator('10.0.0.1', 80));
    zk.create('/services/api/a', curator('10.0.0.2', 80));
    zk.denied.add('/services/api');
    source.watch(WEB);
    source.watch(API);
    await until(() => source.health.failing && addresses(WEB) !== undefined, 'api refused, web answering');
    expect(source.health.affects('service:api')).toBe(true);
    expect(source.health.affects('service:web')).toBe(false);
    expect(source.health.problems()[0]?.problem).toBe('not authorised: /services/api');
    zk.create('/services/web/b', curator('10.0.0.3', 80));
    await until(() => addresses(WEB)?.length === 2, 'web changed');
    expect(source.health.failing, "web's answer does not clear api's problem").toBe(true);
    expect(latest.has(dependencyId(API)), 'never an empty service for a refused read').toBe(false);
    zk.denied.clear();
    await until(() => !source.health.failing, 'api read again once allowed');
    expect(addresses(API)).toEqual(['10.0.0.2:80']);
  });

  it('reports a lost connection for every query, and reads everything again once reconnected', async () => {
    const { zk, source, addresses } = await started();
    zk.create('/services/web/a', curator('10.0.0.1', 80));
    source.watch(WEB);
    await until(() => addresses(WEB) !== undefined, 'web read');
    zk.session?.state('disconnected');
    expect(source.health.affects(CONNECTION)).toBe(true);
    expect(source.health.affects(dependencyId(WEB))).toBe(true);
    const reads = zk.reads.length;
    zk.session?.state('connected');
    expect(source.health.failing).toBe(false);
    await until(() => zk.reads.length > reads, 'read again');
  });

  it('opens a new session after the old one expired, and reads everything again in it', async () => {
    const { zk, source, addresses } = await started();
    zk.create('/services/web/a', curator('10.0.0.1', 80));
    source.watch(WEB);
    await until(() => addresses(WEB) !== undefined, 'web read');
    const first = zk.session;
    first?.state('expired');
    expect(first?.closed).toBe(true);
    expect(zk.sessions).toHaveLength(2);
    await until(() => !source.health.failing, 'the new session connected');
    zk.create('/services/web/b', curator('10.0.0.2', 80));
    await until(() => addresses(WEB)?.length === 2, 'watching again in the new session');
  });

  it('says when no server answers in time, and when the credentials are refused', async () => {
    const { zk, source } = await started({ connect: false, uri: '//127.0.0.1:2181/services?connect_timeout=30ms' });
    await until(() => source.health.problems().some((p) => p.problem === 'not connected'), 'not connected reported');
    zk.session?.state('auth-failed');
    expect(source.health.problems().map((p) => p.problem)).toContain('authentication failed');
  });

  it('refuses key reads, and closes its session when stopped', async () => {
    const { zk, source, problems } = await started();
    source.watch({ kind: 'key', source: 'zk', key: 'x' });
    expect(problems).toEqual(['ZooKeeper at zk://127.0.0.1:2181/services: key/ls/tree are not supported']);
    await source.stop();
    expect(zk.session?.closed).toBe(true);
  });
});
