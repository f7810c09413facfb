import { describe, expect, it } from 'vitest';
import { instanceKey, makeInstance, metaText } from '../../../src/catalog/instance.js';

describe('makeInstance', () => {
  it("fills every field a template may read, with Consul's defaults", () => {
    expect(makeInstance({ ID: 'web-1', Name: 'web', Address: '10.0.0.1', Port: '80', Status: 'passing', Source: 'reg' })).toEqual({
      ID: 'web-1',
      Name: 'web',
      Node: '10.0.0.1',
      NodeID: '',
      NodeAddress: '10.0.0.1',
      NodeDatacenter: '',
      NodeMeta: {},
      NodeTaggedAddresses: {},
      Address: '10.0.0.1',
      Port: '80',
      Tags: [],
      Meta: {},
      ServiceMeta: {},
      TaggedAddresses: {},
      ServiceTaggedAddresses: {},
      Weights: { Passing: '1', Warning: '1' },
      Checks: [],
      Status: 'passing',
      Datacenter: '',
      Source: 'reg',
    });
  });

  it('takes the node and its datacenter from the instance unless given, and ServiceMeta is Meta', () => {
    const i = makeInstance({ ID: 'a', Name: 'web', Address: '10.0.0.1', Port: '80', Status: 'warning', Source: 'reg', Node: 'n1', NodeAddress: '10.1.0.1', Datacenter: 'dc2', Meta: { zone: 'a' } });
    expect(i).toMatchObject({ Node: 'n1', NodeAddress: '10.1.0.1', NodeDatacenter: 'dc2', Datacenter: 'dc2' });
    expect(i.ServiceMeta).toBe(i.Meta);
    expect(makeInstance({ ID: 'a', Name: 'web', Address: 'x', Port: '1', Status: 'passing', Source: 'r', Datacenter: 'dc2', NodeDatacenter: 'dc3' }).NodeDatacenter).toBe('dc3');
  });
});

describe('instanceKey', () => {
  it('identifies an instance by node and ID (IDs are unique per node only)', () => {
    const a = makeInstance({ ID: 'web-1', Name: 'web', Node: 'n1', Address: '10.0.0.1', Port: '80', Status: 'passing', Source: 'r' });
    const b = { ...a, Node: 'n2' };
    expect(instanceKey(a)).toBe('n1/web-1');
    expect(instanceKey(a)).not.toBe(instanceKey(b));
  });
});

describe('metaText', () => {
  it.each([
    ['text', 'text'],
    [8080, '8080'],
    [true, 'true'],
    [null, ''],
    [undefined, ''],
    [{ a: [1, 'b'] }, '{"a":[1,"b"]}'],
  ])('gives %j as %j', (value, text) => {
    expect(metaText(value)).toBe(text);
  });
});
