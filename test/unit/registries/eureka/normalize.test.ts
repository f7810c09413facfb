import { describe, expect, it } from 'vitest';
import { healthOf, toInstance } from '../../../../src/registries/eureka/normalize.js';
import { parseApplications, type EurekaInstanceRecord } from '../../../../src/registries/eureka/wire.js';

/** One instance as a server sends it, through the same reader the source uses. */
function record(fields: Record<string, unknown>, app = 'WEB'): EurekaInstanceRecord {
  const read = parseApplications({ applications: { application: [{ name: app, instance: [{ instanceId: 'i-1', hostName: 'h1.example', ipAddr: '10.0.0.1', status: 'UP', ...fields }] }] } });
  const only = read.instances[0];
  if (!only) throw new Error(`not read: ${read.skipped.join()}`);
  return only;
}

describe('Eureka instance → ctmpl instance', () => {
  it('maps Eureka fields to consul-template field names', () => {
    const instance = toInstance(
      record({
        port: { $: 8080, '@enabled': 'true' },
        securePort: { $: 8443, '@enabled': 'true' },
        vipAddress: 'web',
        secureVipAddress: 'web-secure',
        dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
        metadata: { zone: 'eu-1', tags: ' blue, v2,,blue ', weight: 5, 'management.port': '9090' },
      }),
      'eu',
    );
    expect(instance).toMatchObject({
      ID: 'i-1', Name: 'WEB', Node: 'h1.example', Address: '10.0.0.1', Port: '8080', Status: 'passing', Datacenter: 'eu-1', Source: 'eu',
      Tags: ['blue', 'v2'],
      Meta: { zone: 'eu-1', tags: ' blue, v2,,blue ', weight: '5', 'management.port': '9090' },
      TaggedAddresses: { http: { Address: '10.0.0.1', Port: '8080' }, https: { Address: '10.0.0.1', Port: '8443' } },
      NodeMeta: { status: 'UP', vipAddress: 'web', secureVipAddress: 'web-secure', dataCenterInfo: 'MyOwn' },
    });
    expect(instance.ServiceMeta).toBe(instance.Meta);
    expect(Object.isFrozen(instance) && Object.isFrozen(instance.Meta) && Object.isFrozen(instance.Tags)).toBe(true);
  });

  it('takes the securePort when the port is disabled, and no port ("0") when neither is enabled', () => {
    const secure = toInstance(record({ port: { $: 80, '@enabled': 'false' }, securePort: { $: 443, '@enabled': true } }), 'eu');
    expect(secure.Port).toBe('443');
    expect(secure.TaggedAddresses).toEqual({ https: { Address: '10.0.0.1', Port: '443' } });
    const none = toInstance(record({ port: { $: 80, '@enabled': 'false' }, securePort: { $: 443, '@enabled': 'false' } }), 'eu');
    expect(none.Port).toBe('0');
    expect(none.TaggedAddresses).toEqual({});
  });

  it('follows Eureka\'s defaults when @enabled is missing: port enabled, securePort not (a bare number too)', () => {
    expect(toInstance(record({ port: { $: '8080' }, securePort: { $: 443 } }), 'eu').Port).toBe('8080');
    expect(toInstance(record({ port: 8081 }), 'eu').Port).toBe('8081');
    expect(toInstance(record({ securePort: { $: 443 } }), 'eu').Port).toBe('0');
  });

  it('uses the host name where there is no ipAddr, and the address where there is no host name', () => {
    expect(toInstance(record({ ipAddr: '' }), 'eu')).toMatchObject({ Address: 'h1.example', Node: 'h1.example' });
    expect(toInstance(record({ hostName: null, instanceId: 'x' }), 'eu')).toMatchObject({ Address: '10.0.0.1', Node: '10.0.0.1' });
  });

  it('drops Jackson\'s @class marker from the metadata', () => {
    expect(toInstance(record({ metadata: { '@class': 'java.util.Collections$EmptyMap' } }), 'eu').Meta).toEqual({});
  });

  it('takes the datacenter from the zone metadata, else the availability zone of an Amazon dataCenterInfo', () => {
    const amazon = { name: 'Amazon', metadata: { 'availability-zone': 'us-east-1c', 'instance-id': 'i-9' } };
    expect(toInstance(record({ dataCenterInfo: amazon }), 'eu').Datacenter).toBe('us-east-1c');
    expect(toInstance(record({ dataCenterInfo: amazon, metadata: { zone: 'z9' } }), 'eu').Datacenter).toBe('z9');
    expect(toInstance(record({ dataCenterInfo: { name: 'MyOwn' } }), 'eu').Datacenter).toBe('');
  });

  it.each([
    ['UP', 'passing'],
    ['STARTING', 'warning'],
    ['OUT_OF_SERVICE', 'warning'],
    ['DOWN', 'critical'],
    ['UNKNOWN', 'critical'],
  ] as const)('reads status %s as %s, keeping the raw status in NodeMeta', (status, health) => {
    expect(healthOf(status)).toBe(health);
    const instance = toInstance(record({ status }), 'eu');
    expect(instance.Status).toBe(health);
    expect(instance.NodeMeta.status).toBe(status);
  });

  it('keeps the application name as Eureka reports it', () => {
    expect(toInstance(record({}, 'ORDERS.API'), 'eu').Name).toBe('ORDERS.API');
  });
});
