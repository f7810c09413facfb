import { describe, expect, it } from 'vitest';
import { makeInstance } from '../../../src/catalog/instance.js';
import { dependencyId, type Dependency, type Instance } from '../../../src/catalog/types.js';
import { CatalogFeed } from '../../../src/feed/feed.js';
import { Guards, type GuardSettings } from '../../../src/feed/guards/guards.js';
import { CatalogScreen } from '../../../src/feed/screen.js';
import { FakeClock } from '../../support/fake-clock.js';
import { captureLog } from '../../support/log-capture.js';

const WEB: Dependency = { kind: 'service', source: 'reg', name: 'web', status: ['passing'] };
const WEB_ID = dependencyId(WEB);
const KEY: Dependency = { kind: 'key', source: 'reg', key: 'app/x' };

const instance = (n: number): Instance => makeInstance({ ID: `web-${n}`, Name: 'web', Node: `node-${n}`, Address: `10.0.0.${n}`, Port: '80', Status: 'passing', Source: 'reg' });
const instances = (count: number): Instance[] => Array.from({ length: count }, (_, i) => instance(i + 1));

const GUARDS: GuardSettings = { allowlist: { cidrs: [], tags: [], dcs: [] }, maxRemovalPct: 20, holdMaxMs: 1000, flap: undefined, services: {} };

function setup(guards: Partial<GuardSettings> = {}, dampedWaitMs?: number) {
  const { log } = captureLog();
  const clock = new FakeClock();
  const changes: { id: string; dampedWaitMs: number | undefined }[] = [];
  const feed = new CatalogFeed({
    screen: new CatalogScreen(new Set(), log),
    guards: new Guards({ ...GUARDS, ...guards }, log),
    dampedWaitMs,
    clock,
    onChange: (id, wait) => changes.push({ id, dampedWaitMs: wait }),
  });
  const shown = (): readonly Instance[] => (feed.lookup(WEB_ID) ?? []) as readonly Instance[];
  /** The batch that rendered what templates see now committed it (its files written and reloaded). */
  const commitShown = (): void => feed.commit(new Map([[WEB_ID, shown()]]));
  return { feed, clock, changes, shown, commitShown };
}

describe('CatalogFeed', () => {
  it('screens answers before anything else: a refused instance never reaches templates', () => {
    const { feed, shown } = setup();
    feed.ingest(WEB, [instance(1), { ...instance(2), Address: '10.0.0.2;\n  server evil' }]);
    expect(shown().map((i) => i.ID)).toEqual(['web-1']);
  });

  it('announces a change only when what templates see changed', () => {
    const { feed, changes } = setup();
    feed.ingest(WEB, instances(2));
    feed.ingest(WEB, instances(2));
    feed.ingest(KEY, 'a');
    feed.ingest(KEY, 'a');
    feed.ingest(KEY, 'b');
    expect(changes.map((c) => c.id)).toEqual([WEB_ID, dependencyId(KEY), dependencyId(KEY)]);
    expect(feed.lookup(dependencyId(KEY))).toBe('b');
    expect(feed.has(dependencyId(KEY))).toBe(true);
  });

  it('passes service answers through the guards: a mass drop is held, marked Held', () => {
    const { feed, shown, commitShown } = setup();
    feed.ingest(WEB, instances(10));
    commitShown();
    feed.ingest(WEB, instances(5));
    expect(shown().length).toBeGreaterThan(5);
    expect(shown().filter((i) => i.Held === 'true').length).toBe(shown().length - 5);
    expect(feed.guardStatus(WEB_ID)).toMatchObject({ Healthy: '5', Held: String(shown().length - 5) });
  });

  it('re-publishes held instances when the guard window moves, without a new answer, down to what the registry lists', async () => {
    const { feed, clock, changes, shown, commitShown } = setup();
    feed.ingest(WEB, instances(10));
    commitShown();
    feed.ingest(WEB, instances(5));
    // The batch wrote the file with the held instances: committed, as the pipeline does after each write.
    commitShown();
    const heldAtDrop = shown().length;
    const announced = changes.length;
    await clock.advance(999);
    expect(shown().length, 'nothing moves before the window').toBe(heldAtDrop);
    await clock.advance(1);
    expect(shown().length, 'the window moved: some held instances go').toBeLessThan(heldAtDrop);
    expect(changes.length).toBe(announced + 1);
    for (let step = 0; step < 10 && shown().some((i) => i.Held === 'true'); step++) {
      commitShown();
      await clock.advance(1000);
    }
    expect(shown().map((i) => i.ID)).toEqual(instances(5).map((i) => i.ID));
    expect(clock.pending, 'no timer left once nothing is held').toBe(0);
  });

  it("releases every held instance at once on the operator's request", async () => {
    const { feed, clock, changes, shown, commitShown } = setup();
    feed.ingest(WEB, instances(10));
    commitShown();
    feed.ingest(WEB, instances(5));
    const announced = changes.length;
    feed.releaseHeld();
    expect(shown().map((i) => i.ID)).toEqual(instances(5).map((i) => i.ID));
    expect(changes.length).toBe(announced + 1);
    await clock.advance(60_000);
    expect(changes.length, 'nothing left for the window to release').toBe(announced + 1);
  });

  it('passes the damped wait with the changes of a flapping service, and stops once it is calm', async () => {
    const { feed, clock, changes } = setup({ maxRemovalPct: undefined, flap: { changes: 2, windowMs: 10_000, dampedWaitMs: 7000 } }, 7000);
    for (let n = 0; n < 4; n++) {
      feed.ingest(WEB, instances(n % 2 === 0 ? 1 : 2));
      await clock.advance(100);
    }
    expect(changes.map((c) => c.dampedWaitMs)).toEqual([undefined, undefined, 7000, 7000]);
    expect(feed.guardStatus(WEB_ID)?.Damped).toBe('true');
    await clock.advance(10_000);
    expect(feed.guardStatus(WEB_ID)?.Damped, 'calm for a whole window').toBe('false');
    feed.ingest(WEB, instances(3));
    expect(changes.at(-1)?.dampedWaitMs).toBeUndefined();
  });

  it('holds only what was committed: what a batch rendered but never put in use is not held', () => {
    const { feed, shown, commitShown } = setup();
    feed.ingest(WEB, instances(10));
    feed.ingest(WEB, instances(5));
    expect(shown().map((i) => i.ID), 'nothing committed yet: nothing to hold').toEqual(instances(5).map((i) => i.ID));
    feed.ingest(WEB, instances(10));
    commitShown();
    feed.ingest(WEB, instances(5));
    expect(shown().filter((i) => i.Held === 'true').length, 'committed instances that went are held').toBeGreaterThan(0);
  });

  it('forgets a dependency no template uses: its data and guard state go', () => {
    const { feed, changes } = setup();
    feed.ingest(WEB, instances(3));
    feed.forget(WEB_ID);
    expect(feed.has(WEB_ID)).toBe(false);
    expect(feed.guardStatus(WEB_ID)).toBeUndefined();
    feed.ingest(WEB, instances(3));
    expect(changes).toHaveLength(2);
  });

  it('publishes nothing after it is stopped, even when a guard window moves', async () => {
    const { feed, clock, changes, commitShown } = setup();
    feed.ingest(WEB, instances(10));
    commitShown();
    feed.ingest(WEB, instances(5));
    const announced = changes.length;
    feed.stop();
    await clock.advance(60_000);
    expect(changes.length).toBe(announced);
  });
});
