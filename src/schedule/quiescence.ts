import type { WaitSpec } from '../config/duration.js';
import { systemClock, type Clock, type Timer } from '../util/clock.js';

/**
 * Quiescence for one template (consul-template's `wait`): after a change, wait until `min` has
 * passed with no further change, but never longer than `max` after the first pending change, so a
 * burst of catalog updates becomes one render and one reload, and a constant drizzle still renders.
 */
export class Quiescence {
  private minTimer: Timer | undefined;
  private maxTimer: Timer | undefined;
  private firstPendingAt: number | undefined;
  private damped = false;

  constructor(
    private readonly wait: WaitSpec,
    private readonly fire: () => void,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * A change arrived. With a zero wait it fires at once. `dampedWaitMs` (a flapping service)
   * replaces min:max by one fixed wait from the first pending change: further changes neither
   * restart nor shorten it, so a flapping service renders at most once per damped wait.
   */
  notify(dampedWaitMs?: number): void {
    const clock = this.clock;
    if (dampedWaitMs !== undefined) {
      this.firstPendingAt ??= clock.now();
      if (this.damped) return;
      this.damped = true;
      clock.clearTimeout(this.minTimer);
      clock.clearTimeout(this.maxTimer);
      this.minTimer = undefined;
      this.maxTimer = clock.setTimeout(() => this.flush(), this.firstPendingAt + dampedWaitMs - clock.now());
      return;
    }
    if (this.wait.minMs === 0 && !this.damped) {
      this.fire();
      return;
    }
    this.firstPendingAt ??= clock.now();
    if (this.damped) return;
    clock.clearTimeout(this.minTimer);
    this.minTimer = clock.setTimeout(() => this.flush(), this.wait.minMs);
    this.maxTimer ??= clock.setTimeout(() => this.flush(), this.wait.maxMs);
  }

  get pending(): boolean {
    return this.firstPendingAt !== undefined;
  }

  cancel(): void {
    this.clock.clearTimeout(this.minTimer);
    this.clock.clearTimeout(this.maxTimer);
    this.minTimer = undefined;
    this.maxTimer = undefined;
    this.firstPendingAt = undefined;
    this.damped = false;
  }

  private flush(): void {
    this.cancel();
    this.fire();
  }
}
