import type { RegistryDefinition } from '../../src/registries/definition.js';
import { DEFAULT_SOURCE_URI, REGISTRIES } from '../../src/registries/list.js';
import { banner, code, page, table } from './markdown.js';

/** The page of a registry in docs/registries/ (the reference test checks that it exists). */
export const registryPage = (registry: RegistryDefinition): string => `registries/${registry.name}.md`;

const yes = (value: boolean): string => (value ? 'yes' : '—');

export function registriesPage(): string {
  return page([
    banner('Registries', ['the registry list (src/registries/list.ts) and each registry\'s definition']),
    [
      'The registries this version reads, as `--source [NAME=]URI` or an entry of `sources:` takes them.',
      `Without any source, ctmpl reads ${code(DEFAULT_SOURCE_URI)} (Consul at CONSUL_HTTP_ADDR, else 127.0.0.1:8500).`,
      'How several sources combine: [registries/index.md](../registries/index.md).',
    ].join('\n'),
    table(
      ['Registry', 'URI', 'Schemes', '`service`', '`services`', '`key` `ls` `tree`', 'Whole-name services', 'Own `service` options'],
      REGISTRIES.map((r) => [
        `[${r.name}](../${registryPage(r)})`,
        code(r.syntax),
        r.schemes.map(code).join(', '),
        yes(r.capabilities.services),
        yes(r.capabilities.listing),
        yes(r.capabilities.keys),
        yes(r.capabilities.dottedNames),
        r.capabilities.queryOptions.length === 0 ? '—' : r.capabilities.queryOptions.map((o) => code(`${o}=`)).join(', '),
      ]),
    ),
    [
      '*Whole-name services*: service names may hold dots (`com.example.Greeter`, `_http._tcp.web.example`),',
      'so the whole string is the name and a tag is given with `tag=` only. *Own `service` options*: hash',
      'arguments of `(service …)` the registry evaluates itself; elsewhere they are a render error.',
    ].join('\n'),
  ]);
}
