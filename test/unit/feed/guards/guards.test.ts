import { describe, expect, it } from 'vitest';
import { makeInstance } from '../../../../src/catalog/instance.js';
import { dependencyId, type Dependency, type Instance } from '../../../../src/catalog/types.js';
import { Guards, type GuardSettings } from '../../../../src/feed/guards/guards.js';
import { Metrics } from '../../../../src/observe/metrics.js';
import { captureLog } from '../../../support/log-capture.js';

type ServiceDep = Extract<Dependency, { kind: 'service' }>;
const WEB: ServiceDep = { kind: 'service', source: 'reg', name: 'web', status: ['passing'] };
const API: ServiceDep = { kind: 'service', source: 'reg', name: 'api', status: ['passing'] };
const WEB_ID = dependencyId(WEB);
const API_ID = dependencyId(API);

function instance(n: number, over: Partial<Instance> = {}): Instance {
  return { ...makeInstance({ ID: `web-${n}`, Name: 'web', Node: `node-${String(n).padStart(2, '0')}`, Address: `10.0.0.${n}`, Port: '80', Status: 'passing', Source: 'reg', Datacenter: 'dc1' }), ...over };
}
const range = (from: number, to: number): Instance[] => Array.from({ length: to - from + 1 }, (_, i) => instance(from + i));
const ids = (list: readonly Instance[]): string[] => list.map((i) => i.ID);

const BASE: GuardSettings = { allowlist: { cidrs: [], tags: [], dcs: [] }, maxRemovalPct: 20, holdMaxMs: 60_000, flap: undefined, services: {} };

function setup(settings: Partial<GuardSettings> = {}) {
  const capture = captureLog();
  const metrics = new Metrics();
  const guards = new Guards({ ...BASE, ...settings }, capture.log, metrics);
  const outputs = new Map<string, readonly Instance[]>();
  /** A registry answer through the guards; what templates then see is kept, for commit. */
  const decide = (id: string, dep: ServiceDep, list: readonly Instance[], now: number): readonly Instance[] => {
    const out = guards.apply(id, dep, list, now);
    outputs.set(id, out);
    return out;
  };
  /** What templates last saw of a query (a batch rendered it, and commits it). */
  const last = (id: string): readonly Instance[] => outputs.get(id) ?? [];
  const decisions = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await metrics.guardDecisions.get()).values.map((v) => [String(v.labels.decision), v.value]));
  return { guards, decide, last, ...capture, decisions };
}

describe('Guards', () => {
  it('applies the allowlist before the removal guard: instances outside it never count, and each is logged once', async () => {
    const { guards, at, decisions, decide } = setup({ allowlist: { cidrs: ['10.0.0.0/29'], tags: [], dcs: [] } });
    // 10.0.0.1–7 are inside 10.0.0.0/29; 8–10 are outside.
    const first = decide(WEB_ID, WEB, range(1, 10), 0);
    expect(ids(first)).toEqual(ids(range(1, 7)));
    decide(WEB_ID, WEB, range(1, 10), 1000);
    expect(at('warn').filter((l) => /outside the allowlist/.test(l.msg))).toHaveLength(3);
    expect(guards.counters.filtered).toBe(3);
    expect(guards.status(WEB_ID)).toEqual({ Healthy: '7', Held: '0', Filtered: '3', Damped: 'false' });
    expect((await decisions()).filtered).toBe(3);
  });

  it('holds a mass drop (marked Held), counts and logs it once, then releases as the window moves', async () => {
    const { guards, at, decisions, decide, last } = setup();
    decide(WEB_ID, WEB, range(1, 10), 0);
    guards.commit(WEB_ID, last(WEB_ID), 0);
    const held = decide(WEB_ID, WEB, range(1, 4), 1000);
    expect(held.length).toBeGreaterThan(4);
    expect(held.filter((i) => i.Held === 'true')).toHaveLength(held.length - 4);
    expect(guards.counters.held).toBe(held.length - 4);
    expect(at('warn').filter((l) => /removal guard allows/.test(l.msg))).toHaveLength(1);
    // The file with the held instances was written and reloaded.
    guards.commit(WEB_ID, last(WEB_ID), 1000);
    decide(WEB_ID, WEB, range(1, 4), 2000);
    expect(at('warn').filter((l) => /removal guard allows/.test(l.msg)), 'the same answer again is not a new decision').toHaveLength(1);
    expect(guards.deadlineOf(WEB_ID)).toBeDefined();
    expect(guards.nextDeadline()).toBe(guards.deadlineOf(WEB_ID));

    const changed = guards.reevaluate(guards.nextDeadline() as number);
    expect((changed.get(WEB_ID) ?? []).length).toBeLessThan(held.length);
    expect(guards.counters.released).toBeGreaterThan(0);
    expect(await decisions()).toMatchObject({ held: held.length - 4, released: guards.counters.released });
  });

  it('keeps a service from rendering empty (logged as an error once), unless it may be empty', () => {
    const { guards, at, decide, last } = setup({ maxRemovalPct: undefined, services: { api: { allowEmpty: true } } });
    decide(WEB_ID, WEB, range(1, 2), 0);
    guards.commit(WEB_ID, last(WEB_ID), 0);
    const kept = decide(WEB_ID, WEB, [], 1000);
    expect(ids(kept)).toEqual(ids(range(1, 2)));
    expect(kept.every((i) => i.Held === 'true')).toBe(true);
    decide(WEB_ID, WEB, [], 2000);
    expect(at('error').filter((l) => /no instance left/.test(l.msg))).toHaveLength(1);
    expect(guards.counters.keptFromEmpty).toBe(1);

    decide(API_ID, API, range(1, 2), 0);
    guards.commit(API_ID, last(API_ID), 0);
    expect(decide(API_ID, API, [], 1000)).toEqual([]);
  });

  it('decides the same for the same answer until a commit: no other instances held, no second warning', () => {
    const { guards, at, decide, last } = setup();
    decide(WEB_ID, WEB, range(1, 10), 0);
    guards.commit(WEB_ID, last(WEB_ID), 0);
    const first = decide(WEB_ID, WEB, range(1, 4), 1000);
    // The same registry answer again before the batch that renders it has committed (quiescence).
    const again = decide(WEB_ID, WEB, range(1, 4), 2000);
    expect(ids(again)).toEqual(ids(first));
    expect(at('warn').filter((l) => /removal guard allows/.test(l.msg))).toHaveLength(1);
  });

  it('takes as reference only what was committed: instances only a rolled-back batch rendered are never held', () => {
    const { guards, decide, last } = setup();
    decide(WEB_ID, WEB, range(1, 10), 0);
    guards.commit(WEB_ID, last(WEB_ID), 0);
    decide(WEB_ID, WEB, range(1, 12), 1000);
    const back = decide(WEB_ID, WEB, range(1, 10), 2000);
    expect(ids(back)).toEqual(ids(range(1, 10)));
    expect(guards.counters.held).toBe(0);
  });

  it('lets a service turn the removal guard off for itself', () => {
    const { guards, decide } = setup({ services: { web: { maxRemovalPct: null, allowEmpty: true } } });
    decide(WEB_ID, WEB, range(1, 10), 0);
    expect(ids(decide(WEB_ID, WEB, range(1, 2), 1000))).toEqual(ids(range(1, 2)));
    expect(guards.counters.held).toBe(0);
  });

  it('damps a service past the flap threshold (one warning), and lifts it after a calm window', async () => {
    const { guards, at, decisions, decide } = setup({ flap: { changes: 3, windowMs: 10_000, dampedWaitMs: 20_000 } });
    decide(WEB_ID, WEB, range(1, 2), 0);
    const damped = [0, 1000, 2000, 3000, 4000].map((t) => guards.recordChange(WEB_ID, t));
    expect(damped).toEqual([false, false, false, true, true]);
    expect(guards.isDamped(WEB_ID)).toBe(true);
    expect(guards.status(WEB_ID)?.Damped).toBe('true');
    expect(guards.counters.dampedSwitches).toBe(1);
    expect(at('warn').filter((l) => /flapping/.test(l.msg))).toHaveLength(1);
    expect((await decisions()).damped).toBe(1);
    expect(guards.deadlineOf(WEB_ID)).toBe(14_000);

    guards.reevaluate(13_999);
    expect(guards.isDamped(WEB_ID)).toBe(true);
    guards.reevaluate(14_000);
    expect(guards.isDamped(WEB_ID)).toBe(false);
    expect(at('info').filter((l) => /calm again/.test(l.msg))).toHaveLength(1);
  });

  it("releases every held instance on the operator's request, and says so", () => {
    const { guards, at, decide, last } = setup();
    decide(WEB_ID, WEB, range(1, 10), 0);
    guards.commit(WEB_ID, last(WEB_ID), 0);
    decide(WEB_ID, WEB, range(1, 4), 1000);
    const changed = guards.releaseAll(2000);
    expect(ids((changed.get(WEB_ID) ?? []) as readonly Instance[])).toEqual(ids(range(1, 4)));
    expect(guards.status(WEB_ID)?.Held).toBe('0');
    expect(at('warn').filter((l) => /operator release/.test(l.msg))).toHaveLength(1);
    expect(guards.releaseAll(3000).size, 'nothing held, nothing to release').toBe(0);
  });

  it('keeps the state of each service query apart, and forgets one no template uses', () => {
    const { guards, decide, last } = setup();
    decide(WEB_ID, WEB, range(1, 10), 0);
    decide(API_ID, API, range(1, 3), 0);
    guards.commit(WEB_ID, last(WEB_ID), 0);
    decide(WEB_ID, WEB, range(1, 4), 1000);
    expect(guards.status(API_ID)).toEqual({ Healthy: '3', Held: '0', Filtered: '0', Damped: 'false' });
    expect(guards.deadlineOf(API_ID)).toBeUndefined();
    guards.forget(WEB_ID);
    expect(guards.status(WEB_ID)).toBeUndefined();
    expect(guards.nextDeadline()).toBeUndefined();
  });
});
