import type { LogLevel } from '../observe/log.js';
import type { WriteMode } from '../output/write.js';

/** A flag that sets a key of a registry's block (`--consul-addr` → `consul.address`). */
export interface BlockFlagValue {
  /** The flag as the user typed it (for errors; `-consul-ssl-ca-cert (--consul-ca-cert)` for an alias). */
  readonly flag: string;
  readonly value: unknown;
}

/** What the command line said; undefined means "not given", so the config file or a default applies. */
export interface FlagValues {
  template: string[];
  source: string[];
  command?: string;
  once: boolean;
  dry: boolean;
  wait?: string;
  /** Config files or directories, in order (several only for consul-template's HCL). */
  config?: string | readonly string[];
  logLevel?: LogLevel;
  commandTimeout?: string;
  sandboxPath?: string;
  partials?: string;
  errorOnMissingKey?: boolean;
  flap?: string;
  flapWait?: string;
  maxRemoval?: string;
  holdMax?: string;
  splay?: string;
  reloadRetry?: string;
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
  execKillSignal?: string;
  killSignal?: string;
  reloadSignal?: string;
  pidFile?: string;
  listen?: string;
  healthFailingAfter?: string;
  healthGrace?: string;
  logFormat?: 'json' | 'pretty';
  relaxedValidation?: string[];
  envAllow?: string[];
  probe?: string[];
  probeConcurrency?: string;
  dedup?: boolean;
  dedupPrefix?: string;
  dedupTtl?: string;
  dedupLockDelay?: string;
  /** Flags of registry blocks: block key (`consul`) → key path inside it (`ssl.ca_cert`) → value. */
  blocks?: Readonly<Record<string, Readonly<Record<string, BlockFlagValue>>>>;
}
