import { dirname, resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { LogLevel } from '../observe/log.js';
import { resolveConsulSettings, type ConsulOverrides } from '../sources/consul/settings.js';
import { parseDnsUri } from '../sources/dns/settings.js';
import { parseEtcdUri } from '../sources/etcd/settings.js';
import { parseZooKeeperUri } from '../sources/zookeeper/settings.js';
import { readDataFile, validateDataFile } from './data-file.js';
import { parseDuration, parseWait, type WaitSpec } from './duration.js';
import { constants as osConstants } from 'node:os';
import { Allowlist } from '../guards/allowlist.js';
import { parseListen } from '../observe/http.js';
import { resolveGroup, resolveUser } from '../output/owner.js';
import type { WriteMode } from '../output/write.js';
import type { GuardSettings, ServiceGuardSettings } from '../guards/guards.js';
import {
  configFileSchema,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_FLAP,
  DEFAULT_HOLD_MAX_MS,
  DEFAULT_MAX_REMOVAL_PCT,
  DEFAULT_WAIT,
  type Config,
  type ConfigFile,
  type DedupConfig,
  type ExecSettings,
  type SourceConfig,
  type TemplateConfig,
} from './schema.js';

/** What the command line said; undefined means "not given", so the config file or a default applies. */
export interface FlagValues {
  template: string[];
  source: string[];
  command?: string;
  once: boolean;
  dry: boolean;
  wait?: string;
  config?: string;
  logLevel?: LogLevel;
  commandTimeout?: string;
  sandboxPath?: string;
  consul?: ConsulFlagValues;
  flap?: string;
  flapWait?: string;
  maxRemoval?: string;
  holdMax?: string;
  splay?: string;
  allowCidr?: string[];
  allowTag?: string[];
  allowDc?: string[];
  check?: string;
  writeMode?: WriteMode;
  minReloadInterval?: string;
  exec?: string;
  execReloadSignal?: string;
  execKillTimeout?: string;
  execSplay?: string;
  listen?: string;
  healthFailingAfter?: string;
  logFormat?: 'json' | 'pretty';
  relaxedValidation?: string[];
  envAllow?: string[];
  dedup?: boolean;
  dedupPrefix?: string;
  dedupTtl?: string;
  dedupLockDelay?: string;
}

/** Consul connection flags (Consul's own names); durations still as text. */
export interface ConsulFlagValues {
  addr?: string;
  token?: string;
  tokenFile?: string;
  caCert?: string;
  caPath?: string;
  clientCert?: string;
  clientKey?: string;
  tlsServerName?: string;
  ssl?: boolean;
  sslVerify?: boolean;
  maxStale?: string;
  blockQueryWait?: string;
  consistent?: boolean;
  cached?: boolean;
  minInterval?: string;
}

/** Registries ctmpl knows by name; only those with a reader in this build can be used. */
const AVAILABLE_SCHEMES = new Set(['file', 'consul']);
const PLANNED_SCHEMES = new Set(['eureka', 'nacos']);

type ParsedSource = Omit<SourceConfig, 'consul'> & { explicitName: boolean };

/**
 * Parses `[name=]uri`: `file:PATH` (resolved against `baseDir`), `consul:`, `consul://host:port`,
 * `consul+https://host:port`, `etcd[+https]://hosts/PREFIX`, `zk://hosts/ROOT`, `dns:[//server:port]`.
 */
export function parseSourceSpec(spec: string, baseDir: string, what: string): ParsedSource {
  const named = /^([A-Za-z0-9_-]+)=(.*)$/s.exec(spec);
  const uri = named ? (named[2] as string) : spec;
  const colon = uri.indexOf(':');
  const fullScheme = colon > 0 ? uri.slice(0, colon).toLowerCase() : '';
  const rest = colon > 0 ? uri.slice(colon + 1) : '';
  const consul = /^consul(\+(https?))?$/.exec(fullScheme);
  if (consul) {
    const address = rest.replace(/^\/\//, '').replace(/\/+$/, '');
    const target = address === '' ? '' : `${consul[2] ?? 'http'}://${address}`;
    return { name: named ? (named[1] as string) : 'consul', scheme: 'consul', target, explicitName: named !== null };
  }
  // etcd://h1:2379,h2:2379/PREFIX, zk://h1:2181/ROOT, dns://server:port: checked here, so a bad
  // URI stops ctmpl before it starts.
  const registry = { name: named ? (named[1] as string) : fullScheme.replace(/\+https$/, ''), target: uri, explicitName: named !== null };
  if (fullScheme === 'etcd' || fullScheme === 'etcd+https') return { ...registry, scheme: 'etcd', etcd: parseEtcdUri(fullScheme, rest, baseDir, what) };
  if (fullScheme === 'zk') return { ...registry, scheme: 'zk', zookeeper: parseZooKeeperUri(rest, what) };
  if (fullScheme === 'dns') return { ...registry, scheme: 'dns', dns: parseDnsUri(rest, what) };
  const scheme = fullScheme;
  if (!AVAILABLE_SCHEMES.has(scheme)) {
    if (PLANNED_SCHEMES.has(scheme)) {
      throw new InputError(`${what}: the ${scheme} source is not available in this version of ctmpl`, undefined, 'use a static catalog: --source file:PATH (see templates/examples/catalog.yaml)');
    }
    throw new InputError(`${what}: "${spec}" is not a source URI`, undefined, 'write [name=]file:PATH, [name=]consul://HOST:PORT, etcd://HOST:PORT/PREFIX, zk://HOST:PORT/ROOT or dns://SERVER:PORT, e.g. --source file:templates/examples/catalog.yaml');
  }
  const path = rest.replace(/^\/\/(?=\/)/, '');
  if (path === '') throw new InputError(`${what}: "${spec}" names no file`, undefined, 'write file:PATH, e.g. file:catalog.yaml');
  return { name: named ? (named[1] as string) : scheme, scheme, target: resolve(baseDir, path), explicitName: named !== null };
}

/** Parses `src:dest[:command]` (the command may itself contain colons). */
export function parseTemplateSpec(spec: string, baseDir: string): { source: string; destination: string; command: string | undefined } {
  const first = spec.indexOf(':');
  const second = first < 0 ? -1 : spec.indexOf(':', first + 1);
  const source = first < 0 ? spec : spec.slice(0, first);
  const destination = first < 0 ? '' : second < 0 ? spec.slice(first + 1) : spec.slice(first + 1, second);
  const command = second < 0 ? undefined : spec.slice(second + 1).trim() || undefined;
  if (source.trim() === '' || destination.trim() === '') {
    throw new InputError(`--template "${spec}": expected SOURCE:DESTINATION[:COMMAND]`, undefined, 'for example -t templates/nginx-upstream.hbs:/etc/nginx/conf.d/upstreams.conf');
  }
  return { source: resolve(baseDir, source), destination: resolve(baseDir, destination), command };
}

function parsePerms(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' ? value : parseInt(value, 8);
}

function nameSources(specs: ParsedSource[]): ParsedSource[] {
  const seen = new Set<string>();
  return specs.map((source) => {
    const { explicitName } = source;
    if (seen.has(source.name)) {
      const hint = explicitName ? 'give each source a different name' : `name them: --source a=${source.scheme}:… --source b=${source.scheme}:…`;
      throw new InputError(`two sources are named "${source.name}"`, undefined, hint);
    }
    seen.add(source.name);
    return source;
  });
}

/** A duration from a flag (wins) or the config file, or undefined when neither gives one. */
function optionalDuration(flagValue: string | undefined, fileValue: string | undefined, flag: string, key: string): number | undefined {
  if (flagValue !== undefined) return parseDuration(flagValue, flag);
  return fileValue === undefined ? undefined : parseDuration(fileValue, key);
}

const SIGNALS = new Set(Object.keys(osConstants.signals));

/** Exec mode settings; undefined when no exec command is given. */
function execSettingsFrom(flags: FlagValues, file: ConfigFile, fileLabel: string): ExecSettings | undefined {
  const command = flags.exec ?? file.exec?.command;
  if (command === undefined) return undefined;
  const signalText = flags.execReloadSignal ?? file.exec?.reload_signal ?? 'SIGHUP';
  const signal = signalText.toUpperCase().startsWith('SIG') ? signalText.toUpperCase() : `SIG${signalText.toUpperCase()}`;
  if (signalText.toLowerCase() !== 'none' && !SIGNALS.has(signal)) {
    throw new InputError(`${flags.execReloadSignal !== undefined ? '--exec-reload-signal' : `${fileLabel}exec.reload_signal`}: "${signalText}" is not a signal`, undefined, 'use a signal name such as SIGHUP or SIGUSR2, or none to restart the child instead');
  }
  return {
    command,
    reloadSignal: signalText.toLowerCase() === 'none' ? undefined : (signal as NodeJS.Signals),
    killTimeoutMs: optionalDuration(flags.execKillTimeout, file.exec?.kill_timeout, '--exec-kill-timeout', `${fileLabel}exec.kill_timeout`) ?? 30_000,
    splayMs: optionalDuration(flags.execSplay, file.exec?.splay, '--exec-splay', `${fileLabel}exec.splay`) ?? 0,
    restartBackoffMaxMs: optionalDuration(undefined, file.exec?.restart_backoff_max, '', `${fileLabel}exec.restart_backoff_max`) ?? 60_000,
  };
}

/** Dedup settings, when dedup is on; it needs a Consul source (its locks and KV). */
function dedupSettingsFrom(flags: FlagValues, file: ConfigFile, fileLabel: string, sources: readonly SourceConfig[]): DedupConfig | undefined {
  if (!(flags.dedup ?? file.dedup?.enabled ?? false)) return undefined;
  if (!sources.some((s) => s.scheme === 'consul')) {
    throw new InputError('--dedup needs a Consul source (it runs on Consul sessions, locks and KV)', undefined, 'add --source consul://HOST:PORT, or drop --dedup');
  }
  const seconds = (flagValue: string | undefined, fileValue: string | undefined, flag: string, key: string, fallback: number, min: number): number => {
    const ms = optionalDuration(flagValue, fileValue, flag, `${fileLabel}dedup.${key}`);
    const value = ms === undefined ? fallback : Math.round(ms / 1000);
    if (value < min) throw new InputError(`${flagValue !== undefined ? flag : `${fileLabel}dedup.${key}`} must be at least ${min}s`, undefined, `Consul accepts ${key === 'ttl' ? 'session TTLs from 10s' : 'lock delays from 0s'}`);
    return value;
  };
  const prefix = flags.dedupPrefix ?? file.dedup?.prefix ?? 'ctmpl/dedup/';
  return {
    prefix: prefix.endsWith('/') ? prefix : `${prefix}/`,
    sessionTtlSeconds: seconds(flags.dedupTtl, file.dedup?.ttl, '--dedup-ttl', 'ttl', 15, 10),
    lockDelaySeconds: seconds(flags.dedupLockDelay, file.dedup?.lock_delay, '--dedup-lock-delay', 'lock_delay', 15, 0),
  };
}

/** Sources named for relaxed validation must exist (a typo would silently keep the rules on). */
function relaxedSourcesFrom(names: readonly string[], sources: readonly SourceConfig[]): string[] {
  for (const name of names) {
    if (!sources.some((s) => s.name === name)) {
      throw new InputError(`--relaxed-validation "${name}" names no configured source`, undefined, `configured sources: ${sources.map((s) => s.name).join(', ')}`);
    }
  }
  return [...names];
}

/** `20`, `20%` → 20; `off` → undefined. */
export function parsePercent(value: string | number, what: string): number | undefined {
  if (value === 'off') return undefined;
  const n = typeof value === 'number' ? value : Number(value.replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0 || n > 100) {
    throw new InputError(`${what}: "${value}" is not a percentage`, undefined, 'give a number from 0 to 100 (e.g. 20 or 20%), or off');
  }
  return n;
}

/** `5/30s` → more than 5 changes within 30 s damp a service; `off` → undefined. */
export function parseFlap(value: string, what: string): { changes: number; windowMs: number } | undefined {
  if (value === 'off') return undefined;
  const match = /^(\d+)\/(.+)$/.exec(value);
  const changes = Number(match?.[1]);
  if (!match || !Number.isInteger(changes) || changes < 1) {
    throw new InputError(`${what}: "${value}" is not N/WINDOW`, undefined, 'for example 5/30s (more than 5 changes in 30 s), or off');
  }
  const windowMs = parseDuration(match[2] as string, what);
  if (windowMs <= 0) throw new InputError(`${what}: the window must be longer than 0`, undefined, 'for example 5/30s');
  return { changes, windowMs };
}

/** Guard settings: flags over the config file over defaults. */
function guardSettingsFrom(flags: FlagValues, file: ConfigFile, fileLabel: string): GuardSettings {
  const flapText = flags.flap ?? file.flap ?? DEFAULT_FLAP;
  const flap = parseFlap(flapText, flags.flap !== undefined ? '--flap' : `${fileLabel}flap`);
  const flapWaitText = flags.flapWait ?? file.flap_wait;
  const dampedWaitMs = flapWaitText === undefined ? flap?.windowMs : parseDuration(flapWaitText, flags.flapWait !== undefined ? '--flap-wait' : `${fileLabel}flap_wait`);
  const holdText = flags.holdMax ?? file.hold_max;
  const maxRemoval = flags.maxRemoval ?? file.max_removal;
  const services: Record<string, ServiceGuardSettings> = {};
  for (const [name, own] of Object.entries(file.services ?? {})) {
    services[name] = {
      ...(own.max_removal === undefined ? {} : { maxRemovalPct: parsePercent(own.max_removal, `${fileLabel}services.${name}.max_removal`) ?? null }),
      ...(own.allow_empty === undefined ? {} : { allowEmpty: own.allow_empty }),
    };
  }
  const allowlist = {
    cidrs: [...(file.allow?.cidrs ?? []), ...(flags.allowCidr ?? [])],
    tags: [...(file.allow?.tags ?? []), ...(flags.allowTag ?? [])],
    dcs: [...(file.allow?.dcs ?? []), ...(flags.allowDc ?? [])],
  };
  new Allowlist(allowlist); // throws an InputError naming a bad CIDR
  return {
    allowlist,
    maxRemovalPct: maxRemoval === undefined ? DEFAULT_MAX_REMOVAL_PCT : parsePercent(maxRemoval, flags.maxRemoval !== undefined ? '--max-removal' : `${fileLabel}max_removal`),
    holdMaxMs: holdText === undefined ? DEFAULT_HOLD_MAX_MS : parseDuration(holdText, flags.holdMax !== undefined ? '--hold-max' : `${fileLabel}hold_max`),
    flap: flap && dampedWaitMs !== undefined ? { ...flap, dampedWaitMs } : undefined,
    services,
  };
}

/** Consul flags win over the config file's `consul` block; the environment fills the rest. */
function consulSettingsFrom(flags: ConsulFlagValues, file: NonNullable<ConfigFile['consul']>, fileDir: string, cwd: string, fileLabel: string): ConsulOverrides {
  const path = (flagValue: string | undefined, fileValue: string | undefined): string | undefined =>
    flagValue !== undefined ? resolve(cwd, flagValue) : fileValue !== undefined ? resolve(fileDir, fileValue) : undefined;
  const duration = (flagValue: string | undefined, fileValue: string | undefined, flag: string, key: string): number | undefined =>
    flagValue !== undefined ? parseDuration(flagValue, flag) : fileValue !== undefined ? parseDuration(fileValue, `${fileLabel}consul.${key}`) : undefined;
  const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return defined({
    address: flags.addr ?? file.address,
    token: flags.token ?? file.token,
    tokenFile: path(flags.tokenFile, file.token_file),
    ssl: flags.ssl ?? file.ssl?.enabled,
    caCert: path(flags.caCert, file.ssl?.ca_cert),
    caPath: path(flags.caPath, file.ssl?.ca_path),
    clientCert: path(flags.clientCert, file.ssl?.cert),
    clientKey: path(flags.clientKey, file.ssl?.key),
    serverName: flags.tlsServerName ?? file.ssl?.server_name,
    sslVerify: flags.sslVerify ?? file.ssl?.verify,
    maxStaleMs: duration(flags.maxStale, file.max_stale, '--max-stale', 'max_stale'),
    blockWaitMs: duration(flags.blockQueryWait, file.block_query_wait, '--block-query-wait', 'block_query_wait'),
    consistent: flags.consistent ?? file.consistent,
    cached: flags.cached ?? file.cached,
    minIntervalMs: duration(flags.minInterval, file.min_interval, '--consul-min-interval', 'min_interval'),
  });
}

/**
 * Merges the config file (paths relative to its directory) with flags (paths relative to the
 * working directory). Single settings from flags override the file; templates and sources from
 * flags are added to the file's, as consul-template merges its configs.
 */
export async function loadConfig(flags: FlagValues, cwd: string = process.cwd()): Promise<Config> {
  let file: ConfigFile = {};
  let fileDir = cwd;
  let fileLabel = '';
  if (flags.config !== undefined) {
    const configPath = resolve(cwd, flags.config);
    const data = await readDataFile(configPath, 'config file');
    file = validateDataFile(data, configFileSchema, 'see "Config file" in the README for the keys');
    fileDir = dirname(configPath);
    fileLabel = `${configPath}: `;
  }

  const fileSources = Array.isArray(file.sources)
    ? file.sources.map((s, i) => parseSourceSpec(s, fileDir, `${fileLabel}sources[${i}]`))
    : Object.entries(file.sources ?? {}).map(([name, uri]) => ({
        ...parseSourceSpec(uri, fileDir, `${fileLabel}sources.${name}`),
        name,
        explicitName: true,
      }));
  const flagSources = flags.source.map((s) => parseSourceSpec(s, cwd, `--source "${s}"`));
  const named = nameSources([...fileSources, ...flagSources]);
  // No source given: Consul, as consul-template (CONSUL_HTTP_ADDR or 127.0.0.1:8500).
  const parsedSources = named.length > 0 ? named : [parseSourceSpec('consul:', cwd, 'default source')];
  const consulOverrides = consulSettingsFrom(flags.consul ?? {}, file.consul ?? {}, fileDir, cwd, fileLabel);
  const sources: SourceConfig[] = parsedSources.map(({ explicitName: _explicit, ...source }) =>
    source.scheme === 'consul'
      ? { ...source, consul: resolveConsulSettings({ ...consulOverrides, ...(source.target ? { address: source.target } : {}) }) }
      : source,
  );

  const globalCheck = flags.check ?? file.check;
  const globalWriteMode = flags.writeMode ?? file.write_mode;
  const globalSandbox = flags.sandboxPath !== undefined ? resolve(cwd, flags.sandboxPath) : file.sandbox_path !== undefined ? resolve(fileDir, file.sandbox_path) : undefined;
  const templates: TemplateConfig[] = [
    ...(file.templates ?? []).map((t, i): TemplateConfig => {
      const source = resolve(fileDir, t.source);
      return {
        source,
        destination: resolve(fileDir, t.destination),
        command: t.command,
        wait: t.wait === undefined ? undefined : parseWait(t.wait, `${fileLabel}templates[${i}].wait`),
        perms: parsePerms(t.perms),
        backup: t.backup ?? false,
        sandbox: t.sandbox_path !== undefined ? resolve(fileDir, t.sandbox_path) : (globalSandbox ?? dirname(source)),
        check: t.check ?? globalCheck,
        writeMode: t.write_mode ?? globalWriteMode,
        uid: t.user === undefined ? undefined : resolveUser(String(t.user)),
        gid: t.group === undefined ? undefined : resolveGroup(String(t.group)),
      };
    }),
    ...flags.template.map((spec): TemplateConfig => {
      const parsed = parseTemplateSpec(spec, cwd);
      return { ...parsed, wait: undefined, perms: undefined, backup: false, sandbox: globalSandbox ?? dirname(parsed.source), check: globalCheck, writeMode: globalWriteMode };
    }),
  ];
  if (templates.length === 0) {
    throw new InputError('no template given', undefined, 'add -t SOURCE:DESTINATION[:COMMAND], or a templates list in --config');
  }
  const destinations = new Set<string>();
  for (const t of templates) {
    if (destinations.has(t.destination)) {
      throw new InputError(`two templates write ${t.destination}`, undefined, 'give each template its own destination');
    }
    destinations.add(t.destination);
  }

  const waitText = flags.wait ?? file.wait;
  const wait: WaitSpec = waitText === undefined ? DEFAULT_WAIT : parseWait(waitText, flags.wait !== undefined ? '--wait' : `${fileLabel}wait`);
  const timeoutText = flags.commandTimeout ?? file.command_timeout;
  const commandTimeoutMs =
    timeoutText === undefined ? DEFAULT_COMMAND_TIMEOUT_MS : parseDuration(timeoutText, flags.commandTimeout !== undefined ? '--command-timeout' : `${fileLabel}command_timeout`);
  if (commandTimeoutMs <= 0) throw new InputError('the command timeout must be longer than 0', undefined, 'for example --command-timeout 30s');

  if (flags.once && (flags.exec ?? file.exec) !== undefined) {
    throw new InputError('--exec cannot be combined with --once', undefined, 'exec mode supervises a long-running child; drop --once, or use -c for a one-off command');
  }
  return {
    sources,
    templates,
    command: flags.command ?? file.command,
    commandTimeoutMs,
    wait,
    once: flags.once,
    dry: flags.dry,
    logLevel: flags.logLevel ?? file.log_level ?? 'info',
    logFormat: flags.logFormat ?? file.log_format,
    relaxedSources: relaxedSourcesFrom([...(file.relaxed_validation ?? []), ...(flags.relaxedValidation ?? [])], sources),
    envAllow: flags.envAllow !== undefined && flags.envAllow.length > 0 ? flags.envAllow : file.env_allow,
    listen: (flags.listen ?? file.listen) === undefined ? undefined : parseListen((flags.listen ?? file.listen) as string),
    healthFailingAfterMs: optionalDuration(flags.healthFailingAfter, file.health_failing_after, '--health-failing-after', `${fileLabel}health_failing_after`) ?? 60_000,
    guards: guardSettingsFrom(flags, file, fileLabel),
    minReloadIntervalMs: optionalDuration(flags.minReloadInterval, file.min_reload_interval, '--min-reload-interval', `${fileLabel}min_reload_interval`) ?? 0,
    exec: execSettingsFrom(flags, file, fileLabel),
    dedup: dedupSettingsFrom(flags, file, fileLabel, sources),
    splayMs: (flags.splay ?? file.splay) === undefined ? 0 : parseDuration((flags.splay ?? file.splay) as string, flags.splay !== undefined ? '--splay' : `${fileLabel}splay`),
  };
}
