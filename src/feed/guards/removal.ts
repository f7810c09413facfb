import { compareInstances, compareStrings } from '../../catalog/select.js';
import { instanceKey } from '../../catalog/instance.js';
import type { Instance, ServiceSummary } from '../../catalog/types.js';

/** What the guard needs to know of what it guards: an identity, an order, and how to mark one held. */
export interface Guarded<T> {
  key(item: T): string;
  compare(a: T, b: T): number;
  held(item: T): T;
}

/** The instances of a service. */
export const INSTANCES: Guarded<Instance> = { key: instanceKey, compare: compareInstances, held: (i) => ({ ...i, Held: 'true' }) };

/** The services of a listing (`(services)`): a registry restarting empty must not take every upstream with it. */
export const SERVICES: Guarded<ServiceSummary> = { key: (s) => s.Name, compare: (a, b) => compareStrings(a.Name, b.Name), held: (s) => ({ ...s, Held: 'true' }) };

/** Removal guard settings for one service. */
export interface RemovalSpec {
  /** Largest share of the baseline that may go at once, in percent; undefined turns the guard off. */
  readonly maxRemovalPct: number | undefined;
  /** How long a removal is held before it is released step by step (also the baseline window). */
  readonly holdMaxMs: number;
  /** Whether the service may render with no instance at all. */
  readonly allowEmpty: boolean;
  /**
   * Decisions become the reference (what is held, the baseline) only once `commit()` says their
   * files are in use — their reload succeeded. A batch that was rolled back leaves no trace: an
   * instance that only it rendered is never held. Without it, every decision is the reference.
   */
  readonly committed?: boolean;
}

export interface RemovalDecision<T = Instance> {
  /** What templates see: present items plus held ones (marked `Held: "true"`). */
  readonly output: readonly T[];
  readonly held: number;
  /** Instance keys held for the first time in this decision. */
  readonly newlyHeld: readonly string[];
  /** Instance keys let go in this decision (back again is not "released"). */
  readonly released: readonly string[];
  /** True when the service would have rendered empty and the empty guard kept it. */
  readonly keptFromEmpty: boolean;
  readonly baseline: number;
}

interface HeldItem<T> {
  readonly item: T;
  readonly goneSince: number;
}

interface SizeSpan {
  readonly size: number;
  until: number | undefined;
}


/**
 * The node-removal guard of one service (Envoy's panic threshold, applied to config files): the
 * rendered set never shrinks below its baseline — the largest set rendered within the hold
 * window — by more than max(1, X% of the baseline). A single removal always passes; a mass drop
 * is held; a slow cascade cannot remove everything one step at a time, because the baseline
 * remembers the larger set for the whole window. Held instances stay (marked) until they come
 * back, until the window lets the baseline drop (then one budget's worth goes per window), or until
 * an operator releases them. Additions always pass at once.
 */
export class RemovalGuard<T = Instance> {
  private output = new Map<string, T>();
  /** What the files hold now (in committed mode; else the last decision). */
  private reference = new Map<string, T>();
  /**
   * Instances of the reference already let go since the last commit: the same answer decided
   * again before that commit (quiescence) must not hold them anew.
   */
  private readonly releasedSinceCommit = new Set<string>();
  private readonly held = new Map<string, HeldItem<T>>();
  private spans: SizeSpan[] = [];
  private present: readonly T[] = [];

  constructor(
    private readonly spec: RemovalSpec,
    private readonly items: Guarded<T> = INSTANCES as unknown as Guarded<T>,
  ) {}

  /** Decides what templates see for a new answer from the registry. */
  apply(present: readonly T[], now: number): RemovalDecision<T> {
    this.present = present;
    return this.decide(now);
  }

  /** Re-decides with the last answer (the window moved). */
  reevaluate(now: number): RemovalDecision<T> {
    return this.decide(now);
  }

  /** The operator's release: every held instance goes now and the baseline restarts from here. */
  releaseAll(now: number): RemovalDecision<T> {
    const released = [...this.held.keys()];
    this.held.clear();
    if (this.spec.committed) for (const key of released) this.releasedSinceCommit.add(key);
    this.spans = [];
    const decision = this.decide(now, true);
    return { ...decision, released };
  }

  /**
   * Files that rendered `rendered` (one of this guard's outputs) are in use — their reload
   * succeeded: it becomes the reference. Not necessarily the last decision: a newer answer may
   * have come in while the batch ran.
   */
  commit(rendered: readonly T[], now: number): void {
    if (!this.spec.committed) return;
    this.reference = new Map(rendered.map((i) => [this.items.key(i), i]));
    this.releasedSinceCommit.clear();
    this.recordSpan(rendered.length, now);
  }

  /** When a held instance could next be released by the window moving on. */
  nextDeadline(): number | undefined {
    if (this.held.size === 0) return undefined;
    const closed = this.spans.filter((s) => s.until !== undefined).map((s) => (s.until as number) + this.spec.holdMaxMs);
    return closed.length > 0 ? Math.min(...closed) : undefined;
  }

  get heldCount(): number {
    return this.held.size;
  }

  /** The size the files hold from `now` on (the baseline is the largest within the window). */
  private recordSpan(size: number, now: number): void {
    const current = this.spans[this.spans.length - 1];
    if (current?.size !== size || current.until !== undefined) {
      if (current && current.until === undefined) current.until = now;
      this.spans.push({ size, until: undefined });
    }
  }

  private baseline(now: number): number {
    this.spans = this.spans.filter((s) => s.until === undefined || s.until > now - this.spec.holdMaxMs);
    return Math.max(0, ...this.spans.map((s) => s.size));
  }

  private decide(now: number, afterRelease = false): RemovalDecision<T> {
    const present = new Map(this.present.map((i) => [this.items.key(i), i]));
    for (const key of this.held.keys()) if (present.has(key)) this.held.delete(key);
    const newlyHeld: string[] = [];
    if (!afterRelease) {
      for (const [key, instance] of this.spec.committed ? this.reference : this.output) {
        if (present.has(key) || this.held.has(key) || this.releasedSinceCommit.has(key)) continue;
        this.held.set(key, { item: this.items.held(instance), goneSince: now });
        newlyHeld.push(key);
      }
    }

    const baseline = this.baseline(now);
    let minSize = 0;
    let budget = Infinity;
    if (this.spec.maxRemovalPct !== undefined) {
      budget = Math.max(1, Math.floor((baseline * this.spec.maxRemovalPct) / 100));
      minSize = Math.max(0, baseline - budget);
    }
    // The empty guard: a service that had instances never renders empty unless allowed to.
    const wouldBeEmpty = present.size === 0 && this.held.size > 0;
    const keptFromEmpty = wouldBeEmpty && !this.spec.allowEmpty;
    const keep = keptFromEmpty ? Math.max(1, minSize - present.size, this.held.size) : Math.max(0, minSize - present.size);

    const released: string[] = [];
    // At most one budget's worth leaves per step, even when additions make up the count.
    const releasable = Math.min(this.held.size - keep, budget);
    if (releasable > 0) {
      // The longest gone go first; newly gone ones are the last to be let go.
      const order = [...this.held.entries()].sort((a, b) => a[1].goneSince - b[1].goneSince);
      for (const [key] of order.slice(0, releasable)) {
        this.held.delete(key);
        released.push(key);
        if (this.spec.committed) this.releasedSinceCommit.add(key);
      }
    }
    const newlyHeldStill = newlyHeld.filter((k) => this.held.has(k));

    const output = this.ordered([...present.values()], [...this.held.values()].map((h) => h.item));
    this.output = new Map(output.map((i) => [this.items.key(i), i]));
    if (!this.spec.committed) this.recordSpan(output.length, now);
    return { output, held: this.held.size, newlyHeld: newlyHeldStill, released: released.filter((k) => !newlyHeld.includes(k)), keptFromEmpty, baseline };
  }

  /**
   * Held items join the answer in sort order when the registry's answer is sorted; an answer in
   * an order of its own (Consul's round-trip order for `near`) keeps it, the held ones after it.
   */
  private ordered(present: T[], held: T[]): T[] {
    const compare = (a: T, b: T): number => this.items.compare(a, b);
    const sorted = present.every((item, i) => i === 0 || compare(present[i - 1] as T, item) <= 0);
    return sorted ? [...present, ...held].sort(compare) : [...present, ...held.sort(compare)];
  }
}
