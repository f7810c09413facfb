import { readFileSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { readSecretFile } from '../../util/secret-file.js';
import { durationOption, parseRegistryUri, pathOption } from '../uri.js';

/** How to reach etcd and where its services live. */
export interface EtcdSettings {
  /** Client URLs (`http://host:port`), in the order given. */
  readonly endpoints: readonly string[];
  /** Key prefix of the service registry, ending in "/" (`services/`). */
  readonly prefix: string;
  readonly secure: boolean;
  readonly tls: { readonly caCert?: string; readonly cert?: string; readonly key?: string };
  readonly user: string | undefined;
  /** The password itself (from ETCDCTL_PASSWORD or ETCDCTL_USER=user:password)… */
  readonly password: string | undefined;
  /** …or a file holding it, read at each start. */
  readonly passwordFile: string | undefined;
  /** A call to etcd that takes longer than this fails (and is retried with backoff). */
  readonly timeoutMs: number;
}

const OPTIONS = ['cacert', 'cert', 'key', 'password_file', 'timeout'] as const;
const EXAMPLE = 'etcd://127.0.0.1:2379/services or etcd+https://etcd1:2379,etcd2:2379/services?cacert=ca.pem';

/**
 * `etcd://[user@]host:port[,host:port…]/PREFIX[?cacert=PATH&cert=PATH&key=PATH&password_file=PATH&timeout=5s]`;
 * `etcd+https://` (or any TLS option) turns TLS on. The PREFIX is the key prefix as written after
 * the first "/": `etcd://h:2379/services` watches `services/…`, `etcd://h:2379//services` watches
 * `/services/…`. ETCDCTL_USER (user or user:password) and ETCDCTL_PASSWORD are read as etcdctl does.
 */
export function parseEtcdUri(scheme: string, rest: string, baseDir: string, what: string, env: NodeJS.ProcessEnv = process.env): EtcdSettings {
  const uri = parseRegistryUri(rest, what, EXAMPLE, OPTIONS, 2379);
  if (uri.hosts.length === 0) throw new InputError(`${what}: no etcd endpoint`, undefined, `for example ${EXAMPLE}`);
  if (uri.path === '' || uri.path === '/') throw new InputError(`${what}: no key prefix for the service registry`, undefined, `for example ${EXAMPLE}`);
  const tls = { caCert: pathOption(uri, 'cacert', baseDir), cert: pathOption(uri, 'cert', baseDir), key: pathOption(uri, 'key', baseDir) };
  if ((tls.cert === undefined) !== (tls.key === undefined)) throw new InputError(`${what}: cert and key go together`, undefined, 'give both cert=PATH and key=PATH for a client certificate');
  const secure = scheme === 'etcd+https' || tls.caCert !== undefined || tls.cert !== undefined;
  const envUser = env.ETCDCTL_USER === undefined || env.ETCDCTL_USER === '' ? undefined : env.ETCDCTL_USER;
  const [envName, ...envPass] = envUser?.split(':') ?? [];
  const user = uri.user ?? envName;
  const passwordFile = pathOption(uri, 'password_file', baseDir);
  const password = passwordFile !== undefined ? undefined : envPass.length > 0 ? envPass.join(':') : env.ETCDCTL_PASSWORD || undefined;
  if (user !== undefined && password === undefined && passwordFile === undefined) {
    throw new InputError(`${what}: user "${user}" has no password`, undefined, 'add password_file=PATH to the URI, or set ETCDCTL_PASSWORD');
  }
  return {
    endpoints: uri.hosts.map((h) => `${secure ? 'https' : 'http'}://${h}`),
    prefix: uri.path.endsWith('/') ? uri.path : `${uri.path}/`,
    secure,
    tls: Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined)),
    user,
    password,
    passwordFile,
    timeoutMs: durationOption(uri, 'timeout', 5000, what),
  };
}

/** The password to log in with: the file's content when a file is set (read on every start). */
export function readEtcdPassword(settings: EtcdSettings): string | undefined {
  if (settings.passwordFile === undefined) return settings.password;
  return readSecretFile(settings.passwordFile, 'etcd password', 'check password_file= in the etcd source URI');
}

/** For logs: endpoints and prefix, never credentials. */
export function describeEtcd(settings: EtcdSettings): string {
  const hosts = settings.endpoints.map((e) => e.replace(/^https?:\/\//, '')).join(',');
  return `etcd${settings.secure ? '+https' : ''}://${settings.user ? `${settings.user}@` : ''}${hosts}/${settings.prefix.replace(/\/$/, '')}`;
}

export function readTlsFile(path: string | undefined, what: string): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new InputError(`cannot read the etcd ${what} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, path, 'check cacert= / cert= / key= in the etcd source URI');
  }
}
