import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Instance } from '../../../../src/catalog/types.js';
import { instanceKey, makeInstance } from '../../../../src/catalog/instance.js';
import { RemovalGuard } from '../../../../src/feed/guards/removal.js';

const HOLD = 300_000;

function instance(n: number): Instance {
  return makeInstance({ ID: `web-${n}`, Name: 'web', Node: `n${String(n).padStart(2, '0')}`, Address: `10.0.0.${n}`, Port: '80', Tags: [], Meta: {}, Status: 'passing', Datacenter: 'dc1', Source: 'file' });
}
const range = (from: number, to: number): Instance[] => Array.from({ length: to - from + 1 }, (_, i) => instance(from + i));
const keys = (list: readonly Instance[]): string[] => list.map(instanceKey);
const guard = (pct: number | undefined = 20, allowEmpty = false) => new RemovalGuard({ maxRemovalPct: pct, holdMaxMs: HOLD, allowEmpty });
const unguarded = (allowEmpty: boolean) => new RemovalGuard({ maxRemovalPct: undefined, holdMaxMs: HOLD, allowEmpty });

describe('RemovalGuard', () => {
  it('lets a single removal through at once', () => {
    const g = guard();
    g.apply(range(1, 10), 0);
    const d = g.apply(range(2, 10), 1000);
    expect(d.output).toHaveLength(9);
    expect(d.held).toBe(0);
  });

  it('holds a mass drop: 6 of 10 gone keeps 8, the held ones marked Held', () => {
    const g = guard();
    g.apply(range(1, 10), 0);
    const d = g.apply(range(1, 4), 1000);
    expect(d.output).toHaveLength(8);
    expect(d.held).toBe(4);
    expect(d.output.filter((i) => i.Held === 'true')).toHaveLength(4);
    expect(d.output.filter((i) => i.Held === undefined).map((i) => i.ID)).toEqual(['web-1', 'web-2', 'web-3', 'web-4']);
  });

  it('lets additions through at once, whatever is held', () => {
    const g = guard();
    g.apply(range(1, 10), 0);
    g.apply(range(1, 4), 1000);
    const d = g.apply([...range(1, 4), instance(50)], 2000);
    expect(keys(d.output)).toContain(instanceKey(instance(50)));
  });

  it('releases a held instance when it comes back (it is simply present again)', () => {
    const g = guard();
    g.apply(range(1, 10), 0);
    g.apply(range(1, 4), 1000);
    const d = g.apply(range(1, 10), 2000);
    expect(d.output).toHaveLength(10);
    expect(d.held).toBe(0);
    expect(d.output.every((i) => i.Held === undefined)).toBe(true);
  });

  it('stops a slow cascade: one at a time cannot go below the baseline minus the budget within the window', () => {
    const g = guard();
    g.apply(range(1, 10), 0);
    let d = g.apply(range(2, 10), 1000);
    d = g.apply(range(3, 10), 2000);
    d = g.apply(range(4, 10), 3000);
    expect(d.output).toHaveLength(8);
    expect(d.held).toBe(1);
  });

  it('releases held instances in steps once the hold window has passed', () => {
    const g = guard();
    g.apply(range(1, 10), 0);
    g.apply(range(1, 4), 1000);
    expect(g.nextDeadline()).toBe(1000 + HOLD);
    const first = g.reevaluate(1000 + HOLD);
    expect(first.output).toHaveLength(7); // baseline 8 now: budget 1
    expect(first.released).toHaveLength(1);
    const second = g.reevaluate(1000 + 2 * HOLD);
    expect(second.output).toHaveLength(6);
  });

  it('releases everything on the operator’s word', () => {
    const g = guard();
    g.apply(range(1, 10), 0);
    g.apply(range(1, 4), 1000);
    const d = g.releaseAll(2000);
    expect(d.output).toHaveLength(4);
    expect(d.released).toHaveLength(4);
    // The baseline restarts from here: the next single removal passes.
    expect(g.apply(range(1, 3), 3000).output).toHaveLength(3);
  });

  it('never renders a service that had instances as empty, even with the removal guard off', () => {
    const g = unguarded(false);
    g.apply(range(1, 3), 0);
    const d = g.apply([], 1000);
    expect(d.keptFromEmpty).toBe(true);
    expect(d.output).toHaveLength(3);
    expect(g.reevaluate(1000 + 10 * HOLD).output).toHaveLength(3);
  });

  it('renders empty when allow_empty is set', () => {
    const g = unguarded(true);
    g.apply(range(1, 3), 0);
    expect(g.apply([], 1000).output).toHaveLength(0);
  });

  it('renders an empty service as it is at first start', () => {
    expect(guard().apply([], 0).output).toHaveLength(0);
  });

  it('tells instances with one ID on different nodes apart', () => {
    const g = guard();
    const a = { ...instance(1), ID: 'web' };
    const b = { ...instance(2), ID: 'web' };
    expect(g.apply([a, b], 0).output).toHaveLength(2);
  });
});

describe('RemovalGuard properties', () => {
  // A run: a sequence of (subset of 1..N present, time step) pairs.
  const run = fc.record({
    size: fc.integer({ min: 1, max: 40 }),
    pct: fc.integer({ min: 0, max: 100 }),
    steps: fc.array(fc.record({ keep: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), dt: fc.integer({ min: 0, max: HOLD / 2 }) }), { minLength: 1, maxLength: 30 }),
  });

  it('no step removes more than max(1, X% of the largest set rendered within the window), and a service never goes empty', () => {
    fc.assert(
      fc.property(run, ({ size, pct, steps }) => {
        const g = guard(pct);
        const history: { at: number; size: number }[] = [];
        let now = 0;
        let previous = g.apply(range(1, size), now).output;
        history.push({ at: now, size: previous.length });
        for (const step of steps) {
          now += step.dt;
          const present = range(1, size).filter((_, i) => step.keep[i]);
          const output = g.apply(present, now).output;
          // Sizes that were on screen at some time within the window before now.
          const inWindow = history.filter((h, i) => (history[i + 1]?.at ?? now) > now - HOLD || h.at > now - HOLD);
          const baseline = Math.max(...inWindow.map((h) => h.size));
          const removed = keys(previous).filter((k) => !keys(output).includes(k)).length;
          const budget = Math.max(1, Math.floor((baseline * pct) / 100));
          expect(removed).toBeLessThanOrEqual(budget);
          // A slow cascade cannot take the set further below the window's largest than one budget.
          expect(output.length).toBeGreaterThanOrEqual(baseline - budget);
          // Everything present is shown; everything shown but not present is marked held.
          expect(keys(output)).toEqual(expect.arrayContaining(keys(present)));
          for (const inst of output) if (!keys(present).includes(instanceKey(inst))) expect(inst.Held).toBe('true');
          expect(output.length).toBeGreaterThan(0);
          history.push({ at: now, size: output.length });
          previous = output;
        }
      }),
      { numRuns: 300 },
    );
  });
});
