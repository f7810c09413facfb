/** The shapes the prober takes and gives: its logger and its statistics. */

type LogFn = (fields: Record<string, unknown>, message: string) => void;
/** pino's logger fits; `debug` (optional) gets the quiet first-probe-passed transitions. */
export interface ProbeLogger {
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly debug?: LogFn;
}

export interface ServiceProbeStats {
  /** Instances probed (or tracked but not probeable, see `skipped`). */
  readonly instances: number;
  /** Probes finished, ever (a counter). */
  readonly probes: number;
  /** Probes failed, ever (a counter). */
  readonly failures: number;
  /** Instances critical now (a gauge). */
  readonly down: number;
  /** Instances that cannot be probed (no port, no valid address). */
  readonly skipped: number;
}

export interface ProbeStats {
  readonly services: Readonly<Record<string, ServiceProbeStats>>;
  readonly inFlight: number;
  readonly queued: number;
  /** Most probes ever in flight at once. */
  readonly maxInFlight: number;
}
