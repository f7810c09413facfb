import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HeapKeeper } from '../../../src/util/heap-keeper.js';

const MiB = 1024 * 1024;

describe('HeapKeeper', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  const keepers: HeapKeeper[] = [];
  afterEach(() => {
    for (const keeper of keepers.splice(0)) keeper.stop();
    vi.useRealTimers();
  });

  /** A keeper over a heap whose committed size the test sets; compactions shrink it to `live`. */
  function keeperOver(committed = 90 * MiB, live = 30 * MiB) {
    const heap = { committed, live };
    const compactions: number[] = [];
    const keeper = new HeapKeeper({
      enabled: true,
      heapBytes: () => heap.committed,
      compact: () => {
        compactions.push(heap.committed);
        heap.committed = heap.live;
      },
      settleMs: 500,
      checkEveryMs: 1000,
      growthFactor: 1.25,
      growthBytes: 8 * MiB,
    });
    keepers.push(keeper);
    return { heap, keeper, compactions };
  }

  it('compacts when told the burst is over, then leaves alone a heap that only breathes', () => {
    const { heap, keeper, compactions } = keeperOver();
    keeper.compactNow();
    expect(compactions).toEqual([90 * MiB]);
    // A wave of blocking queries leaves ~15 % behind until V8's next collection.
    heap.committed = 34.5 * MiB;
    vi.advanceTimersByTime(10_000);
    expect(compactions).toHaveLength(1);
  });

  it('compacts again once the heap grew by both the factor and the byte count, measured from what the last compaction left', () => {
    const { heap, keeper, compactions } = keeperOver();
    keeper.compactNow();
    heap.committed = 45 * MiB;
    vi.advanceTimersByTime(999);
    expect(compactions).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(compactions).toEqual([90 * MiB, 45 * MiB]);
    // The working set itself grew: the new baseline is what this compaction left, so the same
    // size does not set off another one.
    heap.live = 44 * MiB;
    heap.committed = 60 * MiB;
    vi.advanceTimersByTime(1000);
    expect(compactions).toEqual([90 * MiB, 45 * MiB, 60 * MiB]);
    vi.advanceTimersByTime(10_000);
    expect(compactions).toHaveLength(3);
  });

  it('told the start-up burst is over, compacts once it has settled, then checks for growth from there', () => {
    const { heap, keeper, compactions } = keeperOver();
    keeper.watch();
    keeper.burstOver();
    vi.advanceTimersByTime(499);
    expect(compactions).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(compactions).toEqual([90 * MiB]);
    heap.committed = 45 * MiB;
    vi.advanceTimersByTime(1000);
    expect(compactions).toEqual([90 * MiB, 45 * MiB]);
  });

  it('needs both: a small heap that grew by half but only a few MiB is left alone', () => {
    const { heap, keeper, compactions } = keeperOver(20 * MiB, 6 * MiB);
    keeper.compactNow();
    heap.committed = 12 * MiB;
    vi.advanceTimersByTime(5000);
    expect(compactions).toHaveLength(1);
  });

  it('watching from start-up: a daemon still waiting for its first render is compacted at the first check, then only on growth', () => {
    const { keeper, compactions } = keeperOver();
    keeper.watch();
    keeper.watch();
    vi.advanceTimersByTime(999);
    expect(compactions).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(compactions).toEqual([90 * MiB]);
    vi.advanceTimersByTime(10_000);
    expect(compactions).toHaveLength(1);
  });

  it('stops checking when stopped, and does nothing at all where V8 cannot compact', () => {
    const { heap, keeper, compactions } = keeperOver();
    keeper.compactNow();
    keeper.stop();
    heap.committed = 200 * MiB;
    vi.advanceTimersByTime(10_000);
    expect(compactions).toHaveLength(1);

    let calls = 0;
    const off = new HeapKeeper({ enabled: false, compact: () => (calls += 1), heapBytes: () => 0, checkEveryMs: 1000 });
    off.watch();
    off.compactNow();
    vi.advanceTimersByTime(10_000);
    expect(calls).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
