import { setImmediate as realSetImmediate } from 'node:timers';
import type { Clock, Timer } from '../../src/util/clock.js';

interface FakeTimer {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

/** Lets queued promise callbacks and setImmediate work (real, not faked) run once. */
export const flush = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));

/**
 * A Clock (src/util/clock.ts) that moves only when a test says so. `advance` runs the timers that
 * fall due in time order, with the clock set to each one's time, and lets promise callbacks settle
 * after each, so what a timer starts (a batch, a publish) has run when `advance` returns.
 */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(start = 1_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(run: () => void, ms: number): Timer {
    const timer: FakeTimer = { at: this.time + Math.max(0, ms), seq: this.seq++, run, cancelled: false };
    this.timers.push(timer);
    return timer as unknown as Timer;
  }

  clearTimeout(handle: Timer | undefined): void {
    if (handle !== undefined) (handle as unknown as FakeTimer).cancelled = true;
  }

  /** Timers armed and neither run nor cancelled. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** When the next pending timer is due, if any. */
  get nextAt(): number | undefined {
    const next = this.due(Infinity);
    return next?.at;
  }

  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (let next = this.due(until); next !== undefined; next = this.due(until)) {
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.run();
      await flush();
      await flush();
    }
    this.time = until;
    await flush();
  }

  private due(until: number): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers) {
      if (t.cancelled || t.at > until) continue;
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
