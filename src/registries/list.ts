import type { SourceConfig } from '../config/schema.js';
import { ConsulSource } from './consul/source.js';
import { DnsSource } from './dns/source.js';
import { EtcdSource } from './etcd/source.js';
import { FileSource } from './file/source.js';
import { ZooKeeperSource } from './zookeeper/source.js';
import type { Source } from './old-source.js';

export interface SourceFactoryOptions {
  /** Whether sources keep watching for changes (false in --once). */
  watch: boolean;
}

/** Builds the reader for one configured source. */
export function createSource(config: SourceConfig, options: SourceFactoryOptions): Source {
  switch (config.scheme) {
    case 'file':
      return new FileSource(config.name, config.target, { watch: options.watch });
    case 'consul':
      if (!config.consul) throw new Error(`Consul source "${config.name}" has no connection settings`);
      return new ConsulSource(config.name, config.consul);
    case 'etcd':
      if (!config.etcd) throw new Error(`etcd source "${config.name}" has no settings`);
      return new EtcdSource(config.name, config.etcd);
    case 'zk':
      if (!config.zookeeper) throw new Error(`ZooKeeper source "${config.name}" has no settings`);
      return new ZooKeeperSource(config.name, config.zookeeper);
    case 'dns':
      if (!config.dns) throw new Error(`DNS source "${config.name}" has no settings`);
      return new DnsSource(config.name, config.dns);
    default:
      // loadConfig only lets known schemes through; this guards a new scheme added there alone.
      throw new Error(`no reader for source scheme "${config.scheme}"`);
  }
}
