import { describe, expect, it } from 'vitest';
import { makeInstance } from '../../../../src/catalog/instance.js';
import { parseCurator, parseDubbo } from '../../../../src/registries/zookeeper/normalize.js';

const curator = (value: unknown) => parseCurator('web', 'node-id', Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), 'zk');

describe('Curator service instances', () => {
  it('reads address, port, id and an object payload as Meta (its tags as Tags)', () => {
    expect(curator({ name: 'web', id: 'abc', address: '10.0.0.1', port: 8080, sslPort: null, payload: { '@class': 'x.Y', zone: 'z1', tags: ['v1'] }, serviceType: 'DYNAMIC' })).toEqual({
      ok: true,
      instance: makeInstance({ ID: 'abc', Name: 'web', Node: '10.0.0.1', Address: '10.0.0.1', Port: '8080', Tags: ['v1'], Meta: { zone: 'z1', serviceType: 'DYNAMIC' }, Status: 'passing', Datacenter: '', Source: 'zk' }),
    });
  });

  it('uses sslPort when there is no port, and enabled=false as maintenance', () => {
    expect(curator({ address: 'h.internal', sslPort: 8443, enabled: false })).toMatchObject({ ok: true, instance: { ID: 'node-id', Port: '8443', Status: 'maintenance', Meta: { sslPort: '8443' } } });
  });

  it.each([
    ['not json', /not JSON/],
    ['[1]', /not a JSON object/],
    [{ address: '10.0.0.1', port: 0 }, /port 0 is not a port/],
    [{ address: '10.0.0.1; reboot', port: 80 }, /not an IP address or host name/],
    [{ port: 80 }, /address ""/],
  ])('skips %j', (value, reason) => {
    const parsed = curator(value);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe('Dubbo providers', () => {
  const node = (url: string): string => encodeURIComponent(url);

  it('reads the URL-encoded provider URL: host:port, protocol as tag, parameters as Meta', () => {
    expect(parseDubbo('com.example.Greeter', node('dubbo://10.0.0.1:20880/com.example.Greeter?version=1.0.0&side=provider'), 'zk')).toEqual({
      ok: true,
      instance: makeInstance({
        ID: '10.0.0.1:20880', Name: 'com.example.Greeter', Node: '10.0.0.1', Address: '10.0.0.1', Port: '20880', Tags: ['dubbo'],
        Meta: { protocol: 'dubbo', version: '1.0.0', side: 'provider' }, Status: 'passing', Datacenter: '', Source: 'zk',
      }),
    });
  });

  it('reads a disabled provider as maintenance', () => {
    expect(parseDubbo('g', node('tri://[2001:db8::1]:50051/g?disabled=true'), 'zk')).toMatchObject({ ok: true, instance: { Address: '2001:db8::1', Status: 'maintenance', Tags: ['tri'] } });
  });

  it.each([['%E0%A4%A'], [node('not a url')], [node('dubbo://10.0.0.1/x')], [node('dubbo://10.0.0.1:0/x')]])('skips %s', (child) => {
    expect(parseDubbo('g', child, 'zk').ok).toBe(false);
  });
});
