import { InputError } from '../../errors.js';
import type { RegistryDefinition } from '../definition.js';
import { consulBlock } from './shared.js';
import { describeConsul, parseAddress, type ConsulSettings } from './settings.js';

/**
 * Consul: `consul:` (the address from the `consul` block, CONSUL_HTTP_ADDR or 127.0.0.1:8500),
 * `consul://HOST:PORT`, `consul+https://HOST:PORT`. Connection, ACL and TLS settings are shared by
 * every Consul source (the `consul` block and the --consul-* flags).
 */
export const consulRegistry: RegistryDefinition<ConsulSettings, ConsulSettings> = {
  name: 'consul',
  schemes: ['consul', 'consul+http', 'consul+https'],
  syntax: 'consul://HOST:PORT',
  capabilities: { services: true, listing: true, keys: true, dottedNames: false, queryOptions: ['near', 'filter', 'nodeMeta'], nodes: true },
  shared: consulBlock,
  parse(uri, { what, shared }) {
    const address = uri.rest.replace(/^\/\//, '').replace(/\/+$/, '');
    if (address === '') return shared;
    const scheme = uri.scheme === 'consul+https' ? 'https' : 'http';
    if (address.includes('/')) throw new InputError(`${what}: a Consul source is consul://HOST:PORT (no path)`, undefined, 'for example consul://127.0.0.1:8500');
    return { ...shared, ...parseAddress(`${scheme}://${address}`, false, what) };
  },
  describe: describeConsul,
  async create(name, settings, { watch }) {
    const [{ ConsulSource }, { DEFAULT_TIMING }] = await Promise.all([import('./source.js'), import('./watch.js')]);
    // --once (watch false) gives up after consul-template's retry attempts; the daemon never does.
    return new ConsulSource(name, settings, DEFAULT_TIMING, !watch);
  },
  async dedup(settings, options, log) {
    const [{ DedupHub }, { ConsulClient }, { readToken }] = await Promise.all([import('./dedup/hub.js'), import('./client.js'), import('./settings.js')]);
    return new DedupHub(new ConsulClient(settings, readToken(settings)), { ...options, blockWaitMs: settings.blockWaitMs }, log);
  },
};
