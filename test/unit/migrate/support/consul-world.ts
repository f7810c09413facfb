/**
 * The corpus's world (world.json) loaded into a real Consul, for the integration tests that render
 * the corpus with consul-template and ctmpl (test/integration/migrate-*.test.ts): each node with
 * its address and meta, each instance with its tags, meta, weights and one service check whose
 * status is the instance's, and every key.
 */
import type { ConsulAgent } from '../../../support/consul.js';
import type { World } from './world.js';

/** Registers the world through Consul's catalog and KV APIs (a dev agent applies each at once). */
export async function loadWorldIntoConsul(agent: ConsulAgent, world: World): Promise<void> {
  for (const [name, instances] of Object.entries(world.Services)) {
    for (const i of instances) {
      const tagged = Object.keys(i.ServiceTaggedAddresses).length > 0 ? { TaggedAddresses: Object.fromEntries(Object.entries(i.ServiceTaggedAddresses).map(([k, a]) => [k, { Address: a.Address, Port: Number(a.Port) }])) } : {};
      await agent.api('PUT', '/v1/catalog/register', {
        Node: i.Node,
        Address: i.NodeAddress,
        NodeMeta: i.NodeMeta,
        TaggedAddresses: i.NodeTaggedAddresses,
        Service: {
          ID: i.ID,
          Service: name,
          Tags: i.Tags,
          Address: i.Address,
          Port: Number(i.Port),
          Meta: i.ServiceMeta,
          Weights: { Passing: Number(i.Weights.Passing), Warning: Number(i.Weights.Warning) },
          ...tagged,
        },
        Checks: [{ Node: i.Node, CheckID: `service:${i.ID}`, Name: `${name} health`, Status: i.Status, ServiceID: i.ID }],
      });
    }
  }
  for (const [key, value] of Object.entries(world.KV)) await agent.api('PUT', `/v1/kv/${key}`, value);
}
