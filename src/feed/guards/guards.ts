import type { Dependency, Instance, ServiceSummary } from '../../catalog/types.js';
import type { Logger } from '../../observe/log.js';
import type { Metrics } from '../../observe/metrics.js';
import { Allowlist, type AllowlistSpec } from './allowlist.js';
import { FlapDetector, type FlapSpec } from './flap.js';
import { ListingGuards } from './listing.js';
import { instanceKey } from '../../catalog/instance.js';
import { RemovalGuard, type RemovalSpec } from './removal.js';

type ServiceDependency = Extract<Dependency, { kind: 'service' }>;

/** Per-service overrides (config file `services:` block). */
export interface ServiceGuardSettings {
  /** Percent, or null to turn the removal guard off for this service. */
  readonly maxRemovalPct?: number | null;
  readonly allowEmpty?: boolean;
}

export interface GuardSettings {
  readonly allowlist: AllowlistSpec;
  /** Percent; undefined turns the removal guard off. */
  readonly maxRemovalPct: number | undefined;
  readonly holdMaxMs: number;
  /** Undefined turns flap damping off. */
  readonly flap: FlapSpec | undefined;
  readonly services: Readonly<Record<string, ServiceGuardSettings>>;
}

/** What `(serviceStatus "web")` shows a template; numbers as strings, as everywhere. */
export interface GuardStatus {
  readonly Healthy: string;
  readonly Held: string;
  readonly Filtered: string;
  readonly Damped: 'true' | 'false';
}

/** Decision counters, for logs now and metrics later. */
export interface GuardCounters {
  held: number;
  released: number;
  filtered: number;
  keptFromEmpty: number;
  dampedSwitches: number;
}

interface ServiceState {
  readonly dep: ServiceDependency;
  readonly removal: RemovalGuard;
  readonly flap: FlapDetector | undefined;
  filtered: number;
  healthy: number;
  /** Whether the empty guard is keeping this service from rendering empty right now. */
  keptFromEmpty: boolean;
}

/**
 * The guards between raw registry answers and what templates see, per service query: the
 * allowlist first, then the removal and empty guards; flap damping tells the scheduler to wait
 * longer for a service that keeps changing. Every decision is logged and counted.
 */
export class Guards {
  readonly counters: GuardCounters = { held: 0, released: 0, filtered: 0, keptFromEmpty: 0, dampedSwitches: 0 };
  private readonly allowlist: Allowlist;
  private readonly states = new Map<string, ServiceState>();
  /** The same removal guard over service listings. */
  private readonly listings: ListingGuards;
  /** Instances already reported as filtered (logged once each). */
  private readonly reportedFiltered = new Set<string>();

  constructor(
    private readonly settings: GuardSettings,
    private readonly log: Logger,
    private readonly metrics?: Metrics,
  ) {
    this.allowlist = new Allowlist(settings.allowlist);
    this.listings = new ListingGuards({ maxRemovalPct: settings.maxRemovalPct, holdMaxMs: settings.holdMaxMs, allowEmpty: false }, log, metrics);
  }

  /** A service listing's answer, through the removal guard over its services. */
  applyListing(id: string, listing: readonly ServiceSummary[], now: number): readonly ServiceSummary[] {
    return this.listings.apply(id, listing, now);
  }

  /** Applies the allowlist and the removal guard to a new answer for a service query. */
  apply(id: string, dep: ServiceDependency, raw: readonly Instance[], now: number): readonly Instance[] {
    const state = this.state(id, dep);
    const allowed = this.allowlist.active ? raw.filter((i) => this.allowed(dep, i)) : raw;
    state.filtered = raw.length - allowed.length;
    state.healthy = allowed.length;
    return this.report(state, state.removal.apply(allowed, now));
  }

  /** Records that what templates see of a service changed; true when the service is damped. */
  recordChange(id: string, now: number): boolean {
    const state = this.states.get(id);
    if (!state?.flap) return false;
    const { damped, switched } = state.flap.record(now);
    if (switched) {
      this.counters.dampedSwitches += 1;
      this.metrics?.guardDecisions.inc({ decision: 'damped' });
      this.log.warn({ service: state.dep.name, dependency: id }, `service ${state.dep.name} is flapping (more than ${this.settings.flap?.changes} changes in ${this.settings.flap?.windowMs} ms): damped, its templates wait ${this.settings.flap?.dampedWaitMs} ms`);
    }
    return damped;
  }

  isDamped(id: string): boolean {
    return this.states.get(id)?.flap?.damped ?? false;
  }

  /** Re-decides what the moving windows allow; returns the services whose output changed. */
  reevaluate(now: number): Map<string, readonly Instance[] | readonly ServiceSummary[]> {
    const changed = new Map<string, readonly Instance[] | readonly ServiceSummary[]>();
    this.listings.reevaluate(now, changed as Map<string, readonly ServiceSummary[]>);
    for (const [id, state] of this.states) {
      if (state.flap && state.flap.check(now).switched) {
        this.log.info({ service: state.dep.name, dependency: id }, `service ${state.dep.name} is calm again: damping off`);
      }
      if (state.removal.heldCount === 0) continue;
      const before = state.removal.heldCount;
      const decision = state.removal.reevaluate(now);
      if (decision.held !== before) changed.set(id, this.report(state, decision));
    }
    return changed;
  }

  /** The operator's release (SIGUSR1): every held instance goes now. */
  releaseAll(now: number): Map<string, readonly Instance[] | readonly ServiceSummary[]> {
    const changed = new Map<string, readonly Instance[] | readonly ServiceSummary[]>();
    this.listings.releaseAll(now, changed as Map<string, readonly ServiceSummary[]>);
    for (const [id, state] of this.states) {
      if (state.removal.heldCount === 0) continue;
      const decision = state.removal.releaseAll(now);
      this.log.warn({ service: state.dep.name, dependency: id, released: decision.released.length }, `operator release: ${decision.released.length} held instance(s) of ${state.dep.name} released`);
      changed.set(id, this.report(state, decision));
    }
    return changed;
  }

  /** The next time a window moves (a held instance may go, damping may end). */
  nextDeadline(): number | undefined {
    let next = this.listings.nextDeadline();
    for (const state of this.states.values()) {
      const at = deadlineOf(state);
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  /** The next time one service query's window moves (undefined when it has none or is not a service). */
  deadlineOf(id: string): number | undefined {
    const state = this.states.get(id);
    return state ? deadlineOf(state) : this.listings.deadlineOf(id);
  }

  status(id: string): GuardStatus | undefined {
    const state = this.states.get(id);
    if (!state) return undefined;
    return {
      Healthy: String(state.healthy),
      Held: String(state.removal.heldCount),
      Filtered: String(state.filtered),
      Damped: state.flap?.damped ? 'true' : 'false',
    };
  }

  /**
   * What templates saw of a query is in use now (the files that rendered it were written and
   * reloaded): it becomes the reference for the removal guard. What only a rolled-back batch
   * rendered never becomes it.
   */
  commit(id: string, rendered: readonly Instance[] | readonly ServiceSummary[], now: number): void {
    if (this.listings.has(id)) this.listings.commit(id, rendered as readonly ServiceSummary[], now);
    else this.states.get(id)?.removal.commit(rendered as readonly Instance[], now);
  }

  /** Whether a dependency has a guard (a service query or a listing). */
  guards(id: string): boolean {
    return this.states.has(id) || this.listings.has(id);
  }

  /** A query no template uses any more. */
  forget(id: string): void {
    this.states.delete(id);
    this.listings.forget(id);
  }

  private state(id: string, dep: ServiceDependency): ServiceState {
    let state = this.states.get(id);
    if (!state) {
      const own = this.settings.services[dep.name] ?? {};
      const maxRemovalPct = own.maxRemovalPct === undefined ? this.settings.maxRemovalPct : (own.maxRemovalPct ?? undefined);
      const spec: RemovalSpec = { maxRemovalPct, holdMaxMs: this.settings.holdMaxMs, allowEmpty: own.allowEmpty ?? false, committed: true };
      state = { dep, removal: new RemovalGuard(spec), flap: this.settings.flap ? new FlapDetector(this.settings.flap) : undefined, filtered: 0, healthy: 0, keptFromEmpty: false };
      this.states.set(id, state);
    }
    return state;
  }

  private allowed(dep: ServiceDependency, instance: Instance): boolean {
    const why = this.allowlist.refusal(instance);
    if (why === undefined) return true;
    const key = `${dep.source}:${dep.name}:${instanceKey(instance)}`;
    if (!this.reportedFiltered.has(key)) {
      this.reportedFiltered.add(key);
      this.counters.filtered += 1;
      this.metrics?.guardDecisions.inc({ decision: 'filtered' });
      this.log.warn({ service: dep.name, instance: instanceKey(instance), reason: why }, `instance ${instanceKey(instance)} of ${dep.name} is outside the allowlist (${why}); it never reaches templates`);
    }
    return false;
  }

  private report(state: ServiceState, decision: ReturnType<RemovalGuard['apply']>): readonly Instance[] {
    const name = state.dep.name;
    if (decision.newlyHeld.length > 0) {
      this.counters.held += decision.newlyHeld.length;
      this.metrics?.guardDecisions.inc({ decision: 'held' }, decision.newlyHeld.length);
      this.log.warn(
        { service: name, held: decision.held, baseline: decision.baseline, present: state.healthy },
        decision.keptFromEmpty
          ? `service ${name} would render empty: keeping its ${decision.held} last instance(s), marked Held (set allow_empty to allow an empty service)`
          : `service ${name} lost more instances at once than the removal guard allows (baseline ${decision.baseline}): holding ${decision.held}, marked Held`,
      );
    }
    if (decision.keptFromEmpty && !state.keptFromEmpty) {
      this.counters.keptFromEmpty += 1;
      this.metrics?.guardDecisions.inc({ decision: 'kept_from_empty' });
      this.log.error({ service: name, held: decision.held }, `service ${name} has no instance left in the registry; rendering the ${decision.held} held instance(s) instead of an empty service`);
    }
    state.keptFromEmpty = decision.keptFromEmpty;
    if (decision.released.length > 0) {
      this.counters.released += decision.released.length;
      this.metrics?.guardDecisions.inc({ decision: 'released' }, decision.released.length);
      this.log.info({ service: name, released: decision.released, held: decision.held }, `released ${decision.released.length} held instance(s) of ${name}`);
    }
    return decision.output;
  }
}

function deadlineOf(state: ServiceState): number | undefined {
  const removal = state.removal.nextDeadline();
  const calm = state.flap?.calmAt();
  if (removal === undefined) return calm;
  return calm === undefined ? removal : Math.min(removal, calm);
}
