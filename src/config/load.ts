import { dirname, resolve } from 'node:path';
import { commandsFrom } from '../actions/settings.js';
import { execFrom } from '../actions/exec-settings.js';
import type { InputError } from '../errors.js';
import { guardsFrom } from '../feed/guards/settings.js';
import { probesFrom, relaxedSourcesFrom } from '../feed/settings.js';
import { loggingFrom, observeFrom } from '../observe/settings.js';
import { dedupFrom } from '../registries/dedup.js';
import { sourcesFrom } from '../registries/settings.js';
import { waitFrom } from '../schedule/settings.js';
import { envAllowFrom, templatesFrom } from '../template/settings.js';
import type { BlockContext } from './block.js';
import { readDataFile, validateDataFile, type DataFile } from './data-file.js';
import type { FlagValues } from './flags.js';
import { SettingOrigins } from './origins.js';
import { configFileSchema, type Config, type ConfigFile } from './schema.js';

export type { FlagValues } from './flags.js';

export interface LoadOptions {
  /**
   * Collects the paths that do not exist instead of stopping at the first (`ctmpl validate`
   * reports every problem); other problems still throw.
   */
  pathProblems?: InputError[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Merges the config file (paths relative to its directory) with flags (paths relative to the
 * working directory), block by block. Single settings from flags override the file; templates and
 * sources from flags are added to the file's, as consul-template merges its configs. Every error
 * names the flag, or the key with its file:line:column. Checks that read the disk run last, so a
 * config wrong in several ways reports its settings first.
 */
export async function loadConfig(flags: FlagValues, cwd: string = process.cwd(), options: LoadOptions = {}): Promise<Config> {
  let file: ConfigFile = {};
  let fileDir = cwd;
  let data: DataFile | undefined;
  if (flags.config !== undefined) {
    const configPath = resolve(cwd, flags.config);
    data = await readDataFile(configPath, 'config file');
    file = validateDataFile(data, configFileSchema, 'see docs/configuration.md for the keys');
    fileDir = dirname(configPath);
  }
  const at = new SettingOrigins(data);
  const checks: (() => Promise<void>)[] = [];
  const ctx: BlockContext = { flags, file, at, fileDir, cwd, env: options.env ?? process.env, later: (origin, check) => void checks.push(at.later(origin, check)) };

  const sources = sourcesFrom(ctx);
  const templates = templatesFrom(ctx);
  const config: Config = {
    sources,
    templates,
    ...commandsFrom(ctx),
    wait: waitFrom(ctx),
    once: flags.once,
    dry: flags.dry,
    ...loggingFrom(ctx),
    ...observeFrom(ctx),
    relaxedSources: relaxedSourcesFrom(ctx, sources),
    envAllow: envAllowFrom(ctx),
    guards: guardsFrom(ctx),
    ...probesFrom(ctx),
    exec: execFrom(ctx),
    dedup: dedupFrom(ctx, sources),
  };
  for (const check of checks) {
    try {
      await check();
    } catch (err) {
      if (options.pathProblems === undefined || !(err instanceof Error && err.name === 'InputError')) throw err;
      options.pathProblems.push(err as InputError);
    }
  }
  return config;
}
