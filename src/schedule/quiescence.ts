import type { WaitSpec } from '../config/duration.js';

/**
 * Quiescence for one template (consul-template's `wait`): after a change, wait until `min` has
 * passed with no further change, but never longer than `max` after the first pending change, so a
 * burst of catalog updates becomes one render and one reload, and a constant drizzle still renders.
 */
export class Quiescence {
  private minTimer: NodeJS.Timeout | undefined;
  private maxTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly wait: WaitSpec,
    private readonly fire: () => void,
  ) {}

  private firstPendingAt: number | undefined;
  private damped = false;

  /**
   * A change arrived. With a zero wait it fires at once. `dampedWaitMs` (a flapping service)
   * replaces min:max by one fixed wait from the first pending change: further changes neither
   * restart nor shorten it, so a flapping service renders at most once per damped wait.
   */
  notify(dampedWaitMs?: number): void {
    if (dampedWaitMs !== undefined) {
      this.firstPendingAt ??= Date.now();
      if (this.damped) return;
      this.damped = true;
      clearTimeout(this.minTimer);
      clearTimeout(this.maxTimer);
      this.minTimer = undefined;
      this.maxTimer = setTimeout(() => this.flush(), Math.max(0, this.firstPendingAt + dampedWaitMs - Date.now()));
      return;
    }
    if (this.wait.minMs === 0 && !this.damped) {
      this.fire();
      return;
    }
    this.firstPendingAt ??= Date.now();
    if (this.damped) return;
    clearTimeout(this.minTimer);
    this.minTimer = setTimeout(() => this.flush(), this.wait.minMs);
    this.maxTimer ??= setTimeout(() => this.flush(), this.wait.maxMs);
  }

  get pending(): boolean {
    return this.firstPendingAt !== undefined;
  }

  cancel(): void {
    clearTimeout(this.minTimer);
    clearTimeout(this.maxTimer);
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
