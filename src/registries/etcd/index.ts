import type { FileCheck, RegistryDefinition } from '../definition.js';
import { describeEtcd, parseEtcdUri, readEtcdPassword, type EtcdSettings } from './settings.js';

/** etcd v3: `etcd[+https]://[user@]HOST:PORT[,HOST:PORT…]/PREFIX[?options]`. */
export const etcdRegistry: RegistryDefinition<EtcdSettings> = {
  name: 'etcd',
  schemes: ['etcd', 'etcd+https'],
  syntax: 'etcd://HOST:PORT[,…]/PREFIX',
  capabilities: { services: true, listing: true, keys: true, dottedNames: false, queryOptions: [], nodes: false },
  parse: (uri, { baseDir, what, env }) => parseEtcdUri(uri.scheme, uri.rest, baseDir, what, env),
  files(settings) {
    // The password is read now as well: a SIGHUP with an unreadable one is refused while the
    // running sources stay connected.
    const checks: FileCheck[] = [{ kind: 'secret', read: () => void readEtcdPassword(settings) }];
    for (const [option, path] of Object.entries(settings.tls)) if (path !== undefined) checks.push({ kind: 'file', path, describe: `the etcd ${option} file` });
    return checks;
  },
  describe: describeEtcd,
  async create(name, settings) {
    const { EtcdSource } = await import('./source.js');
    return new EtcdSource(name, settings);
  },
};
