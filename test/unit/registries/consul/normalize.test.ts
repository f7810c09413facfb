import { describe, expect, it } from 'vitest';
import { aggregateStatus, ConsulDataError, instancesFromHealth, keyPairs, keyValue, servicesFromCatalog } from '../../../../src/registries/consul/normalize.js';

const entry = (id: string, node: string, checks: { Status: string; CheckID?: string }[], extra: Record<string, unknown> = {}) => ({
  Node: { Node: node, Address: `10.0.0.${node.slice(1)}`, Datacenter: 'dc1' },
  Service: { ID: id, Service: 'web', Address: '', Port: 8080, Tags: ['v1'], Meta: { weight: '5' }, ...extra },
  Checks: checks.map((c) => ({ CheckID: c.CheckID ?? 'serfHealth', Status: c.Status })),
});

describe('Consul reply normalization', () => {
  it.each([
    [[{ Status: 'passing' }, { Status: 'passing' }], 'passing'],
    [[{ Status: 'passing' }, { Status: 'warning' }], 'warning'],
    [[{ Status: 'warning' }, { Status: 'critical' }], 'critical'],
    [[{ Status: 'critical' }, { Status: 'passing', CheckID: '_service_maintenance:web-1' }], 'maintenance'],
    [[{ Status: 'critical', CheckID: '_node_maintenance' }], 'maintenance'],
    [[], 'passing'],
  ])('aggregates %j as %s', (checks, expected) => {
    expect(aggregateStatus(checks)).toBe(expected);
  });

  it("uses the node's address when the service has none, and strings for numbers", () => {
    const [inst] = instancesFromHealth([entry('web-1', 'n1', [{ Status: 'passing' }])], ['passing'], 'consul', 'dc1');
    const serfHealth = { Node: '', CheckID: 'serfHealth', Name: '', Status: 'passing', Notes: '', Output: '', ServiceID: '', ServiceName: '', ServiceTags: [], Type: '' };
    expect(inst).toEqual({
      ID: 'web-1',
      Name: 'web',
      Node: 'n1',
      NodeID: '',
      NodeAddress: '10.0.0.1',
      NodeDatacenter: 'dc1',
      NodeMeta: {},
      NodeTaggedAddresses: {},
      Address: '10.0.0.1',
      Port: '8080',
      Tags: ['v1'],
      Meta: { weight: '5' },
      ServiceMeta: { weight: '5' },
      TaggedAddresses: {},
      Weights: { Passing: '1', Warning: '1' },
      Checks: [serfHealth],
      Status: 'passing',
      Datacenter: 'dc1',
      Source: 'consul',
    });
  });

  it("keeps the service's own address when it has one", () => {
    const [inst] = instancesFromHealth([entry('web-1', 'n1', [], { Address: '192.168.9.9' })], 'any', 'consul', 'dc1');
    expect(inst?.Address).toBe('192.168.9.9');
  });

  it('filters on the aggregated status and sorts by node then id', () => {
    const body = [
      entry('b', 'n2', [{ Status: 'passing' }]),
      entry('a', 'n2', [{ Status: 'warning' }]),
      entry('c', 'n1', [{ Status: 'critical' }]),
      entry('d', 'n1', [{ Status: 'passing' }]),
    ];
    expect(instancesFromHealth(body, ['passing'], 'c', 'dc1').map((i) => i.ID)).toEqual(['d', 'b']);
    expect(instancesFromHealth(body, ['passing', 'warning'], 'c', 'dc1').map((i) => i.ID)).toEqual(['d', 'a', 'b']);
    expect(instancesFromHealth(body, 'any', 'c', 'dc1').map((i) => i.ID)).toEqual(['c', 'd', 'a', 'b']);
  });

  it('refuses a reply of the wrong shape instead of reading it as "no instances"', () => {
    expect(() => instancesFromHealth({ not: 'a list' }, 'any', 'c', 'dc1')).toThrow(ConsulDataError);
    expect(() => servicesFromCatalog([])).toThrow(ConsulDataError);
    expect(() => keyPairs({})).toThrow(ConsulDataError);
  });

  it('lists services sorted, with their tags sorted and unique', () => {
    expect(servicesFromCatalog({ web: ['v2', 'v1', 'v1'], consul: [], api: null })).toEqual([
      { Name: 'api', Tags: [] },
      { Name: 'consul', Tags: [] },
      { Name: 'web', Tags: ['v1', 'v2'] },
    ]);
  });

  it('reads a missing key as null, a folder key as "", and pairs sorted', () => {
    expect(keyValue(undefined)).toBeNull();
    expect(keyValue({ Key: 'a', Value: 'x' })).toBe('x');
    expect(keyValue({ Key: 'a/', Value: null })).toBe('');
    expect(keyPairs(undefined)).toEqual([]);
    expect(keyPairs([{ Key: 'b', Value: '2' }, { Key: 'a', Value: '1' }])).toEqual([
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '2' },
    ]);
  });
});
