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

  /** A change arrived. With a zero wait it fires at once. */
  notify(): void {
    if (this.wait.minMs === 0) {
      this.fire();
      return;
    }
    clearTimeout(this.minTimer);
    this.minTimer = setTimeout(() => this.flush(), this.wait.minMs);
    this.maxTimer ??= setTimeout(() => this.flush(), this.wait.maxMs);
  }

  get pending(): boolean {
    return this.minTimer !== undefined;
  }

  cancel(): void {
    clearTimeout(this.minTimer);
    clearTimeout(this.maxTimer);
    this.minTimer = undefined;
    this.maxTimer = undefined;
  }

  private flush(): void {
    this.cancel();
    this.fire();
  }
}
