import type { ServiceSummary } from '../../catalog/types.js';
import type { Logger } from '../../observe/log.js';
import type { Metrics } from '../../observe/metrics.js';
import { RemovalGuard, SERVICES, type RemovalDecision, type RemovalSpec } from './removal.js';

/**
 * The removal guard over service listings (`(services)`): a registry that restarts empty, or a
 * partition that hides most of a catalog, would otherwise take every upstream block of a
 * template with it in one step. At most the removal budget of services leaves the listing at
 * once; the others stay, marked Held, until they come back, the window lets them go step by
 * step, or the operator releases them (SIGUSR1). A listing that had services never renders
 * empty at once; the held services' own queries are kept by their per-service guards.
 */
export class ListingGuards {
  private readonly guards = new Map<string, RemovalGuard<ServiceSummary>>();

  constructor(
    private readonly spec: Omit<RemovalSpec, 'committed'>,
    private readonly log: Logger,
    private readonly metrics?: Metrics,
  ) {}

  apply(id: string, listing: readonly ServiceSummary[], now: number): readonly ServiceSummary[] {
    let guard = this.guards.get(id);
    if (!guard) this.guards.set(id, (guard = new RemovalGuard({ ...this.spec, committed: true }, SERVICES)));
    return this.report(id, guard.apply(listing, now));
  }

  has(id: string): boolean {
    return this.guards.has(id);
  }

  commit(id: string, rendered: readonly ServiceSummary[], now: number): void {
    this.guards.get(id)?.commit(rendered, now);
  }

  reevaluate(now: number, changed: Map<string, readonly ServiceSummary[]>): void {
    for (const [id, guard] of this.guards) {
      if (guard.heldCount === 0) continue;
      const before = guard.heldCount;
      const decision = guard.reevaluate(now);
      if (decision.held !== before) changed.set(id, this.report(id, decision));
    }
  }

  releaseAll(now: number, changed: Map<string, readonly ServiceSummary[]>): void {
    for (const [id, guard] of this.guards) {
      if (guard.heldCount === 0) continue;
      const decision = guard.releaseAll(now);
      this.log.warn({ dependency: id, released: decision.released.length }, `operator release: ${decision.released.length} held service(s) of the listing released`);
      changed.set(id, this.report(id, decision));
    }
  }

  deadlineOf(id: string): number | undefined {
    return this.guards.get(id)?.nextDeadline();
  }

  nextDeadline(): number | undefined {
    const all = [...this.guards.values()].map((g) => g.nextDeadline()).filter((d): d is number => d !== undefined);
    return all.length > 0 ? Math.min(...all) : undefined;
  }

  forget(id: string): void {
    this.guards.delete(id);
  }

  private report(id: string, decision: RemovalDecision<ServiceSummary>): readonly ServiceSummary[] {
    if (decision.newlyHeld.length > 0) {
      this.metrics?.guardDecisions.inc({ decision: 'held' }, decision.newlyHeld.length);
      this.log.warn(
        { dependency: id, held: decision.newlyHeld, baseline: decision.baseline },
        decision.keptFromEmpty
          ? `the service list would be empty: keeping its ${decision.held} last service(s), marked Held (the registry may have restarted empty)`
          : `the service list lost more services at once than the removal guard allows (baseline ${decision.baseline}): holding ${decision.held}, marked Held`,
      );
    }
    if (decision.released.length > 0) {
      this.metrics?.guardDecisions.inc({ decision: 'released' }, decision.released.length);
      this.log.info({ dependency: id, released: decision.released }, `released ${decision.released.length} held service(s) of the listing`);
    }
    return decision.output;
  }
}
