import { z } from 'zod';
import type { WaitSpec } from './duration.js';
import type { ConsulSettings } from '../registries/consul/settings.js';
import type { EtcdSettings } from '../registries/etcd/settings.js';
import type { ZooKeeperSettings } from '../registries/zookeeper/settings.js';
import type { DnsSettings } from '../registries/dns/settings.js';
import type { GuardSettings } from '../feed/guards/guards.js';
import type { WriteMode } from '../output/write.js';
import { LOG_LEVELS, type LogLevel } from '../observe/log.js';

/** The config file as written by the operator (snake_case keys, as consul-template's HCL). */
const durationText = z.union([z.string().min(1), z.number().nonnegative()]).transform(String);
const nonEmpty = z.string().trim().min(1, 'must not be empty');

export const templateFileSchema = z.strictObject({
  source: nonEmpty,
  destination: nonEmpty,
  command: nonEmpty.optional(),
  wait: durationText.optional(),
  /** Octal mode as a string ("0640") or a number written in octal in YAML (0o640). */
  perms: z.union([z.string().regex(/^0?[0-7]{3,4}$/, 'must be an octal mode such as "0644"'), z.number().int().min(0).max(0o7777)]).optional(),
  backup: z.boolean().optional(),
  sandbox_path: nonEmpty.optional(),
  /** Validates the staged file before it replaces the destination; `{{staged}}` is its path. */
  check: nonEmpty.optional(),
  write_mode: z.enum(['atomic', 'in_place']).optional(),
  user: z.union([nonEmpty, z.number().int().nonnegative()]).optional(),
  group: z.union([nonEmpty, z.number().int().nonnegative()]).optional(),
});

/** consul-template's `consul { … }` block, with its key names. */
export const consulFileSchema = z.strictObject({
  address: nonEmpty.optional(),
  token: nonEmpty.optional(),
  token_file: nonEmpty.optional(),
  ssl: z
    .strictObject({
      enabled: z.boolean().optional(),
      verify: z.boolean().optional(),
      ca_cert: nonEmpty.optional(),
      ca_path: nonEmpty.optional(),
      cert: nonEmpty.optional(),
      key: nonEmpty.optional(),
      server_name: nonEmpty.optional(),
    })
    .optional(),
  max_stale: durationText.optional(),
  block_query_wait: durationText.optional(),
  consistent: z.boolean().optional(),
  cached: z.boolean().optional(),
  min_interval: durationText.optional(),
});

const percentOrOff = z.union([z.number().min(0).max(100), z.string().regex(/^(off|\d+(\.\d+)?%?)$/, 'must be a percentage such as 20 or "20%", or "off"')]);

export const configFileSchema = z.strictObject({
  // An empty list is a mistake, not "the default": without sources ctmpl would fall back to Consul.
  sources: z
    .union([
      z.array(nonEmpty).min(1, 'lists no source; remove the key to use the default (Consul), or add one such as file:catalog.yaml'),
      z
        .record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'source names use letters, digits, "-" and "_"'), nonEmpty)
        .refine((named) => Object.keys(named).length > 0, 'names no source; remove the key to use the default (Consul), or add one such as web: file:catalog.yaml'),
    ])
    .optional(),
  templates: z.array(templateFileSchema).min(1, 'lists no template; add one with source and destination').optional(),
  command: nonEmpty.optional(),
  command_timeout: durationText.optional(),
  wait: durationText.optional(),
  log_level: z.enum(LOG_LEVELS).optional(),
  log_format: z.enum(['json', 'pretty']).optional(),
  relaxed_validation: z.array(nonEmpty).optional(),
  env_allow: z.array(nonEmpty).optional(),
  listen: nonEmpty.optional(),
  health_failing_after: durationText.optional(),
  sandbox_path: nonEmpty.optional(),
  consul: consulFileSchema.optional(),
  check: nonEmpty.optional(),
  write_mode: z.enum(['atomic', 'in_place']).optional(),
  min_reload_interval: durationText.optional(),
  exec: z
    .strictObject({
      command: nonEmpty,
      reload_signal: nonEmpty.optional(),
      kill_timeout: durationText.optional(),
      splay: durationText.optional(),
      restart_backoff_max: durationText.optional(),
    })
    .optional(),
  dedup: z
    .strictObject({
      enabled: z.boolean().optional(),
      prefix: nonEmpty.optional(),
      ttl: durationText.optional(),
      lock_delay: durationText.optional(),
    })
    .optional(),
  flap: z.string().min(1).optional(),
  flap_wait: durationText.optional(),
  max_removal: percentOrOff.optional(),
  hold_max: durationText.optional(),
  splay: durationText.optional(),
  allow: z
    .strictObject({
      cidrs: z.array(nonEmpty).optional(),
      tags: z.array(nonEmpty).optional(),
      dcs: z.array(nonEmpty).optional(),
    })
    .optional(),
  /** Per-service guard settings, by service name. */
  services: z.record(z.string().min(1), z.strictObject({ max_removal: percentOrOff.optional(), allow_empty: z.boolean().optional() })).optional(),
});

export type ConfigFile = z.output<typeof configFileSchema>;

/** A resolved template: absolute paths, parsed durations and modes. */
export interface TemplateConfig {
  readonly source: string;
  readonly destination: string;
  readonly command: string | undefined;
  readonly wait: WaitSpec | undefined;
  readonly perms: number | undefined;
  readonly backup: boolean;
  /** Directory `file` may read from; defaults to the template's own directory. */
  readonly sandbox: string;
  /** Check command run on the staged file (this template's, else the global `--check`). */
  readonly check?: string | undefined;
  readonly writeMode?: WriteMode | undefined;
  readonly uid?: number | undefined;
  readonly gid?: number | undefined;
}

export interface DedupConfig {
  readonly prefix: string;
  readonly sessionTtlSeconds: number;
  readonly lockDelaySeconds: number;
}

/** Exec mode: ctmpl supervises one child (the docker-sidecar pattern). */
export interface ExecSettings {
  readonly command: string;
  /** Signal sent on change; undefined restarts the child instead. */
  readonly reloadSignal: NodeJS.Signals | undefined;
  readonly killTimeoutMs: number;
  /** Random delay up to this long before signalling the child. */
  readonly splayMs: number;
  /** Restart backoff after an unexpected exit: doubles from 1 s up to this. */
  readonly restartBackoffMaxMs: number;
}

export interface SourceConfig {
  readonly name: string;
  readonly scheme: string;
  /** For file sources an absolute path; for Consul the address given in the URI, or "". */
  readonly target: string;
  /** Connection settings of a Consul source. */
  readonly consul?: ConsulSettings;
  /** Settings of an etcd, ZooKeeper or DNS source (parsed from its URI). */
  readonly etcd?: EtcdSettings;
  readonly zookeeper?: ZooKeeperSettings;
  readonly dns?: DnsSettings;
}

/** Everything the runner needs, after flags, config file and defaults are merged. */
export interface Config {
  readonly sources: readonly SourceConfig[];
  readonly templates: readonly TemplateConfig[];
  readonly command: string | undefined;
  readonly commandTimeoutMs: number;
  readonly wait: WaitSpec;
  readonly once: boolean;
  readonly dry: boolean;
  readonly logLevel: LogLevel;
  /** json lines, or pretty for a person; default pretty on a terminal. */
  readonly logFormat?: 'json' | 'pretty' | undefined;
  /** host:port of the /metrics, /healthz and /status endpoint; off when undefined. */
  readonly listen?: { readonly host: string; readonly port: number } | undefined;
  /** A source failing longer than this makes /healthz unhealthy. */
  readonly healthFailingAfterMs?: number;
  readonly guards: GuardSettings;
  /** Sources whose data skips the catalog validation rules. */
  readonly relaxedSources?: readonly string[];
  /** When set, the `env` helper reads only these variables. */
  readonly envAllow?: readonly string[] | undefined;
  /** Random delay up to this long before each batch's commands (0: none). */
  readonly splayMs: number;
  /** Least time between two batches' commands; changes meanwhile join the next batch. */
  readonly minReloadIntervalMs?: number;
  readonly exec?: ExecSettings | undefined;
  /** Dedup mode: one leader per template set watches Consul and publishes for the others. */
  readonly dedup?: DedupConfig | undefined;
}

/** Defaults that protect a reload target: a burst of changes becomes one reload. */
export const DEFAULT_WAIT: WaitSpec = { minMs: 1000, maxMs: 5000 };
export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
/** Removal guard and flap damping defaults (see README "Protection"). */
export const DEFAULT_MAX_REMOVAL_PCT = 20;
export const DEFAULT_HOLD_MAX_MS = 5 * 60_000;
export const DEFAULT_FLAP = '5/30s';
