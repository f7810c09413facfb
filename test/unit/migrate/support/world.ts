/**
 * The corpus's world (test/fixtures/migrate/world.json: the services and keys consul-template
 * rendered `rendered.txt` from) as a Consul source for ctmpl's real engine: converted templates
 * are compiled with `compileTemplate` and rendered with ctmpl's own helpers, the way the runner
 * does it (render, answer what the pass asked for, render again).
 */
import { readFileSync } from 'node:fs';
import { makeInstance, type InstanceFields } from '../../../../src/catalog/instance.js';
import { compareInstances, compareStrings } from '../../../../src/catalog/select.js';
import { deepFreeze, type Dependency, type DependencyValue, type Instance, type NodeInfo } from '../../../../src/catalog/types.js';
import { sourcesByName } from '../../../../src/registries/list.js';
import { compileTemplate } from '../../../../src/template/engine.js';
import type { RenderInputs } from '../../../../src/template/render-context.js';

export interface World {
  readonly Services: Readonly<Record<string, readonly Instance[]>>;
  readonly KV: Readonly<Record<string, string>>;
}

/** The environment both programs rendered with. */
export const ENV: Readonly<Record<string, string>> = { CT_ENV: 'prod', CT_EMPTY: '' };

/** The world as ctmpl's sources give instances: every field set, both names of meta and tagged addresses. */
export function loadWorld(path: string): World {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { Services: Record<string, InstanceFields[]>; KV: Record<string, string> };
  return { KV: raw.KV, Services: Object.fromEntries(Object.entries(raw.Services).map(([name, list]) => [name, list.map(makeInstance)])) };
}

const instances = (world: World): Instance[] => Object.values(world.Services).flat();

/** The catalog's nodes: one per node name, as every instance on it describes it. */
function nodesOf(world: World): NodeInfo[] {
  const byName = new Map<string, NodeInfo>();
  for (const i of instances(world)) {
    if (!byName.has(i.Node)) byName.set(i.Node, { ID: i.NodeID, Node: i.Node, Address: i.NodeAddress, Datacenter: i.Datacenter, TaggedAddresses: i.NodeTaggedAddresses, Meta: i.NodeMeta });
  }
  return [...byName.values()].sort((a, b) => compareStrings(a.Node, b.Node));
}

/** What a Consul source holding this world answers for one dependency. */
export function answer(world: World, dep: Dependency): DependencyValue {
  switch (dep.kind) {
    case 'service':
      return deepFreeze(
        (world.Services[dep.name] ?? [])
          .filter((i) => (dep.tag === undefined || i.Tags.includes(dep.tag)) && (dep.dc === undefined || i.Datacenter === dep.dc) && (dep.status === 'any' || dep.status.includes(i.Status)))
          .sort(compareInstances),
      );
    case 'services':
      return deepFreeze(
        Object.keys(world.Services)
          .sort(compareStrings)
          .map((Name) => ({ Name, Tags: [...new Set((world.Services[Name] ?? []).flatMap((i) => i.Tags))].sort(compareStrings) })),
      );
    case 'key':
      return Object.hasOwn(world.KV, dep.key) ? (world.KV[dep.key] as string) : null;
    case 'keys':
      return deepFreeze(
        Object.keys(world.KV)
          .filter((k) => k.startsWith(dep.prefix))
          .sort(compareStrings)
          .map((Key) => ({ Key, Value: world.KV[Key] as string })),
      );
    case 'nodes':
      return deepFreeze(nodesOf(world));
    case 'node': {
      const node = nodesOf(world).find((n) => n.Node === dep.name);
      if (!node) return null;
      const services = instances(world)
        .filter((i) => i.Node === node.Node)
        .map((i) => ({ ID: i.ID, Service: i.Name, Tags: i.Tags, Meta: i.Meta, Port: i.Port, Address: i.Address, EnableTagOverride: 'false' as const }));
      return deepFreeze({ Node: node, Services: services.sort((a, b) => compareStrings(a.Service, b.Service) || compareStrings(a.ID, b.ID)) });
    }
    case 'datacenters':
      return deepFreeze(['dc1']);
  }
}

function inputs(data: ReadonlyMap<string, DependencyValue>): RenderInputs {
  return {
    defaultSource: 'consul',
    sources: sourcesByName([['consul', 'consul']]),
    lookup: (id) => data.get(id),
    sandbox: '/nonexistent',
    env: ENV,
  };
}

/** Renders a converted template with ctmpl's engine against the world; throws if it stays incomplete. */
export function renderConverted(template: string, world: World): string {
  const compiled = compileTemplate('converted.hbs', template);
  const data = new Map<string, DependencyValue>();
  for (let pass = 1; pass <= 10; pass++) {
    const result = compiled.render(inputs(data));
    const missing = [...result.context.used].filter(([id]) => !data.has(id));
    if (missing.length === 0) {
      if (result.output === undefined) throw new Error(`the render waits for ${[...result.context.waiting].join(', ')}`);
      return result.output;
    }
    for (const [id, dep] of missing) data.set(id, answer(world, dep));
  }
  throw new Error('discovery did not converge');
}
