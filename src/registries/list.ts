import { InputError } from '../errors.js';
import { consulRegistry } from './consul/index.js';
import type { RegistryCapabilities, RegistryDefinition } from './definition.js';
import { dnsRegistry } from './dns/index.js';
import { etcdRegistry } from './etcd/index.js';
import { eurekaRegistry } from './eureka/index.js';
import { fileRegistry } from './file/index.js';
import { nacosRegistry } from './nacos/index.js';
import { zookeeperRegistry } from './zookeeper/index.js';

/**
 * The registries ctmpl reads. Adding one is its folder plus one line here; nothing else names a
 * registry. (Each definition module is light: the client libraries load only in `create`.)
 */
export const REGISTRIES: readonly RegistryDefinition[] = [fileRegistry, consulRegistry, etcdRegistry, zookeeperRegistry, dnsRegistry, eurekaRegistry, nacosRegistry];

/** The source used when none is given: Consul, as consul-template (CONSUL_HTTP_ADDR or 127.0.0.1:8500). */
export const DEFAULT_SOURCE_URI = 'consul:';

/** The registry that answers to a URI scheme (`consul+https`), if any. */
export function registryForScheme(scheme: string): RegistryDefinition | undefined {
  return REGISTRIES.find((r) => r.schemes.includes(scheme));
}

/** A configured source's registry, by the name the config recorded. */
export function registryNamed(name: string): RegistryDefinition {
  const registry = REGISTRIES.find((r) => r.name === name);
  if (!registry) throw new InputError(`no registry named "${name}"`, undefined, `known registries: ${REGISTRIES.map((r) => r.name).join(', ')}`);
  return registry;
}

/** The URI forms of every registry, for help texts and hints. */
export function registrySyntaxes(): string {
  return REGISTRIES.map((r) => r.syntax).join(', ');
}

/** Configured sources as templates see them: name → its registry's name and capabilities. */
export function sourcesByName(pairs: Iterable<readonly [name: string, registry: string]>): Map<string, { registry: string; capabilities: RegistryCapabilities }> {
  return new Map([...pairs].map(([name, registry]) => [name, { registry, capabilities: registryNamed(registry).capabilities }]));
}
