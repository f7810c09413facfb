import type { RegistryDefinition } from '../definition.js';
import { describeDns, parseDnsUri, type DnsSettings } from './settings.js';

/** DNS SRV: `dns:` (the system resolver) or `dns://SERVER[:PORT][?min_ttl=…&max_ttl=…&timeout=…]`. */
export const dnsRegistry: RegistryDefinition<DnsSettings> = {
  name: 'dns',
  schemes: ['dns'],
  syntax: 'dns:[//SERVER:PORT]',
  capabilities: { services: true, listing: false, keys: false, dottedNames: true, queryOptions: [], nodes: false },
  parse: (uri, { what }) => parseDnsUri(uri.rest, what),
  describe: describeDns,
  async create(name, settings) {
    const { DnsSource } = await import('./source.js');
    return new DnsSource(name, settings);
  },
};
