/** Flap damping settings: more than `changes` changes within `windowMs` switches a service to damped. */
export interface FlapSpec {
  readonly changes: number;
  readonly windowMs: number;
  /** How long a damped service's templates wait before rendering. */
  readonly dampedWaitMs: number;
}

/**
 * The heartbeat switch for one service: counts changes in a sliding window; past the threshold
 * the service is damped (its templates wait the damped wait instead of reacting to each flap)
 * until it has been calm for a whole window.
 */
export class FlapDetector {
  private readonly changes: number[] = [];
  private dampedSince: number | undefined;

  constructor(private readonly spec: FlapSpec) {}

  /** Records a change; returns whether the service is damped now, and whether that just switched. */
  record(now: number): { damped: boolean; switched: boolean } {
    this.expire(now);
    this.changes.push(now);
    if (this.dampedSince === undefined && this.changes.length > this.spec.changes) {
      this.dampedSince = now;
      return { damped: true, switched: true };
    }
    return { damped: this.dampedSince !== undefined, switched: false };
  }

  /** Whether still damped at `now`; switches off (and says so) after a calm window. */
  check(now: number): { damped: boolean; switched: boolean } {
    if (this.dampedSince === undefined) return { damped: false, switched: false };
    const last = this.changes[this.changes.length - 1] ?? this.dampedSince;
    if (now - last >= this.spec.windowMs) {
      this.dampedSince = undefined;
      this.changes.length = 0;
      return { damped: false, switched: true };
    }
    return { damped: true, switched: false };
  }

  get damped(): boolean {
    return this.dampedSince !== undefined;
  }

  /** When `check` would switch damping off, if it is on. */
  calmAt(): number | undefined {
    if (this.dampedSince === undefined) return undefined;
    return (this.changes[this.changes.length - 1] ?? this.dampedSince) + this.spec.windowMs;
  }

  private expire(now: number): void {
    while (this.changes.length > 0 && (this.changes[0] as number) <= now - this.spec.windowMs) this.changes.shift();
  }
}
