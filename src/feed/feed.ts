import { dependencyId, type Dependency, type DependencyValue, type Instance } from '../catalog/types.js';
import { systemClock, type Clock, type Timer } from '../util/clock.js';
import type { Guards, GuardStatus } from './guards/guards.js';
import type { CatalogScreen } from './screen.js';
import { Store } from './store.js';

export interface FeedOptions {
  readonly screen: CatalogScreen;
  readonly guards: Guards;
  /** How long a damped (flapping) service's templates wait. */
  readonly dampedWaitMs: number | undefined;
  /** What templates see of dependency `id` changed; `dampedWaitMs` is set while its service flaps. */
  onChange(id: string, dampedWaitMs: number | undefined): void;
  readonly clock?: Clock;
}

/**
 * Between what a registry says and what templates see: validity (the screen), then for services
 * the allowlist and the removal and empty guards, then the store, which tells a real change from
 * the same data delivered again. It owns the guards' clock: when a guard window moves (held
 * instances released, damping over), it re-decides and publishes without waiting for the registry.
 */
export class CatalogFeed {
  private readonly store = new Store();
  private timer: Timer | undefined;
  private timerAt: number | undefined;
  private stopped = false;
  private readonly clock: Clock;

  constructor(private readonly options: FeedOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** A source's answer for a watched dependency. */
  ingest(dep: Dependency, raw: DependencyValue): void {
    const id = dependencyId(dep);
    const now = this.clock.now();
    // Untrusted catalog data is validated at the edge, before guards and templates see it.
    const value = this.options.screen.apply(dep, raw);
    // Templates see service answers only through the guards (allowlist, removal, empty).
    this.publish(id, dep.kind === 'service' ? this.options.guards.apply(id, dep, value as readonly Instance[], now) : value, now);
    this.armFor(id);
  }

  lookup(id: string): DependencyValue | undefined {
    return this.store.get(id);
  }

  has(id: string): boolean {
    return this.store.has(id);
  }

  guardStatus(id: string): GuardStatus | undefined {
    return this.options.guards.status(id);
  }

  /** A dependency no template uses any more. */
  forget(id: string): void {
    this.store.delete(id);
    this.options.guards.forget(id);
  }

  /** The operator's release (SIGUSR1) of every held instance. */
  releaseHeld(): void {
    const now = this.clock.now();
    for (const [id, value] of this.options.guards.releaseAll(now)) this.publish(id, value, now);
    this.arm(this.options.guards.nextDeadline());
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
  }

  /** Stores what templates see; a real change is announced. */
  private publish(id: string, value: DependencyValue, now: number): void {
    if (!this.store.set(id, value)) return;
    const damped = this.options.guards.recordChange(id, now);
    this.options.onChange(id, damped ? this.options.dampedWaitMs : undefined);
  }

  /**
   * One answer moves only its own query's deadline: re-arm only when that comes first. A scan of
   * every query per answer is quadratic (a thousand services starting up, or the burst of
   * blocking queries that time out together); a timer armed too early finds nothing and scans then.
   */
  private armFor(id: string): void {
    const at = this.options.guards.deadlineOf(id);
    if (at === undefined || (this.timerAt !== undefined && this.timerAt <= at)) return;
    this.arm(at);
  }

  private arm(at: number | undefined): void {
    this.clock.clearTimeout(this.timer);
    this.timerAt = undefined;
    if (at === undefined || this.stopped) return;
    this.timerAt = at;
    this.timer = this.clock.setTimeout(() => {
      this.timerAt = undefined;
      const now = this.clock.now();
      for (const [id, value] of this.options.guards.reevaluate(now)) this.publish(id, value, now);
      this.arm(this.options.guards.nextDeadline());
    }, at - this.clock.now());
  }
}
