import { describe, expect, it } from 'vitest';
import { dependencyId, type Instance } from '../../../../src/catalog/types.js';
import { CONNECTION } from '../../../../src/registries/health.js';
import { waitFor } from '../../../support/ctmpl.js';
import { startFakeNacos, startSource } from '../../../support/nacos/fixture.js';
import { endpoints, serviceDep } from '../../../support/nacos/sink.js';

const WEB = 'DEFAULT_GROUP@@web';
const web = serviceDep('nacos', 'web');

describe('Nacos over gRPC (a scripted fake server)', () => {
  it('subscribes, takes pushes and acknowledges each with a NotifySubscriberResponse', async () => {
    const fake = await startFakeNacos();
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    const { source, sink } = await startSource(fake.uri('transport=grpc'));
    source.watch(web);
    await sink.instances(web, (i) => i.length === 1, 'the subscribe answer');
    expect(fake.grpc.received[0]).toBe('ServerCheckRequest');
    expect(fake.grpc.received.indexOf('ConnectionSetupRequest')).toBeLessThan(fake.grpc.received.indexOf('SubscribeServiceRequest'));

    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }, { ip: '10.0.0.2', port: 80 }]);
    expect(endpoints(await sink.instances(web, (i) => i.length === 2, 'the push'))).toEqual(['10.0.0.1:80', '10.0.0.2:80']);
    await waitFor(() => fake.grpc.received.includes('NotifySubscriberResponse'), { what: 'the push to be acknowledged' });
    expect(source.health.failing).toBe(false);
  });

  it('passes an identical answer on once, and each dependency on a service gets its own selection', async () => {
    const fake = await startFakeNacos();
    fake.state.set(WEB, [
      { ip: '10.0.0.1', port: 80, healthy: false },
      { ip: '10.0.0.2', port: 80, metadata: { tags: 'blue' } },
    ]);
    const { source, sink } = await startSource(fake.uri('transport=grpc'));
    const passing = serviceDep('nacos', 'web', { status: ['passing'] });
    const blue = serviceDep('nacos', 'web', { tag: 'blue' });
    source.watch(web);
    source.watch(passing);
    source.watch(blue);
    await sink.instances(blue, (i) => i.length === 1, 'the tagged selection');
    expect(endpoints(sink.latest(web) as Instance[])).toEqual(['10.0.0.1:80', '10.0.0.2:80']);
    expect(endpoints(sink.latest(passing) as Instance[])).toEqual(['10.0.0.2:80']);
    expect(fake.grpc.subscribes).toEqual([WEB]);

    const before = sink.deliveries.length;
    fake.grpc.pushInfo(WEB, fake.state.serviceInfo(WEB));
    fake.state.set('DEFAULT_GROUP@@other', []);
    await waitFor(() => fake.grpc.received.filter((t) => t === 'NotifySubscriberResponse').length >= 1, { what: 'the repeated push' });
    expect(sink.deliveries.length).toBe(before);
  });

  it('subscribes in parallel: a service that never answers does not delay the first answer of another', async () => {
    const fake = await startFakeNacos();
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    fake.grpc.script.subscribeNever.add('DEFAULT_GROUP@@slow');
    const { source, sink } = await startSource(fake.uri('transport=grpc'));
    const slow = serviceDep('nacos', 'slow');
    source.watch(slow);
    source.watch(web);
    await sink.instances(web, (i) => i.length === 1, 'the answer for web');
    // web's answer came while the slow subscribe was still waiting for its 500 ms deadline.
    expect(sink.errors).toEqual([]);
    await sink.errorContaining('subscribing to "slow" (group DEFAULT_GROUP) failed: no answer within 500 ms');
    expect(source.health.affects(dependencyId(slow))).toBe(true);
    expect(source.health.affects(dependencyId(web))).toBe(false);
    expect(sink.latest(slow)).toBeUndefined();
  });

  it('a refused subscribe is that dependency problem, retried until it works', async () => {
    const fake = await startFakeNacos();
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    fake.state.set('DEFAULT_GROUP@@bad', [{ ip: '10.0.0.9', port: 80 }]);
    fake.grpc.script.subscribeError.set('DEFAULT_GROUP@@bad', { code: 500, message: 'naming handler result type is error' });
    const { source, sink } = await startSource(fake.uri('transport=grpc'));
    const bad = serviceDep('nacos', 'bad');
    source.watch(bad);
    source.watch(web);
    await sink.errorContaining('naming handler result type is error (code 500)');
    expect(source.health.problems().flatMap((p) => p.subjects)).toEqual([dependencyId(bad)]);
    fake.grpc.script.subscribeError.clear();
    await sink.instances(bad, (i) => i.length === 1, 'the retried subscribe');
    expect(source.health.failing).toBe(false);
  });

  it('keeps the last data while the server is gone, then reconnects and subscribes again', async () => {
    const fake = await startFakeNacos();
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    const { source, sink } = await startSource(fake.uri('transport=grpc'));
    source.watch(web);
    await sink.instances(web, (i) => i.length === 1, 'the first answer');
    const delivered = sink.deliveries.length;

    await fake.grpc.stop();
    await waitFor(() => source.health.affects(CONNECTION), { what: 'the connection problem' });
    expect(source.health.affects(dependencyId(web))).toBe(true);
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }, { ip: '10.0.0.3', port: 80 }]);
    expect(sink.deliveries.length).toBe(delivered); // no empty answer, nothing at all

    await fake.grpc.start();
    expect(endpoints(await sink.instances(web, (i) => i.length === 2, 'the answer after the reconnect'))).toEqual(['10.0.0.1:80', '10.0.0.3:80']);
    await waitFor(() => !source.health.failing, { what: 'the connection problem to end' });
    expect(fake.grpc.subscribes.filter((s) => s === WEB).length).toBe(2);
    fake.state.set(WEB, [{ ip: '10.0.0.4', port: 80 }]);
    await sink.instances(web, (i) => i[0]?.Address === '10.0.0.4', 'a push on the new connection');
    expect(sink.errors.filter((e) => e.includes('lost the Nacos gRPC connection') || e.includes('cannot connect')).length).toBeGreaterThan(0);
  });

  it('reconnects when the server ends the stream, and when a health check goes unanswered', async () => {
    const fake = await startFakeNacos();
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    const { source, sink } = await startSource(fake.uri('transport=grpc'));
    source.watch(web);
    await sink.instances(web, (i) => i.length === 1, 'the first answer');

    fake.grpc.dropStreams();
    await waitFor(() => fake.grpc.streams() === 2 && fake.grpc.subscribes.length === 2, { what: 'a new stream and subscription' });

    fake.grpc.script.healthCheckSilent = true;
    await sink.errorContaining('no answer to the health check');
    fake.grpc.script.healthCheckSilent = false;
    await waitFor(() => fake.grpc.liveStreams() === 1 && fake.grpc.subscribes.length >= 3 && !source.health.failing, { what: 'the recovery', timeoutMs: 5000 });
    expect(sink.valuesOf(web).every((v) => (v as Instance[]).length === 1)).toBe(true);
  });

  it('answers ClientDetectionRequest, and reconnects on ConnectResetRequest without reporting a problem', async () => {
    const fake = await startFakeNacos();
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    const { source, sink } = await startSource(fake.uri('transport=grpc'));
    source.watch(web);
    await sink.instances(web, (i) => i.length === 1, 'the first answer');
    fake.grpc.sendToAll('ClientDetectionRequest');
    await waitFor(() => fake.grpc.received.includes('ClientDetectionResponse'), { what: 'the detection answer' });
    fake.grpc.sendToAll('ConnectResetRequest');
    await waitFor(() => fake.grpc.received.includes('ConnectResetResponse') && fake.grpc.subscribes.length === 2, { what: 'the reconnect' });
    expect(sink.errors).toEqual([]);
  });

  it('waits out a late connection registration (301 "unregistered") before subscribing', async () => {
    const fake = await startFakeNacos();
    fake.grpc.script.registrationDelayMs = 150;
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    const { source, sink } = await startSource(fake.uri('transport=grpc'));
    source.watch(web);
    await sink.instances(web, (i) => i.length === 1, 'the first answer');
    expect(fake.grpc.received.filter((t) => t === 'HealthCheckRequest').length).toBeGreaterThan(2);
    expect(sink.errors).toEqual([]);
  });

  it('drops a push older than the data it has, and reports a malformed push without losing data', async () => {
    const fake = await startFakeNacos();
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    const { source, sink } = await startSource(fake.uri('transport=grpc'));
    source.watch(web);
    await sink.instances(web, (i) => i.length === 1, 'the first answer');
    fake.grpc.pushInfo(WEB, { ...fake.state.serviceInfo(WEB), lastRefTime: 5, hosts: [{ ip: '10.9.9.9', port: 1 }] });
    fake.grpc.pushInfo(WEB, { name: 'web', groupName: 'DEFAULT_GROUP', hosts: 'nope' });
    await sink.errorContaining('malformed instance list for "web"');
    expect(endpoints(sink.latest(web) as Instance[])).toEqual(['10.0.0.1:80']);
    fake.state.set(WEB, [{ ip: '10.0.0.2', port: 80 }]);
    await sink.instances(web, (i) => i[0]?.Address === '10.0.0.2', 'the next push');
    expect(sink.valuesOf(web).flat().some((i) => (i as Instance).Address === '10.9.9.9')).toBe(false);
  });

  it('lists the services of the group, page by page, and forgets a service no longer watched', async () => {
    const fake = await startFakeNacos();
    for (let i = 0; i < 501; i++) fake.state.set(`DEFAULT_GROUP@@svc-${String(i).padStart(3, '0')}`, []);
    fake.state.set('OTHER@@hidden', []);
    const { source, sink } = await startSource(fake.uri('transport=grpc'));
    const services = { kind: 'services', source: 'nacos' } as const;
    source.watch(services);
    const list = await waitFor(() => sink.latest(services) as { Name: string }[] | undefined, { what: 'the service list' });
    expect(list.length).toBe(501);
    expect(list[0]).toEqual({ Name: 'svc-000', Tags: [] });
    expect(fake.grpc.received.filter((t) => t === 'ServiceListRequest').length).toBe(2);

    source.watch(web);
    await waitFor(() => fake.grpc.subscribes.includes(WEB), { what: 'the subscription' });
    source.unwatch(web);
    await waitFor(() => fake.grpc.received.filter((t) => t === 'SubscribeServiceRequest').length === 2, { what: 'the unsubscribe' });
  });
});
