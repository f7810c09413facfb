import { setImmediate as realSetImmediate } from 'node:timers';
import type { Clock, Timer } from '../../../../src/util/clock.js';

interface ManualTimer {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

/**
 * A clock and timers driven by hand, for schedules too large for vitest's fake timers (which scan
 * every pending timer on each tick): timers sit in a binary heap; `advance` runs them in time order
 * and lets promise callbacks settle after each.
 */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly heap: ManualTimer[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(run: () => void, ms: number): Timer {
    const timer: ManualTimer = { at: this.time + Math.max(0, ms), seq: this.seq++, run, cancelled: false };
    this.push(timer);
    return timer as unknown as Timer;
  }

  clearTimeout(handle: Timer | undefined): void {
    if (handle !== undefined) (handle as unknown as ManualTimer).cancelled = true;
  }

  get pending(): number {
    return this.heap.filter((t) => !t.cancelled).length;
  }

  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      const next = this.heap[0];
      if (next === undefined || next.at > until) break;
      this.pop();
      if (next.cancelled) continue;
      this.time = next.at;
      next.run();
      await new Promise<void>((resolve) => realSetImmediate(resolve));
    }
    this.time = until;
  }

  private before(a: ManualTimer, b: ManualTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(timer: ManualTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i] as ManualTimer, heap[parent] as ManualTimer)) break;
      [heap[i], heap[parent]] = [heap[parent] as ManualTimer, heap[i] as ManualTimer];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop() as ManualTimer;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < heap.length && this.before(heap[l] as ManualTimer, heap[best] as ManualTimer)) best = l;
      if (r < heap.length && this.before(heap[r] as ManualTimer, heap[best] as ManualTimer)) best = r;
      if (best === i) return;
      [heap[i], heap[best]] = [heap[best] as ManualTimer, heap[i] as ManualTimer];
      i = best;
    }
  }
}
