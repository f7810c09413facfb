import { describe, expect, it } from 'vitest';
import { makeInstance } from '../../../../src/catalog/instance.js';
import { parseEtcdInstance, splitServiceKey } from '../../../../src/registries/etcd/normalize.js';

const parse = (value: string) => parseEtcdInstance('web', 'i-1', value, 'etcd');

describe('etcd registry values', () => {
  it("reads etcd's endpoints-manager JSON: Addr, Metadata as Meta (a tags list as Tags)", () => {
    expect(parse('{"Addr":"10.0.0.1:8080","Metadata":{"zone":"z1","weight":5,"tags":["v1"]}}')).toEqual({
      ok: true,
      instance: makeInstance({ ID: 'i-1', Name: 'web', Node: '10.0.0.1', Address: '10.0.0.1', Port: '8080', Tags: ['v1'], Meta: { zone: 'z1', weight: '5' }, Status: 'passing', Datacenter: '', Source: 'etcd' }),
    });
  });

  it("reads ctmpl's own JSON with every value as a string", () => {
    expect(parse('{"Address":"web-1.internal","Port":"81","Tags":["a"],"Meta":{"n":1},"Status":"warning","Node":"n1","Datacenter":"dc2"}')).toEqual({
      ok: true,
      instance: makeInstance({ ID: 'i-1', Name: 'web', Node: 'n1', Address: 'web-1.internal', Port: '81', Tags: ['a'], Meta: { n: '1' }, Status: 'warning', Datacenter: 'dc2', Source: 'etcd' }),
    });
  });

  it('reads a plain host:port, IPv6 in brackets too', () => {
    expect(parse('10.0.0.3:80')).toMatchObject({ ok: true, instance: { Address: '10.0.0.3', Port: '80', Status: 'passing' } });
    expect(parse('[2001:db8::1]:443')).toMatchObject({ ok: true, instance: { Address: '2001:db8::1', Port: '443' } });
  });

  it.each([
    ['{"Address":"10.0.0.1","Port":0}', /not a port/],
    ['{"Address":"10.0.0.1","Port":70000}', /not a port/],
    ['{"Address":"10.0.0.1","Port":"80; rm -rf /"}', /not a port/],
    ['{"Address":"10.0.0.1 evil","Port":80}', /not an IP address or host name/],
    ['{"Address":"999.0.0.1","Port":80}', /not an IP address or host name/],
    ['{"Addr":"nohostport"}', /not host:port/],
    ['{"Address":"10.0.0.1","Port":80,"Status":"great"}', /Status/],
    ['{"Address":"10.0.0.1","Port":80,"Tags":"x"}', /Tags/],
    ['{"Address":', /not valid JSON/],
    ['[1,2]', /neither JSON nor host:port|not an object/],
    ['just text', /neither JSON nor host:port/],
  ])('skips %s with a reason', (value, reason) => {
    const parsed = parse(value);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('splits PREFIX/<service>/<instance-id>; other keys are not instances', () => {
    expect(splitServiceKey('services/', 'services/web/a')).toEqual({ service: 'web', id: 'a' });
    expect(splitServiceKey('services/', 'services/web/10.0.0.1:80')).toEqual({ service: 'web', id: '10.0.0.1:80' });
    expect(splitServiceKey('services/', 'services/web')).toBeUndefined();
    expect(splitServiceKey('services/', 'services/web/')).toBeUndefined();
    expect(splitServiceKey('services/', 'other/web/a')).toBeUndefined();
  });
});
