import type { RegistryDefinition } from '../definition.js';
import { describeNacos, NACOS_SYNTAX, parseNacosUri, readNacosPassword, type NacosSettings } from './settings.js';

export type { NacosSettings } from './settings.js';

/**
 * Nacos (2.x over gRPC with push, 1.x or a gRPC-less network over the HTTP open API, polled).
 * Everything gRPC loads only when a Nacos source is created.
 */
export const nacosRegistry: RegistryDefinition<NacosSettings> = {
  name: 'nacos',
  schemes: ['nacos'],
  syntax: NACOS_SYNTAX,
  capabilities: {
    services: true,
    listing: true,
    // Nacos's config center is not read.
    keys: false,
    // Dubbo registers `providers:com.example.Greeter::` and the like.
    dottedNames: true,
    queryOptions: [],
    nodes: false,
  },
  parse: (uri, context) => parseNacosUri(uri.rest, context.baseDir, context.what),
  files: (settings) => (settings.auth ? [{ kind: 'secret', read: () => void readNacosPassword(settings) }] : []),
  describe: describeNacos,
  async create(name, settings) {
    const { NacosSource } = await import('./source.js');
    return new NacosSource(name, settings);
  },
};
