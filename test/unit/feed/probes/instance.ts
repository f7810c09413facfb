import type { HealthStatus, Instance } from '../../../../src/catalog/types.js';

/** An instance of service `name` at address:port, every other field empty (probes read only these). */
export function testInstance(id: string, address: string, port: string | number, status: HealthStatus = 'passing', name = 'web'): Instance {
  return {
    ID: id,
    Name: name,
    Node: address,
    NodeID: '',
    NodeAddress: address,
    NodeDatacenter: 'dc1',
    NodeMeta: {},
    NodeTaggedAddresses: {},
    Address: address,
    Port: String(port),
    Tags: [],
    Meta: {},
    ServiceMeta: {},
    TaggedAddresses: {},
    ServiceTaggedAddresses: {},
    Weights: { Passing: '1', Warning: '1' },
    Checks: [],
    Status: status,
    Datacenter: 'dc1',
    Source: 'file',
  };
}
