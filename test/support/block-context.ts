import { join } from 'node:path';
import type { BlockContext } from '../../src/config/block.js';
import { parseDataText, validateDataFile } from '../../src/config/data-file.js';
import type { FlagValues } from '../../src/config/flags.js';
import { keyName, SettingOrigins, type Origin } from '../../src/config/origins.js';
import { configFileSchema } from '../../src/config/schema.js';

/** A check a block queued for later (a file that must exist), with the origin it names. */
export interface QueuedCheck {
  /** The flag as typed, or the config key as operators read it (`templates[0].source`). */
  readonly origin: string;
  readonly run: () => Promise<void>;
}

export interface BlockContextOptions {
  readonly flags?: Partial<FlagValues>;
  /** The config file's text (YAML or JSON), validated as loadConfig does; none when absent. */
  readonly file?: string;
  /** Directory of the config file (its path is `fileDir/ctmpl.yaml`). */
  readonly fileDir?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** The config file's path in a context built by blockContext. */
export const configPath = (fileDir = '/conf'): string => join(fileDir, 'ctmpl.yaml');

/**
 * What one block of the configuration is parsed from (src/config/block.ts), as loadConfig builds
 * it: flags, the validated config file with its positions, and the queue of later checks, which
 * the test reads (and may run) itself.
 */
export function blockContext(options: BlockContextOptions = {}): { ctx: BlockContext; checks: QueuedCheck[] } {
  const fileDir = options.fileDir ?? '/conf';
  const data = options.file === undefined ? undefined : parseDataText(configPath(fileDir), options.file);
  const file = data === undefined ? {} : validateDataFile(data, configFileSchema, 'see docs/configuration.md');
  const at = new SettingOrigins(data);
  const checks: QueuedCheck[] = [];
  const flags: FlagValues = { template: [], source: [], once: false, dry: false, ...options.flags };
  const ctx: BlockContext = {
    flags,
    file,
    at,
    fileDir,
    cwd: options.cwd ?? '/work',
    env: options.env ?? {},
    later: (origin: Origin, check) => void checks.push({ origin: typeof origin === 'string' ? origin : keyName(origin), run: at.later(origin, check) }),
  };
  return { ctx, checks };
}
