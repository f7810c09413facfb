import type { FileCheck, RegistryDefinition } from '../definition.js';
import { describeEureka, EUREKA_SCHEMES, EUREKA_SYNTAX, parseEurekaUri, readEurekaPassword, type EurekaSettings } from './settings.js';

export type { EurekaSettings } from './settings.js';

/**
 * Netflix Eureka (and Spring Cloud's Eureka server): `(service "NAME")` answers an application
 * (or a VIP address with `?names=vip`), `(services)` lists them. No keys, no nodes. See README.md.
 */
export const eurekaRegistry: RegistryDefinition<EurekaSettings> = {
  name: 'eureka',
  schemes: EUREKA_SCHEMES,
  syntax: EUREKA_SYNTAX,
  capabilities: {
    services: true,
    listing: true,
    keys: false,
    // Eureka names may hold dots (Spring's `orders.api` registers as ORDERS.API; VIP addresses
    // such as `web.example.net`), and Eureka has no tags of its own: the whole string is the name.
    dottedNames: true,
    queryOptions: [],
    nodes: false,
  },
  parse: (uri, { baseDir, what }) => parseEurekaUri(uri.scheme, uri.rest, baseDir, what),
  files(settings) {
    // The password is read now as well: a SIGHUP with an unreadable one is refused while the
    // running sources stay connected.
    const checks: FileCheck[] = [];
    if (settings.auth) checks.push({ kind: 'secret', read: () => void readEurekaPassword(settings) });
    if (settings.caFile !== undefined) checks.push({ kind: 'file', path: settings.caFile, describe: 'the Eureka CA certificate' });
    return checks;
  },
  describe: describeEureka,
  async create(name, settings) {
    const { EurekaSource } = await import('./source.js');
    return new EurekaSource(name, settings);
  },
};
