import type { Config } from '../config/schema.js';
import type { Logger } from '../observe/log.js';
import type { Metrics } from '../observe/metrics.js';
import type { StartSources } from '../registries/start.js';
import type { Clock } from '../util/clock.js';

/** What the Runner is given: the loaded config and logger, and what tests and the CLI plug in. */
export interface RunnerOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Where --dry prints; stdout unless a test captures it. */
  readonly dryOutput?: NodeJS.WritableStream;
  /** Builds sources; tests pass scripted ones. */
  readonly createSource?: StartSources['create'];
  /** Prometheus metrics; one per process, shared across SIGHUP restarts. */
  readonly metrics?: Metrics;
  /** Called once every template has had its first complete render (systemd READY=1). */
  readonly onReady?: () => void;
  /** Called after a batch that changed files, with their destinations. */
  readonly onBatch?: (destinations: readonly string[]) => void;
  /** Environment visible to the `env` helper. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
}
