import { describe, expect, it } from 'vitest';
import { aggregateStatus, ConsulDataError, datacentersFromCatalog, instancesFromHealth, keyPairs, keyValue, nodeFromCatalog, nodesFromCatalog, servicesFromCatalog } from '../../../../src/registries/consul/normalize.js';

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
      ServiceTaggedAddresses: {},
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

  it('reads an instance registered without a port (Consul leaves Port out of its JSON) as port 0', () => {
    const [inst] = instancesFromHealth([entry('web-1', 'n1', [], { Port: undefined })], 'any', 'consul', 'dc1');
    expect(inst?.Port).toBe('0');
  });

  it("sorts each instance's tags as Go does, keeps weights as given, and gives TaggedAddresses under both names", () => {
    const [inst] = instancesFromHealth(
      [entry('web-1', 'n1', [], { Tags: ['😀', 'ｚ', 'urlprefix-/app strip=/app', 'a'], Weights: { Passing: 10, Warning: 3 }, TaggedAddresses: { wan: { Address: '1.2.3.4', Port: 80 } } })],
      'any',
      'consul',
      'dc1',
    );
    expect(inst?.Tags).toEqual(['a', 'urlprefix-/app strip=/app', 'ｚ', '😀']);
    expect(inst?.Weights).toEqual({ Passing: '10', Warning: '3' });
    expect(inst?.ServiceTaggedAddresses).toEqual({ wan: { Address: '1.2.3.4', Port: '80' } });
    expect(inst?.ServiceTaggedAddresses).toBe(inst?.TaggedAddresses);
  });

  it('gives instances without meta, tagged addresses, checks or custom weights one shared frozen value each, and the rest their own', () => {
    const bare = { Meta: null, TaggedAddresses: null, Weights: { Passing: 1, Warning: 1 } };
    const [a, b, c] = instancesFromHealth([entry('web-1', 'n1', [], bare), entry('web-2', 'n2', [], { ...bare, Meta: {} }), entry('web-3', 'n3', [{ Status: 'passing' }])], 'any', 'consul', 'dc1');
    for (const field of ['Meta', 'NodeMeta', 'TaggedAddresses', 'NodeTaggedAddresses', 'Weights', 'Checks'] as const) {
      expect(a?.[field], field).toBe(b?.[field]);
      expect(Object.isFrozen(a?.[field]), field).toBe(true);
    }
    expect(a?.Meta).toEqual({});
    expect(a?.Checks).toEqual([]);
    expect(a?.Weights).toEqual({ Passing: '1', Warning: '1' });
    expect(c?.Meta).toEqual({ weight: '5' });
    expect(c?.Checks).toHaveLength(1);
  });

  it('keeps Consul\'s round-trip order when the query asked near=', () => {
    const body = [entry('b', 'n2', []), entry('a', 'n1', [])];
    expect(instancesFromHealth(body, 'any', 'c', 'dc1', true).map((i) => i.ID)).toEqual(['b', 'a']);
    expect(instancesFromHealth(body, 'any', 'c', 'dc1').map((i) => i.ID)).toEqual(['a', 'b']);
  });
});

describe('Consul catalog nodes', () => {
  const nodeBody = (name: string, address: string) => ({ ID: `id-${name}`, Node: name, Address: address, Datacenter: 'dc1', TaggedAddresses: { lan: address }, Meta: { rack: 'r1' }, CreateIndex: 5 });

  it('reads a node and its services (keyed by ID in Consul), services sorted by name then ID, tags sorted, port 0 when left out', () => {
    const body = {
      Node: nodeBody('n1', '10.0.0.1'),
      Services: {
        'web-2': { ID: 'web-2', Service: 'web', Tags: ['b', 'a'], Meta: { v: '1' }, Port: 80, Address: '10.0.0.9', EnableTagOverride: true },
        'api-1': { ID: 'api-1', Service: 'api', Tags: [], Address: '' },
        'web-1': { ID: 'web-1', Service: 'web', Tags: null, Port: 81 },
      },
    };
    expect(nodeFromCatalog(body)).toEqual({
      Node: { ID: 'id-n1', Node: 'n1', Address: '10.0.0.1', Datacenter: 'dc1', TaggedAddresses: { lan: '10.0.0.1' }, Meta: { rack: 'r1' } },
      Services: [
        { ID: 'api-1', Service: 'api', Tags: [], Meta: {}, Port: '0', Address: '', EnableTagOverride: 'false' },
        { ID: 'web-1', Service: 'web', Tags: [], Meta: {}, Port: '81', Address: '', EnableTagOverride: 'false' },
        { ID: 'web-2', Service: 'web', Tags: ['a', 'b'], Meta: { v: '1' }, Port: '80', Address: '10.0.0.9', EnableTagOverride: 'true' },
      ],
    });
    expect(Object.isFrozen(nodeFromCatalog(body)?.Services)).toBe(true);
  });

  it('reads null (a node Consul does not know) as null, and refuses any other shape', () => {
    expect(nodeFromCatalog(null)).toBeNull();
    expect(() => nodeFromCatalog([])).toThrow(ConsulDataError);
    expect(() => nodeFromCatalog({ Services: {} })).toThrow(ConsulDataError);
  });

  it('lists nodes sorted by name then address, or in Consul\'s order when asked near=', () => {
    const body = [nodeBody('b', '10.0.0.2'), nodeBody('a', '10.0.0.9'), nodeBody('a', '10.0.0.1')];
    expect(nodesFromCatalog(body).map((n) => `${n.Node}/${n.Address}`)).toEqual(['a/10.0.0.1', 'a/10.0.0.9', 'b/10.0.0.2']);
    expect(nodesFromCatalog(body, true).map((n) => `${n.Node}/${n.Address}`)).toEqual(['b/10.0.0.2', 'a/10.0.0.9', 'a/10.0.0.1']);
    expect(nodesFromCatalog(body)[0]).toEqual({ ID: 'id-a', Node: 'a', Address: '10.0.0.1', Datacenter: 'dc1', TaggedAddresses: { lan: '10.0.0.1' }, Meta: { rack: 'r1' } });
    expect(() => nodesFromCatalog({})).toThrow(ConsulDataError);
  });

  it('sorts datacenter names (Consul lists them by round-trip time)', () => {
    expect(datacentersFromCatalog(['dc2', 'dc10', 'dc1'])).toEqual(['dc1', 'dc10', 'dc2']);
    expect(() => datacentersFromCatalog(null)).toThrow(ConsulDataError);
  });
});
