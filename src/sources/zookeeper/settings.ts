import { InputError } from '../../errors.js';
import { durationOption, parseRegistryUri } from '../uri.js';

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
}

const OPTIONS = ['session_timeout', 'connect_timeout'] as const;
const EXAMPLE = 'zk://127.0.0.1:2181/services (Curator) or zk://zk1:2181,zk2:2181/dubbo (Dubbo)';

/** `zk://host:port[,host:port…]/ROOT[?session_timeout=30s&connect_timeout=10s]`. */
export function parseZooKeeperUri(rest: string, what: string): ZooKeeperSettings {
  const uri = parseRegistryUri(rest, what, EXAMPLE, OPTIONS, 2181);
  if (uri.user !== undefined) throw new InputError(`${what}: ZooKeeper sources take no user`, undefined, `for example ${EXAMPLE}`);
  if (uri.hosts.length === 0) throw new InputError(`${what}: no ZooKeeper server`, undefined, `for example ${EXAMPLE}`);
  const root = `/${uri.path.replace(/\/+$/, '')}`;
  if (root === '/' || root.includes('//')) throw new InputError(`${what}: no registry root path`, undefined, `for example ${EXAMPLE}`);
  return {
    hosts: uri.hosts,
    root,
    sessionTimeoutMs: durationOption(uri, 'session_timeout', 30_000, what),
    connectTimeoutMs: durationOption(uri, 'connect_timeout', 10_000, what),
  };
}

export function describeZooKeeper(settings: ZooKeeperSettings): string {
  return `zk://${settings.hosts.join(',')}${settings.root}`;
}
