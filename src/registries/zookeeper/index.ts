import type { RegistryDefinition } from '../definition.js';
import { describeZooKeeper, parseZooKeeperUri, readZooKeeperAuth, type ZooKeeperSettings } from './settings.js';

/** ZooKeeper (Curator service discovery and Dubbo layouts): `zk://[user@]HOST:PORT[,…]/ROOT[?options]`. */
export const zookeeperRegistry: RegistryDefinition<ZooKeeperSettings> = {
  name: 'zookeeper',
  schemes: ['zk'],
  syntax: 'zk://HOST:PORT[,…]/ROOT',
  capabilities: { services: true, listing: true, keys: false, dottedNames: true, queryOptions: [], nodes: false },
  parse: (uri, { baseDir, what }) => parseZooKeeperUri(uri.rest, baseDir, what),
  files: (settings) => [{ kind: 'secret', read: () => void readZooKeeperAuth(settings) }],
  describe: describeZooKeeper,
  async create(name, settings) {
    const { ZooKeeperSource } = await import('./source.js');
    return new ZooKeeperSource(name, settings);
  },
};
