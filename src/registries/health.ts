/** The subject of a problem that affects every dependency of a source (a lost connection). */
export const CONNECTION = 'connection';

interface OpenProblem {
  /** What it affects: dependency ids, or CONNECTION. */
  readonly subjects: Set<string>;
  readonly since: number;
  readonly message: string;
}

/** A source's open problem, as /status shows it. */
export interface ProblemView {
  readonly problem: string;
  readonly subjects: readonly string[];
  readonly since: number;
}

/**
 * A source's health, per dependency: which problems are open and what each affects. Each problem
 * is logged once when it starts (not once per retry) and once when the last thing it affected
 * works again. Sources report here; the pipeline and /status read here.
 */
export class SourceHealth {
  /** Problem key (a message without volatile parts) → what it affects. */
  private readonly open = new Map<string, OpenProblem>();
  /** Subjects the source stopped trying (--once), with the reason. */
  private readonly abandoned = new Map<string, string>();

  constructor(
    private readonly prefix: string,
    private readonly log: () => { error(message: string, err: unknown): void; info(message: string): void } | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * `key` identifies the problem; `subject` what it affects: a dependency id, what a source
   * shares between dependencies (one SRV name, one ZooKeeper view, the etcd registry range), or
   * CONNECTION for everything.
   */
  report(key: string, subject: string, message: string, err?: unknown): void {
    const problem = this.open.get(key);
    if (problem) {
      problem.subjects.add(subject);
      return;
    }
    this.open.set(key, { subjects: new Set([subject]), since: this.now(), message });
    this.log()?.error(`${this.prefix}: ${message}`, err);
  }

  /** `subject` works again: every problem it was the last one affected by is over. */
  resolve(subject: string): void {
    for (const [key, problem] of this.open) {
      if (!problem.subjects.delete(subject) || problem.subjects.size > 0) continue;
      this.open.delete(key);
      this.log()?.info(`${this.prefix} answers again (${key} resolved)`);
    }
  }

  /** Forgets a subject without announcing a recovery (it is no longer watched). */
  forget(subject: string): void {
    for (const [key, problem] of this.open) {
      problem.subjects.delete(subject);
      if (problem.subjects.size === 0) this.open.delete(key);
    }
  }

  /**
   * The source stopped trying `subject` for good: only in --once, where a source may bound its
   * retries (Consul: consul-template's retry attempts, or at once on a permission error). The
   * pipeline then ends the run with exit 1, naming the source, the subject and `message`.
   * Logged like a new problem (so the pipeline hears of it at once).
   */
  giveUp(subject: string, message: string): void {
    if (this.abandoned.has(subject)) return;
    this.abandoned.set(subject, message);
    this.log()?.error(`${this.prefix}: gave up on ${subject}: ${message}`, undefined);
  }

  /** Why the source gave up on `subject`, if it did. */
  gaveUp(subject: string): string | undefined {
    return this.abandoned.get(subject);
  }

  /** True while any problem is open. */
  get failing(): boolean {
    return this.open.size > 0;
  }

  /** When the oldest open problem started; undefined when healthy. */
  get failingSince(): number | undefined {
    let since: number | undefined;
    for (const problem of this.open.values()) if (since === undefined || problem.since < since) since = problem.since;
    return since;
  }

  /** Whether a problem is open on this subject itself or on the whole source (CONNECTION). */
  affects(subject: string): boolean {
    for (const problem of this.open.values()) if (problem.subjects.has(subject) || problem.subjects.has(CONNECTION)) return true;
    return false;
  }

  problems(): ProblemView[] {
    return [...this.open].map(([problem, p]) => ({ problem, subjects: [...p.subjects], since: p.since }));
  }
}
