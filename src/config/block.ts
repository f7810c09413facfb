import type { FlagValues } from './flags.js';
import type { SettingOrigins, Origin } from './origins.js';
import type { ConfigFile } from './schema.js';

/**
 * What each block of the configuration is parsed from: the flags, the config file (validated),
 * where each setting came from (for errors at the flag or file:line:col), and a queue of checks
 * that touch the disk, run once everything else has parsed.
 */
export interface BlockContext {
  readonly flags: FlagValues;
  readonly file: ConfigFile;
  readonly at: SettingOrigins;
  /** Directory of the config file (paths in it are relative to it), or the working directory. */
  readonly fileDir: string;
  /** Working directory (paths in flags are relative to it). */
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Queues a check that reads the disk (a file that must exist), reported against `origin`. */
  later(origin: Origin, check: (name: string) => Promise<void>): void;
}
