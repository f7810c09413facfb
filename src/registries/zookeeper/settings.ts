import { InputError } from '../../errors.js';
import { readSecretFile } from '../../util/secret-file.js';
import { durationOption, parseRegistryUri, pathOption } from '../uri.js';
import type { ZkDigestAuth } from './client.js';

/** How to reach ZooKeeper and where the registry's services live. */
export interface ZooKeeperSettings {
  /** host:port, in the order given. */
  readonly hosts: readonly string[];
  /** Absolute path of the registry root (`/services`, `/dubbo`), without a trailing "/". */
  readonly root: string;
  /** Session timeout asked of the server (it may grant another within its min/max). */
  readonly sessionTimeoutMs: number;
  /** Not connected after this long: reported as a problem (the client keeps trying). */
  readonly connectTimeoutMs: number;
  /**
   * Digest authentication: the user, and the file holding its password. The password itself is
   * never part of the settings: it is read from the file for each new session, so a rotated
   * password is picked up on SIGHUP or when a session expires.
   */
  readonly digest?: { readonly user: string; readonly passwordFile: string };
}

const OPTIONS = ['password_file', 'session_timeout', 'connect_timeout'] as const;
const EXAMPLE = 'zk://127.0.0.1:2181/services (Curator) or zk://zk1:2181,zk2:2181/dubbo (Dubbo)';

/**
 * `zk://[user@]host:port[,host:port…]/ROOT[?password_file=PATH&session_timeout=30s&connect_timeout=10s]`.
 * A user means digest authentication, with the password read from password_file (resolved against
 * `baseDir`, the directory the URI was written in); the two go together.
 */
export function parseZooKeeperUri(rest: string, baseDir: string, what: string): ZooKeeperSettings {
  const uri = parseRegistryUri(rest, what, EXAMPLE, OPTIONS, 2181);
  if (uri.hosts.length === 0) throw new InputError(`${what}: no ZooKeeper server`, undefined, `for example ${EXAMPLE}`);
  const root = `/${uri.path.replace(/\/+$/, '')}`;
  if (root === '/' || root.includes('//')) throw new InputError(`${what}: no registry root path`, undefined, `for example ${EXAMPLE}`);
  // "zk://user:12/ab@host/root" parses as server "user:12" and root "/ab@host/root": a misplaced
  // password, never a registry root. Refused without showing the root.
  if (root.includes('@')) throw new InputError(`${what}: the registry root path holds an "@"`, undefined, 'put only a user name before "@", never a password: password_file=PATH');
  const passwordFile = pathOption(uri, 'password_file', baseDir);
  if (uri.user !== undefined && passwordFile === undefined) {
    throw new InputError(`${what}: ZooKeeper user "${uri.user}" has no password`, undefined, `add password_file=PATH (a file holding the password) to the URI, for example zk://${uri.user}@zk1:2181/dubbo?password_file=/etc/ctmpl/zk.pw`);
  }
  if (uri.user === undefined && passwordFile !== undefined) {
    throw new InputError(`${what}: password_file is given but no user`, undefined, 'put the user name before the servers, for example zk://ctmpl@zk1:2181/dubbo?password_file=/etc/ctmpl/zk.pw');
  }
  return {
    hosts: uri.hosts,
    root,
    sessionTimeoutMs: durationOption(uri, 'session_timeout', 30_000, what),
    connectTimeoutMs: durationOption(uri, 'connect_timeout', 10_000, what),
    ...(uri.user !== undefined && passwordFile !== undefined ? { digest: { user: uri.user, passwordFile } } : {}),
  };
}

/**
 * The credentials for a new session, read from the password file now (trailing newline removed),
 * or undefined without digest authentication. An unreadable file is an InputError that names the
 * file, never what it holds.
 */
export function readZooKeeperAuth(settings: ZooKeeperSettings): ZkDigestAuth | undefined {
  if (settings.digest === undefined) return undefined;
  const { user, passwordFile } = settings.digest;
  return { user, password: readSecretFile(passwordFile, 'ZooKeeper password', 'check password_file= in the ZooKeeper source URI') };
}

/** For logs and /status: servers, root and user, never the password. */
export function describeZooKeeper(settings: ZooKeeperSettings): string {
  return `zk://${settings.digest ? `${settings.digest.user}@` : ''}${settings.hosts.join(',')}${settings.root}`;
}
