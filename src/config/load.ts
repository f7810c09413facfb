import { dirname, resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { LogLevel } from '../observe/log.js';
import { parseAddress, readTokenFile, resolveConsulSettings, type ConsulOverrides } from '../registries/consul/settings.js';
import { redactCredentials } from '../util/redact.js';
import { parseDnsUri } from '../registries/dns/settings.js';
import { parseEtcdUri, readEtcdPassword } from '../registries/etcd/settings.js';
import { parseZooKeeperUri, readZooKeeperAuth } from '../registries/zookeeper/settings.js';
import { readDataFile, validateDataFile, type DataFile } from './data-file.js';
import { SettingOrigins, type KeyPath, type Origin } from './origins.js';
import { requireDirectory, requireFile } from './paths.js';
import { parseDuration, parseWait } from './duration.js';
import { constants as osConstants } from 'node:os';
import { parseCidr } from '../feed/guards/allowlist.js';
import { parseListen } from '../observe/http.js';
import { resolveGroup, resolveUser } from '../output/owner.js';
import type { WriteMode } from '../output/write.js';
import type { GuardSettings, ServiceGuardSettings } from '../feed/guards/guards.js';
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
  const naming = /^([A-Za-z0-9_-]+)=(.*)$/s.exec(spec);
  const uri = naming ? (naming[2] as string) : spec;
  const colon = uri.indexOf(':');
  const fullScheme = colon > 0 ? uri.slice(0, colon).toLowerCase() : '';
  const rest = colon > 0 ? uri.slice(colon + 1) : '';
  const consul = /^consul(\+(https?))?$/.exec(fullScheme);
  if (consul) {
    const address = rest.replace(/^\/\//, '').replace(/\/+$/, '');
    const target = address === '' ? '' : `${consul[2] ?? 'http'}://${address}`;
    if (target !== '') parseAddress(target, false, what);
    return { name: naming ? (naming[1] as string) : 'consul', scheme: 'consul', target, explicitName: naming !== null };
  }
  // etcd://h1:2379,h2:2379/PREFIX, zk://h1:2181/ROOT, dns://server:port: checked here, so a bad
  // URI stops ctmpl before it starts.
  const registry = { name: naming ? (naming[1] as string) : fullScheme.replace(/\+https$/, ''), target: uri, explicitName: naming !== null };
  if (fullScheme === 'etcd' || fullScheme === 'etcd+https') return { ...registry, scheme: 'etcd', etcd: parseEtcdUri(fullScheme, rest, baseDir, what) };
  if (fullScheme === 'zk') return { ...registry, scheme: 'zk', zookeeper: parseZooKeeperUri(rest, baseDir, what) };
  if (fullScheme === 'dns') return { ...registry, scheme: 'dns', dns: parseDnsUri(rest, what) };
  const scheme = fullScheme;
  if (!AVAILABLE_SCHEMES.has(scheme)) {
    if (PLANNED_SCHEMES.has(scheme)) {
      throw new InputError(`${what}: the ${scheme} source is not available in this version of ctmpl`, undefined, 'use a static catalog: --source file:PATH (see templates/examples/catalog.yaml)');
    }
    throw new InputError(`${what}: "${redactCredentials(spec)}" is not a source URI`, undefined, 'write [name=]file:PATH, [name=]consul://HOST:PORT, etcd://HOST:PORT/PREFIX, zk://HOST:PORT/ROOT or dns://SERVER:PORT, e.g. --source file:templates/examples/catalog.yaml');
  }
  const path = rest.replace(/^\/\/(?=\/)/, '');
  if (path === '') throw new InputError(`${what}: "${redactCredentials(spec)}" names no file`, undefined, 'write file:PATH, e.g. file:catalog.yaml');
  return { name: naming ? (naming[1] as string) : scheme, scheme, target: resolve(baseDir, path), explicitName: naming !== null };
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

/** Sources from the config file and from flags must not share a name. */
function nameSources(specs: readonly { source: ParsedSource; fail: (err: InputError) => unknown }[]): ParsedSource[] {
  const seen = new Set<string>();
  return specs.map(({ source, fail }) => {
    if (seen.has(source.name)) {
      const hint = source.explicitName ? 'give each source a different name' : `name them: --source a=${source.scheme}:… --source b=${source.scheme}:…`;
      throw fail(new InputError(`two sources are named "${source.name}"`, undefined, hint));
    }
    seen.add(source.name);
    return source;
  });
}

const SIGNALS = new Set(Object.keys(osConstants.signals));

/** `SIGHUP`, `hup`, or `none` (restart the child instead) → the signal, or undefined for none. */
function parseSignal(text: string, what: string): NodeJS.Signals | undefined {
  if (text.toLowerCase() === 'none') return undefined;
  const signal = text.toUpperCase().startsWith('SIG') ? text.toUpperCase() : `SIG${text.toUpperCase()}`;
  if (!SIGNALS.has(signal)) throw new InputError(`${what}: "${text}" is not a signal`, undefined, 'use a signal name such as SIGHUP or SIGUSR2, or none to restart the child instead');
  return signal as NodeJS.Signals;
}

/** A duration that must be longer than zero. */
function positiveDuration(text: string, what: string): number {
  const ms = parseDuration(text, what);
  if (ms <= 0) throw new InputError(`${what} must be longer than 0`, undefined, 'for example 30s');
  return ms;
}

/**
 * Exec mode settings; undefined when no exec command is given. The other exec settings are checked
 * even then: a typo in a setting that does nothing yet is still a typo.
 */
function execSettingsFrom(flags: FlagValues, file: ConfigFile, at: SettingOrigins): ExecSettings | undefined {
  const own = file.exec;
  const reloadSignal = at.pick(flags.execReloadSignal, '--exec-reload-signal', own?.reload_signal, ['exec', 'reload_signal'], (v, name) => ({ signal: parseSignal(v, name) }));
  const killTimeoutMs = at.pick(flags.execKillTimeout, '--exec-kill-timeout', own?.kill_timeout, ['exec', 'kill_timeout'], parseDuration);
  const splayMs = at.pick(flags.execSplay, '--exec-splay', own?.splay, ['exec', 'splay'], parseDuration);
  const restartBackoffMaxMs = at.pick(undefined, '', own?.restart_backoff_max, ['exec', 'restart_backoff_max'], parseDuration);
  const command = flags.exec ?? own?.command;
  if (command === undefined) return undefined;
  return {
    command,
    reloadSignal: reloadSignal === undefined ? 'SIGHUP' : reloadSignal.signal,
    killTimeoutMs: killTimeoutMs ?? 30_000,
    splayMs: splayMs ?? 0,
    restartBackoffMaxMs: restartBackoffMaxMs ?? 60_000,
  };
}

/** Dedup settings, when dedup is on; it needs a Consul source (its locks and KV). */
function dedupSettingsFrom(flags: FlagValues, file: ConfigFile, at: SettingOrigins, sources: readonly SourceConfig[]): DedupConfig | undefined {
  const seconds = (min: number, floor: string) => (text: string, what: string): number => {
    const value = Math.round(parseDuration(text, what) / 1000);
    if (value < min) throw new InputError(`${what} must be at least ${min}s`, undefined, floor);
    return value;
  };
  const ttl = at.pick(flags.dedupTtl, '--dedup-ttl', file.dedup?.ttl, ['dedup', 'ttl'], seconds(10, 'Consul accepts session TTLs from 10s'));
  const lockDelay = at.pick(flags.dedupLockDelay, '--dedup-lock-delay', file.dedup?.lock_delay, ['dedup', 'lock_delay'], seconds(0, 'Consul accepts lock delays from 0s'));
  if (!(flags.dedup ?? file.dedup?.enabled ?? false)) return undefined;
  if (!sources.some((s) => s.scheme === 'consul')) {
    throw new InputError('--dedup needs a Consul source (it runs on Consul sessions, locks and KV)', undefined, 'add --source consul://HOST:PORT, or drop --dedup');
  }
  const prefix = flags.dedupPrefix ?? file.dedup?.prefix ?? 'ctmpl/dedup/';
  return { prefix: prefix.endsWith('/') ? prefix : `${prefix}/`, sessionTtlSeconds: ttl ?? 15, lockDelaySeconds: lockDelay ?? 15 };
}

/** Sources named for relaxed validation must exist (a typo would silently keep the rules on). */
function relaxedSourcesFrom(flags: FlagValues, file: ConfigFile, at: SettingOrigins, sources: readonly SourceConfig[]): string[] {
  const check = (name: string, what: string): string => {
    if (!sources.some((s) => s.name === name)) throw new InputError(`${what} "${name}" names no configured source`, undefined, `configured sources: ${sources.map((s) => s.name).join(', ')}`);
    return name;
  };
  return [
    ...(file.relaxed_validation ?? []).map((name, i) => at.key(['relaxed_validation', i], (what) => check(name, what))),
    ...(flags.relaxedValidation ?? []).map((name) => check(name, '--relaxed-validation')),
  ];
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
function guardSettingsFrom(flags: FlagValues, file: ConfigFile, at: SettingOrigins): GuardSettings {
  const flap = at.pick(flags.flap, '--flap', file.flap, ['flap'], (v, name) => ({ damping: parseFlap(v, name) })) ?? { damping: parseFlap(DEFAULT_FLAP, 'the default flap') };
  const dampedWaitMs = at.pick(flags.flapWait, '--flap-wait', file.flap_wait, ['flap_wait'], parseDuration) ?? flap.damping?.windowMs;
  const percent = (v: string | number, name: string): { pct: number | undefined } => ({ pct: parsePercent(v, name) });
  const maxRemoval = at.pick(flags.maxRemoval, '--max-removal', file.max_removal, ['max_removal'], percent);
  const services: Record<string, ServiceGuardSettings> = {};
  for (const [name, own] of Object.entries(file.services ?? {})) {
    const pct = own.max_removal === undefined ? undefined : at.key(['services', name, 'max_removal'], (what) => percent(own.max_removal as string | number, what));
    services[name] = {
      ...(pct === undefined ? {} : { maxRemovalPct: pct.pct ?? null }),
      ...(own.allow_empty === undefined ? {} : { allowEmpty: own.allow_empty }),
    };
  }
  const cidrs = [
    ...(file.allow?.cidrs ?? []).map((cidr, i) => at.key(['allow', 'cidrs', i], (what) => (parseCidr(cidr, what), cidr))),
    ...(flags.allowCidr ?? []).map((cidr) => (parseCidr(cidr, '--allow-cidr'), cidr)),
  ];
  return {
    allowlist: { cidrs, tags: [...(file.allow?.tags ?? []), ...(flags.allowTag ?? [])], dcs: [...(file.allow?.dcs ?? []), ...(flags.allowDc ?? [])] },
    maxRemovalPct: maxRemoval === undefined ? DEFAULT_MAX_REMOVAL_PCT : maxRemoval.pct,
    holdMaxMs: at.pick(flags.holdMax, '--hold-max', file.hold_max, ['hold_max'], parseDuration) ?? DEFAULT_HOLD_MAX_MS,
    flap: flap.damping && dampedWaitMs !== undefined ? { ...flap.damping, dampedWaitMs } : undefined,
    services,
  };
}

/**
 * Paths that must exist, checked after everything else parses (so a config that is wrong in
 * several ways reports its settings first); each check names its flag or key.
 */
type PathCheck = () => Promise<void>;

/** Consul flags win over the config file's `consul` block; the environment fills the rest. */
function consulSettingsFrom(flags: ConsulFlagValues, file: NonNullable<ConfigFile['consul']>, fileDir: string, cwd: string, at: SettingOrigins, checks: PathCheck[] | undefined): ConsulOverrides {
  const duration = (flagValue: string | undefined, flag: string, fileValue: string | undefined, key: string): number | undefined =>
    at.pick(flagValue, flag, fileValue, ['consul', key], parseDuration);
  /** A path from a flag (against the working directory) or the file (against its directory). */
  const path = (flagValue: string | undefined, fileValue: string | undefined): string | undefined =>
    flagValue !== undefined ? resolve(cwd, flagValue) : fileValue !== undefined ? resolve(fileDir, fileValue) : undefined;
  /** Such a path, checked (when Consul is in use) against the flag or key that gave it. */
  const checked = (flagValue: string | undefined, flag: string, fileValue: string | undefined, key: KeyPath, check: (full: string, name: string) => Promise<void>): string | undefined => {
    const full = path(flagValue, fileValue);
    if (full !== undefined && checks !== undefined) checks.push(at.later(flagValue !== undefined ? flag : ['consul', ...key], (name) => check(full, name)));
    return full;
  };
  const existingFile = (describe: string) => (full: string, name: string): Promise<void> => requireFile(full, name, describe);
  // The token file is read as well: an empty one is reported against its setting too. Sources
  // read it again on start and SIGHUP.
  const tokenFile = checked(flags.tokenFile, '--consul-token-file', file.token_file, ['token_file'], async (full, name) => {
    await requireFile(full, name, 'the Consul token file');
    readTokenFile(full);
  });
  const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return defined({
    address: at.pick(flags.addr, '--consul-addr', file.address, ['consul', 'address'], (v, name) => (parseAddress(v, false, name), v)),
    token: flags.token ?? file.token,
    tokenFile,
    ssl: flags.ssl ?? file.ssl?.enabled,
    caCert: checked(flags.caCert, '--consul-ca-cert', file.ssl?.ca_cert, ['ssl', 'ca_cert'], existingFile('the Consul CA certificate')),
    caPath: checked(flags.caPath, '--consul-ca-path', file.ssl?.ca_path, ['ssl', 'ca_path'], (full, name) => requireDirectory(full, name, 'the Consul CA directory')),
    clientCert: checked(flags.clientCert, '--consul-client-cert', file.ssl?.cert, ['ssl', 'cert'], existingFile('the Consul client certificate')),
    clientKey: checked(flags.clientKey, '--consul-client-key', file.ssl?.key, ['ssl', 'key'], existingFile('the Consul client key')),
    serverName: flags.tlsServerName ?? file.ssl?.server_name,
    sslVerify: flags.sslVerify ?? file.ssl?.verify,
    maxStaleMs: duration(flags.maxStale, '--max-stale', file.max_stale, 'max_stale'),
    blockWaitMs: duration(flags.blockQueryWait, '--block-query-wait', file.block_query_wait, 'block_query_wait'),
    consistent: flags.consistent ?? file.consistent,
    cached: flags.cached ?? file.cached,
    minIntervalMs: duration(flags.minInterval, '--consul-min-interval', file.min_interval, 'min_interval'),
  });
}

/** Sources from the config file (paths against its directory) and from flags, named and checked. */
function sourcesFrom(flags: FlagValues, file: ConfigFile, fileDir: string, cwd: string, at: SettingOrigins): { parsed: ParsedSource; origin: Origin }[] {
  const fromFile = Array.isArray(file.sources)
    ? file.sources.map((spec, i) => ({ parsed: at.key(['sources', i], (what) => parseSourceSpec(spec, fileDir, what)), origin: ['sources', i] as KeyPath }))
    : Object.entries(file.sources ?? {}).map(([name, uri]) => ({
        parsed: { ...at.key(['sources', name], (what) => parseSourceSpec(uri, fileDir, what)), name, explicitName: true },
        origin: ['sources', name] as KeyPath,
      }));
  const fromFlags = flags.source.map((spec) => {
    const flag = `--source "${redactCredentials(spec)}"`;
    return { parsed: parseSourceSpec(spec, cwd, flag), origin: flag };
  });
  // No source given: Consul, as consul-template (CONSUL_HTTP_ADDR or 127.0.0.1:8500).
  const all = fromFile.length + fromFlags.length > 0 ? [...fromFile, ...fromFlags] : [{ parsed: parseSourceSpec('consul:', cwd, 'default source'), origin: 'default source' }];
  const placed = (origin: Origin) => (err: InputError): unknown => (typeof origin === 'string' ? err : at.placeAtKey(err, origin));
  nameSources(all.map(({ parsed, origin }) => ({ source: parsed, fail: placed(origin) })));
  return all;
}

/** Templates from the config file, then from flags; their paths are queued for checking. */
function templatesFrom(flags: FlagValues, file: ConfigFile, fileDir: string, cwd: string, at: SettingOrigins, checks: PathCheck[]): { config: TemplateConfig; origin: Origin }[] {
  const globalCheck = flags.check ?? file.check;
  const globalWriteMode = flags.writeMode ?? file.write_mode;
  const globalSandbox = flags.sandboxPath !== undefined ? resolve(cwd, flags.sandboxPath) : file.sandbox_path !== undefined ? resolve(fileDir, file.sandbox_path) : undefined;
  if (globalSandbox !== undefined) {
    checks.push(at.later(flags.sandboxPath !== undefined ? '--sandbox-path' : ['sandbox_path'], (name) => requireDirectory(globalSandbox, name, 'the sandbox directory')));
  }
  const fromFile = (file.templates ?? []).map((t, index): { config: TemplateConfig; origin: Origin } => {
    const key = (name: string): KeyPath => ['templates', index, name];
    const source = resolve(fileDir, t.source);
    checks.push(at.later(key('source'), (name) => requireFile(source, name, 'the template')));
    const ownSandbox = t.sandbox_path === undefined ? undefined : resolve(fileDir, t.sandbox_path);
    if (ownSandbox !== undefined) checks.push(at.later(key('sandbox_path'), (name) => requireDirectory(ownSandbox, name, 'the sandbox directory')));
    const config: TemplateConfig = {
      source,
      destination: resolve(fileDir, t.destination),
      command: t.command,
      wait: t.wait === undefined ? undefined : at.key(key('wait'), (name) => parseWait(t.wait as string, name)),
      perms: parsePerms(t.perms),
      backup: t.backup ?? false,
      sandbox: ownSandbox ?? globalSandbox ?? dirname(source),
      check: t.check ?? globalCheck,
      writeMode: t.write_mode ?? globalWriteMode,
      uid: t.user === undefined ? undefined : at.key(key('user'), () => resolveUser(String(t.user))),
      gid: t.group === undefined ? undefined : at.key(key('group'), () => resolveGroup(String(t.group))),
    };
    return { config, origin: key('destination') };
  });
  const fromFlags = flags.template.map((spec): { config: TemplateConfig; origin: Origin } => {
    const flag = `--template "${spec}"`;
    const parsed = parseTemplateSpec(spec, cwd);
    checks.push(at.later(flag, (name) => requireFile(parsed.source, name, 'the template')));
    return { config: { ...parsed, wait: undefined, perms: undefined, backup: false, sandbox: globalSandbox ?? dirname(parsed.source), check: globalCheck, writeMode: globalWriteMode }, origin: flag };
  });
  return [...fromFile, ...fromFlags];
}

export interface LoadOptions {
  /**
   * Collects the paths that do not exist instead of stopping at the first (`ctmpl validate`
   * reports every problem); other problems still throw.
   */
  pathProblems?: InputError[];
}

/**
 * Merges the config file (paths relative to its directory) with flags (paths relative to the
 * working directory). Single settings from flags override the file; templates and sources from
 * flags are added to the file's, as consul-template merges its configs. Every error names the
 * flag, or the key with its file:line:column.
 */
export async function loadConfig(flags: FlagValues, cwd: string = process.cwd(), options: LoadOptions = {}): Promise<Config> {
  let file: ConfigFile = {};
  let fileDir = cwd;
  let data: DataFile | undefined;
  if (flags.config !== undefined) {
    const configPath = resolve(cwd, flags.config);
    data = await readDataFile(configPath, 'config file');
    file = validateDataFile(data, configFileSchema, 'see "Config file" in the README for the keys');
    fileDir = dirname(configPath);
  }
  const at = new SettingOrigins(data);
  const checks: PathCheck[] = [];

  const parsedSources = sourcesFrom(flags, file, fileDir, cwd, at);
  const usesConsul = parsedSources.some(({ parsed }) => parsed.scheme === 'consul');
  const consulOverrides = consulSettingsFrom(flags.consul ?? {}, file.consul ?? {}, fileDir, cwd, at, usesConsul ? checks : undefined);
  const sources: SourceConfig[] = parsedSources.map(({ parsed: { explicitName: _explicit, ...source }, origin }) => {
    const check = (run: (name: string) => Promise<void>): void => void checks.push(at.later(origin, run));
    if (source.scheme === 'file') check((name) => requireFile(source.target, name, 'the catalog file'));
    // Credentials files are read now as well: a SIGHUP with an unreadable one is then refused
    // while the running sources stay connected, instead of stopping them and failing to restart.
    const { etcd, zookeeper } = source;
    if (etcd !== undefined) {
      check(async () => void readEtcdPassword(etcd));
      for (const [option, path] of Object.entries(etcd.tls)) if (path !== undefined) check((name) => requireFile(path, name, `the etcd ${option} file`));
    }
    if (zookeeper !== undefined) check(async () => void readZooKeeperAuth(zookeeper));
    return source.scheme === 'consul' ? { ...source, consul: resolveConsulSettings({ ...consulOverrides, ...(source.target ? { address: source.target } : {}) }) } : source;
  });

  const templates = templatesFrom(flags, file, fileDir, cwd, at, checks);
  if (templates.length === 0) {
    throw new InputError('no template given', undefined, 'add -t SOURCE:DESTINATION[:COMMAND], or a templates list in --config');
  }
  const destinations = new Set<string>();
  for (const { config, origin } of templates) {
    if (destinations.has(config.destination)) {
      throw at.place(new InputError(`two templates write ${config.destination}`, undefined, 'give each template its own destination'), origin);
    }
    destinations.add(config.destination);
  }

  const commandTimeoutMs = at.pick(flags.commandTimeout, '--command-timeout', file.command_timeout, ['command_timeout'], positiveDuration) ?? DEFAULT_COMMAND_TIMEOUT_MS;
  if (flags.once && (flags.exec ?? file.exec) !== undefined) {
    throw new InputError(`${flags.exec !== undefined ? '--exec' : 'exec (in the config file)'} cannot be combined with --once`, undefined, 'exec mode supervises a long-running child; drop --once, or use -c for a one-off command');
  }
  const config: Config = {
    sources,
    templates: templates.map(({ config: t }) => t),
    command: flags.command ?? file.command,
    commandTimeoutMs,
    wait: at.pick(flags.wait, '--wait', file.wait, ['wait'], parseWait) ?? DEFAULT_WAIT,
    once: flags.once,
    dry: flags.dry,
    logLevel: flags.logLevel ?? file.log_level ?? 'info',
    logFormat: flags.logFormat ?? file.log_format,
    relaxedSources: relaxedSourcesFrom(flags, file, at, sources),
    envAllow: flags.envAllow !== undefined && flags.envAllow.length > 0 ? flags.envAllow : file.env_allow,
    listen: at.pick(flags.listen, '--listen', file.listen, ['listen'], parseListen),
    healthFailingAfterMs: at.pick(flags.healthFailingAfter, '--health-failing-after', file.health_failing_after, ['health_failing_after'], parseDuration) ?? 60_000,
    guards: guardSettingsFrom(flags, file, at),
    minReloadIntervalMs: at.pick(flags.minReloadInterval, '--min-reload-interval', file.min_reload_interval, ['min_reload_interval'], parseDuration) ?? 0,
    exec: execSettingsFrom(flags, file, at),
    dedup: dedupSettingsFrom(flags, file, at, sources),
    splayMs: at.pick(flags.splay, '--splay', file.splay, ['splay'], parseDuration) ?? 0,
  };
  for (const check of checks) {
    try {
      await check();
    } catch (err) {
      if (options.pathProblems === undefined || !(err instanceof InputError)) throw err;
      options.pathProblems.push(err);
    }
  }
  return config;
}
