import type { WaitSpec } from '../config/duration.js';
import { Backoff, type BackoffPolicy } from '../util/backoff.js';
import { systemClock, type Clock, type Timer } from '../util/clock.js';
import { Quiescence } from './quiescence.js';

export interface SchedulerOptions<U> {
  readonly units: readonly U[];
  /** A unit's quiescence (its own wait, else the global one). */
  waitOf(unit: U): WaitSpec;
  /** --once: every change renders at once (there is no later). */
  readonly once: boolean;
  /** Retries of units whose last batch failed (a rolled-back reload, a failed write). */
  readonly retry: BackoffPolicy;
  /** Waits before a batch takes its units (--min-reload-interval: changes meanwhile join it). */
  pace?(): Promise<void>;
  /** Processes one batch; batches never overlap, so commands never run concurrently. */
  runBatch(units: readonly U[]): Promise<void>;
  /** Told when a retry is scheduled, with its delay. */
  onRetryScheduled?(units: readonly U[], delayMs: number): void;
  /**
   * Whether a unit that has not rendered yet now has data for every dependency its last render
   * lacked. Until then a render can only discover more dependencies, so it happens at most once
   * per `discoveryIntervalMs`; the render that can complete happens the moment the last one
   * arrives. Without it, every arrival renders.
   */
  hasAllData?(unit: U): boolean;
  /** Least time between two renders of an incomplete unit (they only discover dependencies). */
  readonly discoveryIntervalMs?: number;
  readonly clock?: Clock;
}

/** A first fetch of a thousand dependencies takes about a second: a few discovery renders meanwhile. */
export const DEFAULT_DISCOVERY_INTERVAL_MS = 250;

/**
 * When templates render. A changed dependency makes its templates due: at once for a template
 * that has not rendered yet (or in --once), after quiescence otherwise (a damped wait for a
 * flapping service). Everything that becomes due in one tick is one batch; batches run one after
 * the other. A batch that failed for some units schedules them again with backoff, without waiting
 * for a catalog change that may not come.
 */
export class Scheduler<U> {
  private readonly quiescence = new Map<U, Quiescence>();
  /** Incomplete units whose next discovery render is scheduled. */
  private readonly discovery = new Map<U, Timer>();
  private readonly due = new Set<U>();
  private queued = false;
  private chain: Promise<void> = Promise.resolve();
  private retryTimer: Timer | undefined;
  private readonly retryBackoff: Backoff;
  private stopped = false;
  private readonly clock: Clock;

  constructor(private readonly options: SchedulerOptions<U>) {
    this.clock = options.clock ?? systemClock;
    this.retryBackoff = new Backoff(options.retry);
    for (const unit of options.units) this.quiescence.set(unit, new Quiescence(options.waitOf(unit), () => this.markDue(unit), this.clock));
  }

  /** A dependency of `unit` changed; `rendered` says whether the unit has rendered once. */
  changed(unit: U, rendered: boolean, dampedWaitMs?: number): void {
    // The first render happens as soon as data is complete; later ones wait for calm.
    if (rendered && !this.options.once) this.quiescence.get(unit)?.notify(dampedWaitMs);
    else if (rendered || (this.options.hasAllData?.(unit) ?? true)) this.markDue(unit);
    else this.discover(unit);
  }

  /**
   * A unit still waiting for data renders only to discover what else it needs: once per
   * interval, not at every turn of the event loop that brought an answer (during the first fetch
   * of a thousand services that re-rendered a growing file dozens of times before the one render
   * that counts).
   */
  private discover(unit: U): void {
    if (this.stopped || this.discovery.has(unit) || this.due.has(unit)) return;
    const interval = this.options.discoveryIntervalMs ?? DEFAULT_DISCOVERY_INTERVAL_MS;
    this.discovery.set(
      unit,
      this.clock.setTimeout(() => {
        this.discovery.delete(unit);
        this.markDue(unit);
      }, interval),
    );
  }

  /** Renders `unit` in the next batch. */
  markDue(unit: U): void {
    if (this.stopped) return;
    this.clock.clearTimeout(this.discovery.get(unit));
    this.discovery.delete(unit);
    this.due.add(unit);
    if (this.queued) return;
    this.queued = true;
    // Everything that becomes due in this tick (one catalog edit touching many templates) is one batch.
    setImmediate(() => {
      this.queued = false;
      this.chain = this.chain.then(() => this.runDue());
    });
  }

  /**
   * The units of the last batch that failed go again after the next backoff step (never sooner
   * than the previous one); returns that step and how many attempts it makes.
   */
  retry(units: readonly U[]): { delayMs: number; attempts: number } | undefined {
    if (units.length === 0 || this.stopped) return undefined;
    this.clock.clearTimeout(this.retryTimer);
    const delayMs = this.retryBackoff.next();
    this.options.onRetryScheduled?.(units, delayMs);
    this.retryTimer = this.clock.setTimeout(() => units.forEach((u) => this.markDue(u)), delayMs);
    return { delayMs, attempts: this.retryBackoff.attempts };
  }

  /** A batch went through without failures: the next failure starts the backoff over. */
  succeeded(): void {
    this.retryBackoff.reset();
  }

  /** Whether a retry is waiting. */
  get retrying(): boolean {
    return this.retryBackoff.attempts > 0;
  }

  /** Nothing due, no batch queued and no discovery render waiting (--once decides whether it is done). */
  get idle(): boolean {
    return this.due.size === 0 && !this.queued && this.discovery.size === 0;
  }

  /** Resolves when the batches queued so far have run. */
  get settled(): Promise<void> {
    return this.chain;
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.retryTimer);
    for (const q of this.quiescence.values()) q.cancel();
    for (const timer of this.discovery.values()) this.clock.clearTimeout(timer);
    this.discovery.clear();
  }

  private async runDue(): Promise<void> {
    if (this.stopped) return;
    await this.options.pace?.();
    const units = this.options.units.filter((u) => this.due.has(u));
    this.due.clear();
    // An earlier batch (waiting out --min-reload-interval) may have taken them all already.
    if (units.length === 0) return;
    await this.options.runBatch(units);
  }
}
