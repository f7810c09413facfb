import { describe, expect, it } from 'vitest';
import { EurekaAnswerError, parseApplications } from '../../../../src/registries/eureka/wire.js';

/** Current servers (Jackson): lists, numeric ports, `@enabled` as text. */
const JACKSON = {
  applications: {
    versions__delta: '1',
    apps__hashcode: 'STARTING_1_UP_1_',
    application: [
      {
        name: 'WEB',
        instance: [
          {
            instanceId: 'h1:web:8080', hostName: 'h1.example', app: 'WEB', ipAddr: '10.0.0.1', status: 'UP', overriddenStatus: 'UNKNOWN',
            port: { $: 8080, '@enabled': 'true' }, securePort: { $: 8443, '@enabled': 'false' },
            dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
            leaseInfo: { renewalIntervalInSecs: 30, durationInSecs: 90 }, metadata: { zone: 'z1' }, vipAddress: 'web', actionType: 'ADDED',
          },
        ],
      },
      { name: 'API', instance: [{ instanceId: 'a-1', hostName: 'h2', app: 'API', ipAddr: '10.0.0.2', status: 'starting', port: { $: 81, '@enabled': 'true' } }] },
    ],
  },
};

/** Older servers (Jettison): a one-element list is the element itself, numbers are strings. */
const JETTISON = {
  applications: {
    apps__hashcode: 'UP_1_',
    application: { name: 'WEB', instance: { instanceId: 'h1:web:8080', hostName: 'h1', ipAddr: '10.0.0.1', status: 'UP', port: { $: '8080', '@enabled': 'true' } } },
  },
};

describe('Eureka applications JSON', () => {
  it('reads the Jackson shape: applications and instances as lists', () => {
    const read = parseApplications(JACKSON);
    expect(read.hashcode).toBe('STARTING_1_UP_1_');
    expect(read.skipped).toEqual([]);
    expect(read.instances.map((i) => [i.app, i.id, i.status, i.action])).toEqual([
      ['WEB', 'h1:web:8080', 'UP', 'ADDED'],
      ['API', 'a-1', 'STARTING', undefined],
    ]);
  });

  it('reads the Jettison shape: a single application and instance as objects, numbers as text', () => {
    const read = parseApplications(JETTISON);
    expect(read.instances).toHaveLength(1);
    expect(read.instances[0]).toMatchObject({ app: 'WEB', id: 'h1:web:8080', status: 'UP' });
    expect(read.instances[0]?.json.port).toEqual({ $: '8080', '@enabled': 'true' });
  });

  it('reads an empty registry (no application at all, or an empty list) with its empty hashcode', () => {
    expect(parseApplications({ applications: { apps__hashcode: '', application: [] } })).toEqual({ hashcode: '', instances: [], skipped: [] });
    expect(parseApplications({ applications: { versions__delta: '1' } })).toEqual({ hashcode: undefined, instances: [], skipped: [] });
  });

  it('takes the id as Eureka does: instanceId, else the Amazon instance-id, else the host name', () => {
    const read = parseApplications({
      applications: {
        application: {
          name: 'X',
          instance: [
            { hostName: 'only-host', ipAddr: '10.0.0.1' },
            { hostName: 'ec2-host', dataCenterInfo: { name: 'Amazon', metadata: { 'instance-id': 'i-0abc' } } },
            { instanceId: '', hostName: 'empty-id' },
          ],
        },
      },
    });
    expect(read.instances.map((i) => i.id)).toEqual(['only-host', 'i-0abc', 'empty-id']);
  });

  it('reads an unknown status as UNKNOWN, as Eureka does', () => {
    const read = parseApplications({ applications: { application: [{ name: 'X', instance: [{ instanceId: 'a', status: 'SLEEPY' }, { instanceId: 'b' }] }] } });
    expect(read.instances.map((i) => i.status)).toEqual(['UNKNOWN', 'UNKNOWN']);
  });

  it('skips (and names) instances it cannot read at all, keeping the others', () => {
    const read = parseApplications({
      applications: { application: [{ name: 'X', instance: [{ instanceId: 'ok' }, 'junk', { ipAddr: '10.0.0.9' }, { instanceId: { nested: true } }] }, { instance: [] }] },
    });
    expect(read.instances.map((i) => i.id)).toEqual(['ok']);
    expect(read.skipped).toEqual(['X instance #2: not an instance object', 'X instance #3: no instanceId or hostName', 'X instance #4: not an instance object', 'an application without a name']);
  });

  it.each([[null], ['<html>proxy error</html>'], [{ apps: [] }], [{ applications: 'none' }]])('refuses %j as not Eureka applications JSON', (body) => {
    expect(() => parseApplications(body)).toThrow(EurekaAnswerError);
  });
});
