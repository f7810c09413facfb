import type { Dependency, DependencyValue } from '../catalog/types.js';

/** Where a source delivers what it learns. */
export interface SourceSink {
  /** The full, normalized answer for a watched dependency. Sent again on every change. */
  data(dep: Dependency, value: DependencyValue): void;
  /** A failure that leaves the last good data in use (never reported as "no instances"). */
  error(message: string, err: unknown): void;
  /** A notable recovery (a registry answering again). */
  info?(message: string): void;
}

/**
 * One registry behind one interface. A source turns dependencies into a stream of complete
 * snapshots; it owns its reconnects and never turns an error into an empty answer.
 */
export interface Source {
  readonly name: string;
  /** A human description for logs, never containing credentials. */
  readonly description: string;
  /** False when the data can no longer change (a file that is not watched, as in --once). */
  readonly live: boolean;
  /** Requests sent and failures seen, for metrics (sources that make requests). */
  readonly stats?: { readonly requests: number; readonly failures: number };
  /** True while the source is failing and retrying (for /healthz and metrics). */
  readonly failing?: boolean;
  /** Connects or loads. Throws InputError when the source's own input is invalid. */
  start(sink: SourceSink): Promise<void>;
  watch(dep: Dependency): void;
  unwatch(dep: Dependency): void;
  stop(): Promise<void>;
}
