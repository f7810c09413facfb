import { dependencyId, type Dependency, type DependencyValue, type Instance, type ServiceSummary } from '../catalog/types.js';

type ServiceDependency = Extract<Dependency, { kind: 'service' }>;
type ListingDependency = Extract<Dependency, { kind: 'services' }>;
import { systemClock, type Clock, type Timer } from '../util/clock.js';
import type { Guards, GuardStatus } from './guards/guards.js';
import type { ProbeStage } from './probe-stage.js';
import type { CatalogScreen } from './screen.js';
import { Store } from './store.js';

export interface FeedOptions {
  readonly screen: CatalogScreen;
  readonly guards: Guards;
  /** Consumer-side probing, when configured. */
  readonly probes?: ProbeStage;
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
  /** Screened answers of probed services, by dependency id: a probe's verdict re-decides them. */
  private readonly screened = new Map<string, { dep: ServiceDependency; value: readonly Instance[] }>();
  /** Service listings by dependency id: what templates see of one is settled for case variants. */
  private readonly listings = new Map<string, ListingDependency>();

  constructor(private readonly options: FeedOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** A source's answer for a watched dependency. */
  ingest(dep: Dependency, raw: DependencyValue): void {
    const id = dependencyId(dep);
    const now = this.clock.now();
    // Untrusted catalog data is validated at the edge, before guards and templates see it.
    const value = this.options.screen.apply(dep, raw);
    if (dep.kind === 'services') {
      this.listings.set(id, dep);
      this.publish(id, this.options.guards.applyListing(id, value as readonly ServiceSummary[], now), now);
      this.armFor(id);
      return;
    }
    if (dep.kind !== 'service') {
      this.publish(id, value, now);
      return;
    }
    const instances = value as readonly Instance[];
    if (this.options.probes?.probes(dep.name)) this.screened.set(id, { dep, value: instances });
    this.decide(id, dep, instances, now);
  }

  /** A probe changed its verdict on an instance of `service`: its queries are decided again. */
  reprobe(service: string): void {
    const now = this.clock.now();
    // Not counted by flap damping: probe verdicts are damped already (fall/rise), and the first
    // probes of a service (unknown → passing) would otherwise read as a flapping service.
    for (const [id, { dep, value }] of this.screened) if (dep.name === service) this.decide(id, dep, value, now, false);
  }

  /** Templates see service answers only through probing and the guards (allowlist, removal, empty). */
  private decide(id: string, dep: ServiceDependency, screened: readonly Instance[], now: number, fromRegistry = true): void {
    const probed = this.options.probes ? this.options.probes.apply(id, dep, screened) : screened;
    this.publish(id, this.options.guards.apply(id, dep, probed, now), now, fromRegistry);
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

  /**
   * Templates rendered these answers and are committed (written, and reloaded if they have a
   * command): for service queries, what they rendered becomes the guards' reference.
   */
  commit(rendered: ReadonlyMap<string, DependencyValue>): void {
    const now = this.clock.now();
    for (const [id, value] of rendered) if (Array.isArray(value) && this.options.guards.guards(id)) this.options.guards.commit(id, value as readonly Instance[] | readonly ServiceSummary[], now);
    this.arm(this.options.guards.nextDeadline());
  }

  /** A dependency no template uses any more. */
  forget(id: string): void {
    this.store.delete(id);
    this.options.guards.forget(id);
    const screened = this.screened.get(id);
    if (screened) this.options.probes?.forget(id, screened.dep);
    this.screened.delete(id);
    this.listings.delete(id);
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

  /** Stores what templates see; a real change is announced (and counted for flap damping when it came from the registry). */
  private publish(id: string, guarded: DependencyValue, now: number, counted = true): void {
    const listing = this.listings.get(id);
    const value = listing ? this.options.screen.settleListing(listing, guarded as readonly ServiceSummary[]) : guarded;
    if (!this.store.set(id, value)) return;
    const damped = counted ? this.options.guards.recordChange(id, now) : this.options.guards.isDamped(id);
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
