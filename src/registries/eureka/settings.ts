import { InputError } from '../../errors.js';
import { readSecretFile } from '../../util/secret-file.js';
import { durationOption, parseRegistryUri, pathOption } from '../uri.js';

/**
 * What a `(service "NAME")` names: an application (Eureka's `app`, matched without regard to case
 * as Eureka does), or a VIP address (`vipAddress`) or secure VIP address (`secureVipAddress`),
 * which several applications may share and an instance may list several of (comma-separated).
 */
export type EurekaNames = 'app' | 'vip' | 'secure_vip';

/** How to reach a Eureka server (or a peer group of them) and how often to ask it. */
export interface EurekaSettings {
  /** host:port of each server of the peer group, in the order given; the first is asked first. */
  readonly hosts: readonly string[];
  /** `eureka+https://`: TLS to every server. */
  readonly tls: boolean;
  /** The path Eureka's REST API lives under, with a leading "/" and no trailing one (`/eureka`). */
  readonly context: string;
  /**
   * HTTP basic authentication: the user, and the file holding its password. The password is
   * never part of the settings: it is read from the file when the source starts (so a rotated
   * password is picked up on SIGHUP).
   */
  readonly auth?: { readonly user: string; readonly passwordFile: string };
  /** PEM file of the CA that signed the servers' certificates (else Node's CAs). */
  readonly caFile?: string;
  /** Time between two delta fetches (Eureka clients' registryFetchIntervalSeconds, 30 s). */
  readonly intervalMs: number;
  /** One request's deadline, answer and body included. */
  readonly timeoutMs: number;
  readonly names: EurekaNames;
}

const OPTIONS = ['password_file', 'ca_file', 'interval', 'timeout', 'names'] as const;
export const EUREKA_SCHEMES = ['eureka', 'eureka+http', 'eureka+https'] as const;
/**
 * In full: `eureka[+https]://[USER@]HOST:PORT[,HOST:PORT…][/CONTEXT][?password_file=PATH&ca_file=PATH
 * &interval=30s&timeout=10s&names=app|vip|secure_vip]` (README.md).
 */
export const EUREKA_SYNTAX = 'eureka[+https]://[USER@]HOST:PORT[,…][/CONTEXT]';
const EXAMPLE = 'eureka://127.0.0.1:8761 or eureka://eu1:8761,eu2:8761/eureka?interval=30s';
const NAMES: readonly EurekaNames[] = ['app', 'vip', 'secure_vip'];
/** Eureka's default port (Spring Cloud's server). */
const DEFAULT_PORT = 8761;
const MIN_INTERVAL_MS = 1000;

/**
 * `eureka[+http|+https]://[user@]host:port[,host:port…][/CONTEXT][?options]` (see EUREKA_SYNTAX).
 * The context defaults to `/eureka` (Spring Cloud's server). A user means HTTP basic
 * authentication, with the password read from password_file (resolved against `baseDir`); the
 * two go together.
 */
export function parseEurekaUri(scheme: string, rest: string, baseDir: string, what: string): EurekaSettings {
  const uri = parseRegistryUri(rest, what, EXAMPLE, OPTIONS, DEFAULT_PORT);
  if (uri.hosts.length === 0) throw new InputError(`${what}: no Eureka server`, undefined, `for example ${EXAMPLE}`);
  const path = uri.path.replace(/\/+$/, '');
  // "eureka://user:pw/x@host" parses as server "user:pw" and path "x@host": a misplaced password.
  if (path.includes('@')) throw new InputError(`${what}: the context path holds an "@"`, undefined, 'put only a user name before "@", never a password: password_file=PATH');
  if (path !== '' && !/^[A-Za-z0-9_.~-]+(\/[A-Za-z0-9_.~-]+)*$/.test(path)) {
    throw new InputError(`${what}: the context path is not a plain path`, undefined, 'leave it out (Spring Cloud serves /eureka) or give the path of the REST API, for example eureka://h:8761/eureka/v2');
  }
  const passwordFile = pathOption(uri, 'password_file', baseDir);
  if (uri.user !== undefined && passwordFile === undefined) {
    throw new InputError(`${what}: Eureka user "${uri.user}" has no password`, undefined, `add password_file=PATH (a file holding the password) to the URI, for example eureka://${uri.user}@eu1:8761?password_file=/etc/ctmpl/eureka.pw`);
  }
  if (uri.user === undefined && passwordFile !== undefined) {
    throw new InputError(`${what}: password_file is given but no user`, undefined, 'put the user name before the servers, for example eureka://ctmpl@eu1:8761?password_file=/etc/ctmpl/eureka.pw');
  }
  const tls = scheme === 'eureka+https';
  const caFile = pathOption(uri, 'ca_file', baseDir);
  if (caFile !== undefined && !tls) throw new InputError(`${what}: ca_file is given but the scheme is not eureka+https`, undefined, 'use eureka+https://… to reach the servers over TLS');
  const intervalMs = durationOption(uri, 'interval', 30_000, what);
  if (intervalMs < MIN_INTERVAL_MS) throw new InputError(`${what}: interval must be at least 1s`, undefined, 'Eureka clients ask every 30s; for example interval=30s');
  const timeoutMs = durationOption(uri, 'timeout', 10_000, what);
  if (timeoutMs < 100) throw new InputError(`${what}: timeout must be at least 100ms`, undefined, 'for example timeout=10s');
  const namesText = uri.options.get('names') ?? 'app';
  if (!(NAMES as readonly string[]).includes(namesText)) {
    throw new InputError(`${what}: names="${namesText.slice(0, 20)}" is not one of ${NAMES.join(', ')}`, undefined, 'app: service names are applications; vip or secure_vip: they are VIP addresses');
  }
  return {
    hosts: uri.hosts,
    tls,
    context: path === '' ? '/eureka' : `/${path}`,
    ...(uri.user !== undefined && passwordFile !== undefined ? { auth: { user: uri.user, passwordFile } } : {}),
    ...(caFile !== undefined ? { caFile } : {}),
    intervalMs,
    timeoutMs,
    names: namesText as EurekaNames,
  };
}

/** The password of the settings' user, read from its file now; undefined without authentication. */
export function readEurekaPassword(settings: EurekaSettings): string | undefined {
  if (settings.auth === undefined) return undefined;
  return readSecretFile(settings.auth.passwordFile, 'Eureka password', 'check password_file= in the Eureka source URI');
}

/** For logs and /status: scheme, user, servers and context, never the password. */
export function describeEureka(settings: EurekaSettings): string {
  const user = settings.auth ? `${settings.auth.user}@` : '';
  const names = settings.names === 'app' ? '' : `?names=${settings.names}`;
  return `${settings.tls ? 'eureka+https' : 'eureka'}://${user}${settings.hosts.join(',')}${settings.context}${names}`;
}
