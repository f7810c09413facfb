import { InputError } from '../../errors.js';
import { readSecretFile } from '../../util/secret-file.js';

/**
 * How to reach Consul, with Consul's own names. Precedence: flags, then the config file's
 * `consul` block, then the CONSUL_HTTP_* environment variables, then defaults.
 */
export interface ConsulSettings {
  /** host:port (or a unix socket path when `scheme` is unix). */
  readonly address: string;
  readonly scheme: 'http' | 'https' | 'unix';
  readonly token: string | undefined;
  /** Read at start and on SIGHUP; wins over `token`, as CONSUL_HTTP_TOKEN_FILE does. */
  readonly tokenFile: string | undefined;
  /** user:password for HTTP basic auth (CONSUL_HTTP_AUTH). */
  readonly auth: string | undefined;
  readonly tls: {
    readonly caCert: string | undefined;
    readonly caPath: string | undefined;
    readonly clientCert: string | undefined;
    readonly clientKey: string | undefined;
    readonly serverName: string | undefined;
    readonly verify: boolean;
  };
  /** Blocking query wait sent to Consul (`?wait=`). */
  readonly blockWaitMs: number;
  /** Stale reads allowed up to this lag; 0 turns stale reads off. */
  readonly maxStaleMs: number;
  /** Consistent reads (`?consistent`): every read goes through the leader. */
  readonly consistent: boolean;
  /** Health reads through the agent's cache (`?cached`): far less load on the servers. */
  readonly cached: boolean;
  /** Least time between two requests of one query (a rate limit for very large watch sets). */
  readonly minIntervalMs: number;
  readonly retry: ConsulRetry;
}

/**
 * consul-template's `consul { retry { } }`. The backoff applies whenever a query fails; the number
 * of attempts only in --once, which then gives up and exits 1. The daemon never gives up: it keeps
 * retrying at the longest backoff and serves the last good data meanwhile.
 */
export interface ConsulRetry {
  /** false: --once gives up at the first failure. */
  readonly enabled: boolean;
  /** Retries after the first failure before --once gives up; 0 = never give up. */
  readonly attempts: number;
  /** First wait after a failure, doubling per failure (unset: the watch's default, 250ms). */
  readonly backoffMs?: number;
  /** Longest wait (unset: the watch's default, 1m). */
  readonly maxBackoffMs?: number;
}

/** consul-template's defaults (config/retry.go). */
export const DEFAULT_RETRY_ATTEMPTS = 12;

/** What flags or the config file said; undefined means "not given". */
export interface ConsulOverrides {
  address?: string;
  token?: string;
  tokenFile?: string;
  auth?: string;
  ssl?: boolean;
  caCert?: string;
  caPath?: string;
  clientCert?: string;
  clientKey?: string;
  serverName?: string;
  sslVerify?: boolean;
  blockWaitMs?: number;
  maxStaleMs?: number;
  consistent?: boolean;
  cached?: boolean;
  minIntervalMs?: number;
  retryEnabled?: boolean;
  retryAttempts?: number;
  retryBackoffMs?: number;
  retryMaxBackoffMs?: number;
}

export const DEFAULT_CONSUL_ADDRESS = '127.0.0.1:8500';
const DEFAULT_BLOCK_WAIT_MS = 60_000;
const DEFAULT_MAX_STALE_MS = 2_000;

function envBool(name: string, env: NodeJS.ProcessEnv): boolean | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (/^(1|t|true|yes)$/i.test(value)) return true;
  if (/^(0|f|false|no)$/i.test(value)) return false;
  throw new InputError(`${name}="${value}" is not a boolean`, undefined, `set ${name} to true or false`);
}

function envText(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Splits an address that may carry a scheme (`https://consul:8501`, `unix:///run/consul.sock`).
 * `what` names where the address came from (a flag, a config key, CONSUL_HTTP_ADDR).
 */
export function parseAddress(raw: string, sslDefault: boolean, what = 'Consul address'): { scheme: ConsulSettings['scheme']; address: string } {
  // user:password@host would put a password in every error and log line that shows the address;
  // Consul takes basic auth from CONSUL_HTTP_AUTH instead. The value is never echoed.
  if (raw.includes('@')) {
    throw new InputError(`${what}: credentials in the address are not accepted`, undefined, 'give the address as host:port and the user:password in CONSUL_HTTP_AUTH (the value is not shown here)');
  }
  const match = /^([a-z][a-z+]*):\/\/(.*)$/i.exec(raw.trim());
  const scheme = (match?.[1] ?? (sslDefault ? 'https' : 'http')).toLowerCase();
  const rest = (match?.[2] ?? raw.trim()).replace(/\/+$/, '');
  if (scheme !== 'http' && scheme !== 'https' && scheme !== 'unix') {
    throw new InputError(`${what} "${raw}": unknown scheme "${scheme}"`, undefined, 'use host:port, http://host:port, https://host:port or unix:///path/to/socket');
  }
  if (rest === '') throw new InputError(`${what} "${raw}" has no host`, undefined, 'for example 127.0.0.1:8500');
  if (scheme !== 'unix' && !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+)(:\d{1,5})?$/.test(rest)) {
    throw new InputError(`${what} "${raw}" is not host:port`, undefined, 'for example 127.0.0.1:8500 or https://consul.service:8501');
  }
  const address = scheme === 'unix' || /:\d+$/.test(rest) ? rest : `${rest}:${scheme === 'https' ? 8501 : 8500}`;
  return { scheme, address };
}

/** Merges overrides with the CONSUL_HTTP_* environment. */
export function resolveConsulSettings(over: ConsulOverrides, env: NodeJS.ProcessEnv = process.env): ConsulSettings {
  const ssl = over.ssl ?? envBool('CONSUL_HTTP_SSL', env) ?? false;
  const envAddress = envText('CONSUL_HTTP_ADDR', env);
  const { scheme, address } =
    over.address !== undefined ? parseAddress(over.address, ssl) : envAddress !== undefined ? parseAddress(envAddress, ssl, 'CONSUL_HTTP_ADDR') : parseAddress(DEFAULT_CONSUL_ADDRESS, ssl);
  // '' is auth turned off by the config (`auth { enabled = false }`), which overrides the environment.
  const auth = over.auth === '' ? undefined : (over.auth ?? envText('CONSUL_HTTP_AUTH', env));
  if (over.auth === undefined && auth !== undefined && !auth.includes(':')) {
    throw new InputError('CONSUL_HTTP_AUTH must be user:password', undefined, 'set it as user:password (the value is not shown here)');
  }
  return {
    scheme,
    address,
    token: over.token ?? envText('CONSUL_HTTP_TOKEN', env),
    tokenFile: over.tokenFile ?? envText('CONSUL_HTTP_TOKEN_FILE', env),
    auth,
    tls: {
      caCert: over.caCert ?? envText('CONSUL_CACERT', env),
      caPath: over.caPath ?? envText('CONSUL_CAPATH', env),
      clientCert: over.clientCert ?? envText('CONSUL_CLIENT_CERT', env),
      clientKey: over.clientKey ?? envText('CONSUL_CLIENT_KEY', env),
      serverName: over.serverName ?? envText('CONSUL_TLS_SERVER_NAME', env),
      verify: over.sslVerify ?? envBool('CONSUL_HTTP_SSL_VERIFY', env) ?? true,
    },
    blockWaitMs: over.blockWaitMs ?? DEFAULT_BLOCK_WAIT_MS,
    maxStaleMs: over.maxStaleMs ?? DEFAULT_MAX_STALE_MS,
    consistent: over.consistent ?? false,
    cached: over.cached ?? false,
    minIntervalMs: over.minIntervalMs ?? 100,
    retry: {
      enabled: over.retryEnabled ?? true,
      attempts: over.retryAttempts ?? DEFAULT_RETRY_ATTEMPTS,
      ...(over.retryBackoffMs !== undefined ? { backoffMs: over.retryBackoffMs } : {}),
      ...(over.retryMaxBackoffMs !== undefined ? { maxBackoffMs: over.retryMaxBackoffMs } : {}),
    },
  };
}

/**
 * The token to send: the token file's content when a file is set (re-read on every start, so
 * SIGHUP picks up a rotated token), else the token. Errors never contain the token.
 */
export function readToken(settings: ConsulSettings): string | undefined {
  return settings.tokenFile === undefined ? settings.token : readTokenFile(settings.tokenFile);
}

/** A token file's content, trimmed; an unreadable or empty file is an InputError that shows no content. */
export function readTokenFile(path: string): string {
  return readSecretFile(path, 'Consul token', 'check CONSUL_HTTP_TOKEN_FILE / --consul-token-file', { trim: 'whitespace' });
}

/** A description for logs: scheme and address only, never credentials. */
export function describeConsul(settings: ConsulSettings): string {
  return `consul+${settings.scheme}://${settings.address}`;
}
