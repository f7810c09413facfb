import type { Dependency, DependencyValue } from '../catalog/types.js';
import type { SourceHealth } from './health.js';

/** Where a source delivers what it learns. */
export interface SourceSink {
  /** The full, normalized answer for a watched dependency. Sent again on every change. */
  data(dep: Dependency, value: DependencyValue): void;
  /** A problem started (called once per problem, not per retry): for the log. The last good data stays. */
  error(message: string, err: unknown): void;
  /** A problem ended, or another notable event: for the log. */
  info(message: string): void;
  /** Works, but costs more than it should (Consul answering without streaming): for the log, once. */
  warn(message: string): void;
}

/** Requests sent and failures seen, for metrics. */
export interface SourceStats {
  requests: number;
  failures: number;
}

/**
 * One registry behind one interface. A source turns dependencies into a stream of complete
 * snapshots; it owns its connection, reconnects and backoff, reports its health per dependency,
 * and never turns an error into an empty answer.
 */
export interface Source {
  readonly name: string;
  /** A human description for logs and /status, never containing credentials. */
  readonly description: string;
  /** False when the data can no longer change (a file that is not watched, as in --once). */
  readonly live: boolean;
  readonly stats: SourceStats;
  /** Consul only: watched health queries by the backend that answers them (streaming or blocking). */
  queryBackends?(): Readonly<Record<string, number>>;
  /**
   * Problems open right now, per dependency (and for the connection as a whole). The source is
   * healthy only when none is open: an answer on one dependency never hides a problem on another.
   * In --once (SourceOptions.watch false) a source may also give up on a dependency
   * (`health.giveUp`), which ends the run with exit 1; Consul does, after its retry attempts or
   * on a permission error. The other registries retry for ever, in --once too.
   */
  readonly health: SourceHealth;
  /** Connects or loads. Throws InputError when the source's own input is invalid. */
  start(sink: SourceSink): Promise<void>;
  watch(dep: Dependency): void;
  unwatch(dep: Dependency): void;
  stop(): Promise<void>;
}
