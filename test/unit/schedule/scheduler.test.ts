import { describe, expect, it } from 'vitest';
import type { WaitSpec } from '../../../src/config/duration.js';
import { Scheduler, type SchedulerOptions } from '../../../src/schedule/scheduler.js';
import { FakeClock, flush } from '../../support/fake-clock.js';

type Unit = 'a' | 'b' | 'c';
const UNITS: readonly Unit[] = ['a', 'b', 'c'];
const WAIT: WaitSpec = { minMs: 100, maxMs: 500 };

/** A scheduler over three units whose batches are recorded; `hold` keeps batches running until released. */
function setup(over: Partial<SchedulerOptions<Unit>> = {}) {
  const clock = new FakeClock();
  const batches: Unit[][] = [];
  const retries: { units: readonly Unit[]; delayMs: number }[] = [];
  let running = 0;
  let overlapped = false;
  let gate: Promise<void> | undefined;
  const scheduler = new Scheduler<Unit>({
    units: UNITS,
    waitOf: () => WAIT,
    once: false,
    retry: { baseMs: 1000, capMs: 8000, jitter: 'none' },
    clock,
    runBatch: async (units) => {
      running += 1;
      if (running > 1) overlapped = true;
      batches.push([...units]);
      await gate;
      running -= 1;
    },
    onRetryScheduled: (units, delayMs) => retries.push({ units, delayMs }),
    ...over,
  });
  return {
    scheduler,
    clock,
    batches,
    retries,
    overlapped: () => overlapped,
    /** Batches started from now on wait until the returned function is called. */
    hold(): () => void {
      let release = (): void => undefined;
      gate = new Promise<void>((resolve) => {
        release = () => {
          gate = undefined;
          resolve();
        };
      });
      return release;
    },
  };
}

describe('Scheduler', () => {
  it('renders a template that has not rendered yet at once, without waiting for quiescence', async () => {
    const { scheduler, batches } = setup();
    scheduler.changed('a', false);
    await flush();
    expect(batches).toEqual([['a']]);
  });

  it('renders a template still missing data at most once per discovery interval, and at once when the last piece arrives', async () => {
    const missing = new Set<string>(['s1', 's2', 's3']);
    const { scheduler, clock, batches } = setup({ hasAllData: () => missing.size === 0, discoveryIntervalMs: 250 });
    // Arrivals every 20 ms: they do not each render the incomplete template.
    for (const id of ['s1', 's2']) {
      missing.delete(id);
      scheduler.changed('a', false);
      await clock.advance(20);
    }
    expect(batches).toEqual([]);
    expect(scheduler.idle, 'a discovery render is pending: --once is not done').toBe(false);
    missing.delete('s3');
    scheduler.changed('a', false);
    await flush();
    expect(batches).toEqual([['a']]);
    // The complete render replaced the pending discovery render.
    await clock.advance(1000);
    expect(batches).toEqual([['a']]);
    expect(scheduler.idle).toBe(true);
  });

  it('still renders an incomplete template after the discovery interval (what arrived may name more dependencies)', async () => {
    const { scheduler, clock, batches } = setup({ hasAllData: () => false, discoveryIntervalMs: 250 });
    scheduler.changed('a', false);
    await clock.advance(100);
    scheduler.changed('a', false);
    await clock.advance(149);
    expect(batches).toEqual([]);
    await clock.advance(1);
    expect(batches).toEqual([['a']]);
    scheduler.changed('a', false);
    await clock.advance(250);
    expect(batches).toEqual([['a'], ['a']]);
    scheduler.changed('a', false);
    scheduler.stop();
    await clock.advance(1000);
    expect(batches, 'stop cancels a pending discovery render').toHaveLength(2);
  });

  it('renders later changes after min of calm: a burst becomes one batch', async () => {
    const { scheduler, clock, batches } = setup();
    scheduler.changed('a', true);
    await clock.advance(60);
    scheduler.changed('a', true);
    await clock.advance(99);
    expect(batches, 'the second change restarted the calm period').toEqual([]);
    await clock.advance(1);
    expect(batches).toEqual([['a']]);
  });

  it('never waits longer than max after the first pending change, even in a drizzle', async () => {
    const { scheduler, clock, batches } = setup();
    for (let t = 0; t < 500; t += 50) {
      scheduler.changed('a', true);
      await clock.advance(50);
    }
    expect(batches).toEqual([['a']]);
  });

  it('renders every change at once in --once', async () => {
    const { scheduler, batches } = setup({ once: true });
    scheduler.changed('a', true);
    await flush();
    expect(batches).toEqual([['a']]);
  });

  it('waits the damped wait for a flapping service, whatever changes meanwhile', async () => {
    const { scheduler, clock, batches } = setup();
    scheduler.changed('a', true, 2000);
    for (let n = 0; n < 10; n++) {
      await clock.advance(150);
      scheduler.changed('a', true, 2000);
    }
    expect(batches).toEqual([]);
    await clock.advance(500);
    expect(batches).toEqual([['a']]);
  });

  it('makes everything due in one tick one batch, in the order of the units', async () => {
    const { scheduler, batches } = setup();
    scheduler.markDue('c');
    scheduler.markDue('a');
    scheduler.markDue('c');
    await flush();
    expect(batches).toEqual([['a', 'c']]);
  });

  it('never runs two batches at once: what becomes due meanwhile is the next batch', async () => {
    const { scheduler, batches, hold, overlapped } = setup();
    const release = hold();
    scheduler.markDue('a');
    await flush();
    scheduler.markDue('b');
    await flush();
    scheduler.markDue('c');
    await flush();
    expect(batches).toEqual([['a']]);
    release();
    await scheduler.settled;
    await flush();
    // Each tick queues a batch; one that finds nothing due left (b and c went together) has no units.
    expect(batches.filter((b) => b.length > 0)).toEqual([['a'], ['b', 'c']]);
    expect(overlapped()).toBe(false);
  });

  it('paces before a batch takes its units: changes during the pace join it', async () => {
    let endPace = (): void => undefined;
    const { scheduler, batches } = setup({ pace: () => new Promise<void>((resolve) => (endPace = resolve)) });
    scheduler.markDue('a');
    await flush();
    scheduler.markDue('b');
    await flush();
    expect(batches).toEqual([]);
    endPace();
    await flush();
    expect(batches[0]).toEqual(['a', 'b']);
    expect(batches.slice(1).flat(), 'no unit renders twice for one change').toEqual([]);
  });

  it('retries failed units with growing backoff, and starts over after a batch that succeeded', async () => {
    const { scheduler, clock, batches, retries } = setup();
    expect(scheduler.retry(['b'])).toEqual({ delayMs: 1000, attempts: 1 });
    expect(scheduler.retry([]), 'nothing to retry').toBeUndefined();
    expect(scheduler.retrying).toBe(true);
    await clock.advance(999);
    expect(batches).toEqual([]);
    await clock.advance(1);
    expect(batches).toEqual([['b']]);
    scheduler.retry(['b']);
    await clock.advance(2000);
    expect(scheduler.retry(['b'])).toEqual({ delayMs: 4000, attempts: 3 });
    expect(retries.map((r) => r.delayMs)).toEqual([1000, 2000, 4000]);
    expect(retries.every((r) => r.units.join() === 'b')).toBe(true);
    scheduler.succeeded();
    expect(scheduler.retrying).toBe(false);
    scheduler.retry(['b']);
    expect(retries.at(-1)?.delayMs).toBe(1000);
  });

  it('keeps only the latest retry: a new failure replaces the pending one', async () => {
    const { scheduler, clock, batches } = setup();
    scheduler.retry(['a']);
    scheduler.retry(['b']);
    await clock.advance(10_000);
    expect(batches).toEqual([['b']]);
  });

  it('cancels pending renders and retries when stopped, and takes no more', async () => {
    const { scheduler, clock, batches } = setup();
    scheduler.changed('a', true);
    scheduler.retry(['b']);
    scheduler.stop();
    scheduler.markDue('c');
    expect(scheduler.retry(['c'])).toBeUndefined();
    await clock.advance(60_000);
    expect(batches).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('is idle when nothing is due or queued', async () => {
    const { scheduler } = setup();
    expect(scheduler.idle).toBe(true);
    scheduler.markDue('a');
    expect(scheduler.idle).toBe(false);
    await flush();
    await scheduler.settled;
    expect(scheduler.idle).toBe(true);
  });
});
