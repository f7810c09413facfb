import { describe, expect, it } from 'vitest';
import { parseServiceInfo } from '../../../../src/registries/nacos/messages.js';
import { groupedName, instancesOf, keyOfServiceInfo, serviceKeyOf } from '../../../../src/registries/nacos/normalize.js';

const WEB = { group: 'DEFAULT_GROUP', name: 'web' };

/** A ServiceInfo as Java Nacos 2.x sends it. */
function info(hosts: unknown[], extra: Record<string, unknown> = {}) {
  return parseServiceInfo({ name: 'web', groupName: 'DEFAULT_GROUP', clusters: '', cacheMillis: 10000, hosts, lastRefTime: 1, checksum: '', allIPs: false, reachProtectionThreshold: false, valid: true, ...extra }, 'web');
}

describe('service names', () => {
  it('reads a plain name in the source group and GROUP@@name in its own group', () => {
    expect(serviceKeyOf('web', 'DEFAULT_GROUP')).toEqual(WEB);
    expect(serviceKeyOf('ORDERS@@providers:com.example.Greeter::', 'DEFAULT_GROUP')).toEqual({ group: 'ORDERS', name: 'providers:com.example.Greeter::' });
    expect(serviceKeyOf('@@odd', 'G')).toEqual({ group: 'G', name: '@@odd' });
    expect(groupedName(WEB)).toBe('DEFAULT_GROUP@@web');
  });

  it('finds the service of a push whether its name is grouped or not', () => {
    expect(keyOfServiceInfo({ name: 'web', groupName: 'DEFAULT_GROUP' })).toEqual(WEB);
    expect(keyOfServiceInfo({ name: 'DEFAULT_GROUP@@web', groupName: null })).toEqual(WEB);
    expect(keyOfServiceInfo({ name: 'web' })).toBeUndefined();
  });
});

describe('Nacos instances as template instances', () => {
  it('maps every field (the table in README.md)', () => {
    const [instance] = instancesOf(
      info([
        {
          instanceId: '10.0.0.1#8080#SH#DEFAULT_GROUP@@web',
          ip: '10.0.0.1',
          port: 8080,
          weight: 2.5,
          healthy: true,
          enabled: true,
          ephemeral: true,
          clusterName: 'SH',
          serviceName: 'DEFAULT_GROUP@@web',
          metadata: { version: 'v2', tags: 'blue, canary,,blue', 'nacos.cluster': 'spoofed' },
        },
      ]),
      WEB,
      [],
      'nacos',
    );
    expect(instance).toEqual({
      ID: '10.0.0.1#8080#SH#DEFAULT_GROUP@@web',
      Name: 'web',
      Node: '10.0.0.1',
      NodeID: '',
      NodeAddress: '10.0.0.1',
      NodeDatacenter: 'SH',
      NodeMeta: {},
      NodeTaggedAddresses: {},
      Address: '10.0.0.1',
      Port: '8080',
      Tags: ['blue', 'canary'],
      Meta: { version: 'v2', tags: 'blue, canary,,blue', 'nacos.cluster': 'SH', 'nacos.group': 'DEFAULT_GROUP', 'nacos.ephemeral': 'true' },
      ServiceMeta: { version: 'v2', tags: 'blue, canary,,blue', 'nacos.cluster': 'SH', 'nacos.group': 'DEFAULT_GROUP', 'nacos.ephemeral': 'true' },
      TaggedAddresses: {},
      ServiceTaggedAddresses: {},
      Weights: { Passing: '2.5', Warning: '2.5' },
      Checks: [],
      Status: 'passing',
      Datacenter: 'SH',
      Source: 'nacos',
    });
  });

  it('reads healthy=false as critical and enabled=false as maintenance (whatever the health)', () => {
    const instances = instancesOf(
      info([
        { ip: '10.0.0.1', port: 1, healthy: false, enabled: true },
        { ip: '10.0.0.2', port: 1, healthy: true, enabled: false },
        { ip: '10.0.0.3', port: 1, healthy: false, enabled: false },
        { ip: '10.0.0.4', port: 1 },
      ]),
      WEB,
      [],
      'nacos',
    );
    expect(instances.map((i) => [i.Address, i.Status])).toEqual([
      ['10.0.0.1', 'critical'],
      ['10.0.0.2', 'maintenance'],
      ['10.0.0.3', 'maintenance'],
      ['10.0.0.4', 'passing'],
    ]);
  });

  it('builds the ID as Nacos does when the server sends none, and reads weights as text', () => {
    const instances = instancesOf(info([{ ip: '10.0.0.1', port: 80, weight: 1.0 }, { ip: '10.0.0.2', port: 80, weight: 0, clusterName: 'BJ' }, { ip: '10.0.0.3', port: 80, weight: -1 }]), WEB, [], 'n');
    expect(instances.map((i) => i.ID)).toEqual(['10.0.0.1#80#DEFAULT#DEFAULT_GROUP@@web', '10.0.0.2#80#BJ#DEFAULT_GROUP@@web', '10.0.0.3#80#DEFAULT#DEFAULT_GROUP@@web']);
    expect(instances.map((i) => i.Weights.Passing)).toEqual(['1', '0', '1']);
  });

  it('marks every instance of an answer given under the protection threshold (statuses stay as Nacos sent them)', () => {
    const instances = instancesOf(info([{ ip: '10.0.0.1', port: 80, healthy: true }, { ip: '10.0.0.2', port: 80, healthy: true }], { reachProtectionThreshold: true }), WEB, [], 'n');
    expect(instances.map((i) => [i.Status, i.Meta['nacos.protected']])).toEqual([
      ['passing', 'true'],
      ['passing', 'true'],
    ]);
  });

  it('keeps only the configured clusters, sorted by node and ID', () => {
    const hosts = [
      { ip: '10.0.0.9', port: 80, clusterName: 'SH' },
      { ip: '10.0.0.1', port: 80, clusterName: 'BJ' },
      { ip: '10.0.0.2', port: 80, clusterName: 'SH' },
    ];
    expect(instancesOf(info(hosts), WEB, ['SH'], 'n').map((i) => i.Address)).toEqual(['10.0.0.2', '10.0.0.9']);
    expect(instancesOf(info(hosts), WEB, [], 'n').map((i) => i.Address)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.9']);
  });

  it('passes untrusted values on as text for the feed to screen (never drops an instance silently)', () => {
    const [instance] = instancesOf(info([{ ip: ' evil host ', port: '99999', metadata: { obj: { a: 1 } as unknown as string } }]), WEB, [], 'n');
    expect(instance?.Address).toBe('evil host');
    expect(instance?.Port).toBe('99999');
    expect(instance?.Meta.obj).toBe('{"a":1}');
  });

  it('refuses an answer without hosts or with mistyped fields, naming the field', () => {
    expect(() => parseServiceInfo({ name: 'web', valid: false }, 'web')).toThrow(/malformed instance list for web \(hosts:/);
    expect(() => parseServiceInfo({ hosts: [{ ip: '10.0.0.1', healthy: 'yes' }] }, 'web')).toThrow(/hosts\.0\.healthy/);
  });
});
