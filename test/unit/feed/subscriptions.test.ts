import { describe, expect, it } from 'vitest';
import { dependencyId, type Dependency } from '../../../src/catalog/types.js';
import { Subscriptions } from '../../../src/feed/subscriptions.js';
import { FakeSource } from '../../support/fake-source.js';

const service = (source: string, name: string): Dependency => ({ kind: 'service', source, name, status: ['passing'] });
const wanted = (...deps: Dependency[]): Map<string, Dependency> => new Map(deps.map((d) => [dependencyId(d), d]));
const quiet = { debug: () => undefined };

function setup() {
  const a = new FakeSource('a');
  const b = new FakeSource('b');
  const dropped: string[] = [];
  const subs = new Subscriptions(new Map([['a', a], ['b', b]]), (id) => dropped.push(id), quiet);
  return { a, b, dropped, subs };
}

describe('Subscriptions', () => {
  it('watches each wanted dependency on its own source', () => {
    const { a, b, subs } = setup();
    const web = service('a', 'web');
    const api = service('b', 'api');
    subs.sync(wanted(web, api));
    expect(a.calls).toEqual([`watch ${dependencyId(web)}`]);
    expect(b.calls).toEqual([`watch ${dependencyId(api)}`]);
    expect(subs.size).toBe(2);
    expect(subs.has(dependencyId(web))).toBe(true);
    expect(subs.ids().sort()).toEqual([dependencyId(web), dependencyId(api)].sort());
  });

  it('watches a dependency once however often it is still wanted', () => {
    const { a, subs } = setup();
    const web = service('a', 'web');
    subs.sync(wanted(web));
    subs.sync(wanted(web));
    subs.sync(wanted(web));
    expect(a.calls).toEqual([`watch ${dependencyId(web)}`]);
  });

  it('unwatches what no template uses any more and drops its data', () => {
    const { a, dropped, subs } = setup();
    const web = service('a', 'web');
    const api = service('a', 'api');
    subs.sync(wanted(web, api));
    subs.sync(wanted(api));
    expect(a.calls).toEqual([`watch ${dependencyId(web)}`, `watch ${dependencyId(api)}`, `unwatch ${dependencyId(web)}`]);
    expect(dropped).toEqual([dependencyId(web)]);
    expect(subs.has(dependencyId(web))).toBe(false);
    expect(subs.size).toBe(1);
  });

  it('watches a dependency again after it was dropped and wanted anew', () => {
    const { a, dropped, subs } = setup();
    const web = service('a', 'web');
    subs.sync(wanted(web));
    subs.sync(wanted());
    subs.sync(wanted(web));
    expect(a.calls.filter((c) => c.startsWith('watch'))).toHaveLength(2);
    expect(dropped).toEqual([dependencyId(web)]);
  });

  it('ignores a dependency on a source that is not configured', () => {
    const { a, b, subs } = setup();
    subs.sync(wanted(service('nowhere', 'web')));
    expect(subs.size).toBe(0);
    expect([...a.calls, ...b.calls]).toEqual([]);
  });
});
