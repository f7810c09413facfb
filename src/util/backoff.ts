/**
 * The one retry policy: exponential steps from `baseMs` (doubling per consecutive failure) up to
 * `capMs`, with jitter so a fleet (or a thousand watches) failing together does not retry in
 * lockstep. Every retry loop in ctmpl takes one of these, configured for its use.
 */
export interface BackoffPolicy {
  /** First wait after a failure. */
  readonly baseMs: number;
  /** Longest wait. */
  readonly capMs: number;
  /**
   * `full`: a random wait in [floor × step, step] (AWS's "full jitter", floor keeps a minimum so a
   * tight loop never spins); `none`: exactly the step (operator-facing retries that are logged
   * with their delay, such as re-running a rolled-back reload).
   */
  readonly jitter: 'full' | 'none';
  /** Smallest share of the step a jittered wait takes (0 to 1). */
  readonly floor?: number;
  readonly random?: () => number;
}

/** The wait before attempt `failures + 1`, after `failures` (≥ 1) consecutive failures. */
export function backoffDelay(failures: number, policy: BackoffPolicy): number {
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(failures, 1) - 1, 30));
  if (policy.jitter === 'none') return step;
  const floor = policy.floor ?? 0;
  const random = policy.random ?? Math.random;
  return Math.round(step * (floor + (1 - floor) * random()));
}

/** A failure counter bound to a policy: `next()` after a failure, `reset()` after a success. */
export class Backoff {
  private failures = 0;

  constructor(readonly policy: BackoffPolicy) {}

  /** Counts a failure and returns the wait before the next attempt. */
  next(): number {
    this.failures += 1;
    return backoffDelay(this.failures, this.policy);
  }

  /** The wait `next()` would return, without counting a failure. */
  peek(): number {
    return backoffDelay(this.failures + 1, this.policy);
  }

  reset(): void {
    this.failures = 0;
  }

  get attempts(): number {
    return this.failures;
  }
}

/** Registry reconnects: 250 ms doubling to 30 s, full jitter with a 10% floor. */
export const REGISTRY_BACKOFF: BackoffPolicy = { baseMs: 250, capMs: 30_000, jitter: 'full', floor: 0.1 };
