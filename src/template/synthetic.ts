import { makeInstance } from '../catalog/instance.js';
import type { Dependency, DependencyValue, NodeInfo, NodeService } from '../catalog/types.js';
import { errorMessage } from '../errors.js';
import { ROOT_TAG, type CompiledTemplate } from './engine.js';
import { MissingFieldError } from './parse.js';
import type { RenderInputs } from './render-context.js';

/**
 * `ctmpl validate` renders every template against a made-up catalog, in strict mode, so a typo
 * (`{{Adress}}`) is caught before deploy with its file:line:col rather than rendering as empty
 * text in production. Every service has one instance with every field set; maps (Meta, NodeMeta,
 * TaggedAddresses) answer any key, since real data may well have it; every key exists.
 */

/** Made-up catalog objects say what they are: a field missing on one is a template's mistake. */
const SYNTHETIC_TAG = 'catalog data';
const tagged = <T extends object>(value: T): T => Object.defineProperty(value, Symbol.toStringTag, { value: SYNTHETIC_TAG });

/**
 * A map that has every key: a template reading `Meta.version` is not wrong for it. (Handlebars
 * reads own properties only, hence the descriptor trap; the target stays extensible for it.)
 */
function anyKeyMap<T>(value: (key: string) => T): Readonly<Record<string, T>> {
  const has = (key: string | symbol): boolean => typeof key === 'string';
  return new Proxy({} as Record<string, T>, {
    has: (_target, key) => has(key),
    get: (_target, key) => (typeof key === 'string' ? value(key) : undefined),
    getOwnPropertyDescriptor: (_target, key) => (typeof key === 'string' ? { value: value(key), enumerable: false, configurable: true, writable: false } : undefined),
  });
}

function syntheticAnswer(dep: Dependency): DependencyValue {
  switch (dep.kind) {
    case 'service':
      return [
        tagged({
          ...makeInstance({
            ID: `${dep.name}-1`,
            Name: dep.name,
            Node: 'node-1',
            NodeID: '00000000-0000-0000-0000-000000000001',
            Address: '192.0.2.10',
            Port: '8080',
            Tags: ['synthetic'],
            Status: 'passing',
            Datacenter: dep.dc ?? 'dc1',
            Source: dep.source,
          }),
          Meta: anyKeyMap((key) => `meta-${key}`),
          ServiceMeta: anyKeyMap((key) => `meta-${key}`),
          NodeMeta: anyKeyMap((key) => `node-meta-${key}`),
          TaggedAddresses: anyKeyMap(() => tagged({ Address: '192.0.2.10', Port: '8080' })),
          ServiceTaggedAddresses: anyKeyMap(() => tagged({ Address: '192.0.2.10', Port: '8080' })),
          NodeTaggedAddresses: anyKeyMap(() => '192.0.2.10'),
        }),
      ];
    case 'services':
      return [tagged({ Name: 'synthetic', Tags: ['synthetic'] })];
    case 'key':
      return 'synthetic';
    case 'keys':
      return [tagged({ Key: `${dep.prefix.replace(/\/?$/, '/')}synthetic`.replace(/^\//, ''), Value: 'synthetic' })];
    case 'node':
      return tagged({ Node: syntheticNode(dep.name ?? 'node-1', dep.dc), Services: [tagged<NodeService>({ ID: 'web-1', Service: 'web', Tags: ['synthetic'], Meta: anyKeyMap((key) => `meta-${key}`), Port: '8080', Address: '', EnableTagOverride: 'false' })] });
    case 'nodes':
      return [syntheticNode('node-1', dep.dc)];
    case 'datacenters':
      return ['dc1'];
  }
}

function syntheticNode(name: string, dc: string | undefined): NodeInfo {
  return tagged({ ID: '00000000-0000-0000-0000-000000000001', Node: name, Address: '192.0.2.10', Datacenter: dc ?? 'dc1', TaggedAddresses: anyKeyMap(() => '192.0.2.10'), Meta: anyKeyMap((key) => `node-meta-${key}`) });
}

export interface SyntheticCheck {
  /** Missing fields (and other errors strict mode raises), each with file:line:col. */
  readonly errors: readonly string[];
  /**
   * Where the made-up data itself stopped the render (a helper refusing `synthetic` as JSON, say):
   * the rest of the template could not be checked. Not an error of the template.
   */
  readonly notes: readonly string[];
}

/** A field missing at the top of a template or on catalog data is a mistake; on other data (parsed JSON…) it may not be. */
const mistaken = (err: unknown): err is MissingFieldError => err instanceof MissingFieldError && [`[object ${ROOT_TAG}]`, `[object ${SYNTHETIC_TAG}]`].includes(err.on);

/** Renders `template` strictly against the synthetic catalog until every dependency has an answer. */
export function checkWithSyntheticCatalog(template: CompiledTemplate, base: Omit<RenderInputs, 'lookup'>): SyntheticCheck {
  const data = new Map<string, DependencyValue>();
  const inputs: RenderInputs = { ...base, lookup: (id) => data.get(id) };
  for (let pass = 0; pass < 20; pass += 1) {
    let context;
    try {
      context = template.render(inputs, true).context;
    } catch (err) {
      return mistaken(err) ? { errors: [err.message], notes: [] } : { errors: [], notes: [`${template.path}: checked up to where the made-up catalog stopped it: ${errorMessage(err)}`] };
    }
    const missing = [...context.used].filter(([id]) => !data.has(id));
    if (missing.length === 0) return { errors: [], notes: [] };
    for (const [id, dep] of missing) data.set(id, syntheticAnswer(dep));
  }
  return { errors: [], notes: [`${template.path}: the template kept asking for new data; checked partly`] };
}
