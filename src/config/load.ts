import { stat } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { commandsFrom, type CommandSettings } from '../actions/settings.js';
import { execFrom } from '../actions/exec-settings.js';
import { InputError } from '../errors.js';
import { guardsFrom } from '../feed/guards/settings.js';
import { probesFrom, relaxedSourcesFrom } from '../feed/settings.js';
import { loggingFrom, observeFrom } from '../observe/settings.js';
import { dedupFrom } from '../registries/dedup.js';
import { sourcesFrom } from '../registries/settings.js';
import { waitFrom } from '../schedule/settings.js';
import { envAllowFrom, partialsFrom, templatesFrom, type TemplateConfig } from '../template/settings.js';
import type { BlockContext } from './block.js';
import { readDataFile, validateDataFile, type DataFile } from './data-file.js';
import { readHclConfigPaths, unknownKeyHint, type HclWarning } from './hcl/index.js';
import type { FlagValues } from './flags.js';
import { SettingOrigins } from './origins.js';
import { configFileSchema, type Config, type ConfigFile } from './schema.js';

export type { FlagValues } from './flags.js';

/**
 * consul-template times each template's command out on its own; ctmpl has one timeout for every
 * command. Unless --command-timeout or the top-level key sets it, the longest template timeout
 * applies to all (a warning names the templates whose shorter one is not kept).
 */
function withTemplateTimeouts(commands: CommandSettings, templates: readonly TemplateConfig[], ctx: BlockContext, warnings: ConfigWarning[] | undefined): CommandSettings {
  const timed = templates.flatMap((t, index) => (t.commandTimeoutMs === undefined ? [] : [{ index, ms: t.commandTimeoutMs }]));
  if (timed.length === 0) return commands;
  const globalSet = ctx.flags.commandTimeout !== undefined || ctx.file.command_timeout !== undefined;
  const timeoutMs = globalSet ? commands.commandTimeoutMs : Math.max(...timed.map((t) => t.ms));
  for (const { index, ms } of timed) {
    if (ms === timeoutMs) continue;
    warnings?.push({
      where: ctx.at.where(['templates', index, 'command_timeout']),
      message: `templates[${index}].command_timeout is ${ms} ms, but ctmpl has one timeout for every command: ${timeoutMs} ms (${globalSet ? 'the global command_timeout' : "the longest template's"}) applies`,
      hint: 'set command_timeout once, at the top level',
    });
  }
  return { ...commands, commandTimeoutMs: timeoutMs };
}

export interface LoadOptions {
  /**
   * Collects the paths that do not exist instead of stopping at the first (`ctmpl validate`
   * reports every problem); other problems still throw.
   */
  pathProblems?: InputError[];
  env?: NodeJS.ProcessEnv;
  /**
   * Collects what a consul-template config says that ctmpl reads differently or ignores (the
   * caller logs them once); without it they are dropped.
   */
  warnings?: ConfigWarning[];
}

/** Something in the config ctmpl reads differently from consul-template, or ignores: `where` is file:line:col. */
export type ConfigWarning = HclWarning;

/** The config as read: its data with positions, and the directory its relative paths start from. */
interface ReadConfig {
  readonly data: DataFile;
  readonly fileDir: string;
}

/**
 * Where consul-template's default differs from ctmpl's, a consul-template config gets
 * consul-template's: its exec child is restarted on a change unless `reload_signal` is set (ctmpl's
 * own default is SIGHUP), and stopped with SIGINT unless `kill_signal` is set (ctmpl passes on the
 * signal it got).
 */
export function withConsulTemplateDefaults(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const exec = (value as Record<string, unknown>).exec;
  if (exec === null || typeof exec !== 'object' || Array.isArray(exec)) return value;
  return { ...value, exec: { reload_signal: 'none', kill_signal: 'SIGINT', ...exec } };
}

const isHclPath = async (path: string): Promise<boolean> => extname(path).toLowerCase() === '.hcl' || (await stat(path).then((s) => s.isDirectory(), () => false));

/**
 * Reads --config: a YAML or JSON file with ctmpl's keys (paths relative to its directory), or
 * consul-template's HCL — files and directories, several merged in order — read into ctmpl's
 * keys (paths relative to the working directory, as consul-template resolves them).
 */
async function readConfig(given: string | readonly string[], cwd: string, warnings: ConfigWarning[] | undefined): Promise<ReadConfig> {
  const paths = (typeof given === 'string' ? [given] : given).map((p) => resolve(cwd, p));
  const hcl = await Promise.all(paths.map(isHclPath));
  if (hcl.every(Boolean)) {
    const data = await readHclConfigPaths(paths);
    warnings?.push(...data.warnings);
    return { data: { ...data, value: withConsulTemplateDefaults(data.value) }, fileDir: cwd };
  }
  if (paths.length > 1) {
    const yaml = paths.find((_, i) => !hcl[i]) as string;
    throw new InputError(`--config is given ${paths.length} times, and ${yaml} is YAML or JSON`, undefined, "several --config are merged only for consul-template's HCL (.hcl files or directories); put ctmpl's settings in one YAML or JSON file");
  }
  const path = paths[0] as string;
  return { data: await readDataFile(path, 'config file'), fileDir: dirname(path) };
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
  if (flags.config !== undefined && flags.config.length > 0) {
    ({ data, fileDir } = await readConfig(flags.config, cwd, options.warnings));
    file = validateDataFile(data, configFileSchema, 'see docs/configuration.md for the keys', unknownKeyHint);
  }
  const at = new SettingOrigins(data);
  const checks: (() => Promise<void>)[] = [];
  const ctx: BlockContext = { flags, file, at, fileDir, cwd, env: options.env ?? process.env, later: (origin, check) => void checks.push(at.later(origin, check)) };

  const sources = sourcesFrom(ctx);
  const templates = templatesFrom(ctx);
  const config: Config = {
    sources,
    templates,
    ...withTemplateTimeouts(commandsFrom(ctx), templates, ctx, options.warnings),
    wait: waitFrom(ctx),
    once: flags.once,
    dry: flags.dry,
    ...loggingFrom(ctx),
    ...observeFrom(ctx),
    relaxedSources: relaxedSourcesFrom(ctx, sources),
    envAllow: envAllowFrom(ctx),
    partials: partialsFrom(ctx),
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
