import { describe, expect, it } from 'vitest';
import { dependencyId, type Instance } from '../../../../src/catalog/types.js';
import { CONNECTION } from '../../../../src/registries/health.js';
import { waitFor } from '../../../support/ctmpl.js';
import { startFakeNacos, startSource } from '../../../support/nacos/fixture.js';
import { endpoints, serviceDep } from '../../../support/nacos/sink.js';

const WEB = 'DEFAULT_GROUP@@web';
const web = serviceDep('nacos', 'web');
const LIST = '/nacos/v1/ns/instance/list';

describe('Nacos over the v1 HTTP API, polled (a scripted fake server)', () => {
  it('asks for every instance, healthy or not, of the grouped service in the namespace and clusters', async () => {
    const fake = await startFakeNacos();
    fake.state.set(WEB, [
      { ip: '10.0.0.1', port: 80, clusterName: 'SH', healthy: false },
      { ip: '10.0.0.2', port: 80, clusterName: 'BJ' },
    ]);
    const { source, sink } = await startSource(fake.uri('transport=http&namespace=prod&clusters=SH'));
    source.watch(web);
    const instances = await sink.instances(web, (i) => i.length === 1, 'the first poll');
    expect(instances.map((i) => [i.Address, i.Status, i.Datacenter])).toEqual([['10.0.0.1', 'critical', 'SH']]);
    const query = fake.http.requests.find((r) => r.path === LIST)?.query;
    expect(Object.fromEntries(query ?? [])).toEqual({ serviceName: WEB, groupName: 'DEFAULT_GROUP', namespaceId: 'prod', clusters: 'SH', healthyOnly: 'false' });
    expect(fake.grpc.received).toEqual([]);
    expect(source.transportKind).toBe('http');
  });

  it('keeps the last data through 500s, reported as that dependency problem, and recovers', async () => {
    const fake = await startFakeNacos();
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    const { source, sink } = await startSource(fake.uri('transport=http'));
    source.watch(web);
    await sink.instances(web, (i) => i.length === 1, 'the first poll');
    const delivered = sink.deliveries.length;
    fake.http.fail(LIST, 500, 3);
    await sink.errorContaining('reading "web" (group DEFAULT_GROUP) failed: HTTP 500 from /nacos/v1/ns/instance/list: scripted failure');
    expect(source.health.problems().flatMap((p) => p.subjects)).toEqual([dependencyId(web)]);
    expect(sink.deliveries.length).toBe(delivered);
    fake.state.set(WEB, [{ ip: '10.0.0.2', port: 80 }]);
    await sink.instances(web, (i) => i[0]?.Address === '10.0.0.2', 'the poll after the 500s');
    expect(source.health.failing).toBe(false);
    expect(sink.infos.some((i) => i.includes('answers again'))).toBe(true);
  });

  it('a server that cannot be reached is a connection problem; every service keeps its data', async () => {
    const fake = await startFakeNacos();
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    const { source, sink } = await startSource(fake.uri('transport=http'));
    source.watch(web);
    await sink.instances(web, (i) => i.length === 1, 'the first poll');
    await fake.http.stop();
    await sink.errorContaining('no Nacos server answered');
    expect(source.health.affects(CONNECTION)).toBe(true);
    expect(sink.valuesOf(web).every((v) => (v as Instance[]).length === 1)).toBe(true);
  });

  it('lists services page by page from /v1/ns/service/list', async () => {
    const fake = await startFakeNacos();
    for (const name of ['b', 'a', 'providers:com.example.Greeter::']) fake.state.set(`DEFAULT_GROUP@@${name}`, []);
    const { source, sink } = await startSource(fake.uri('transport=http'));
    const services = { kind: 'services', source: 'nacos' } as const;
    source.watch(services);
    const list = await waitFor(() => sink.latest(services) as { Name: string }[] | undefined, { what: 'the list' });
    expect(list.map((s) => s.Name)).toEqual(['a', 'b', 'providers:com.example.Greeter::']);
  });
});

describe('transport=auto', () => {
  it('uses gRPC push when the gRPC port answers', async () => {
    const fake = await startFakeNacos();
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    const { source, sink } = await startSource(fake.uri());
    source.watch(web);
    await sink.instances(web, (i) => i.length === 1, 'the answer');
    expect(source.transportKind).toBe('grpc');
    expect(fake.http.requests.filter((r) => r.path === LIST)).toEqual([]);
  });

  it('polls HTTP when the gRPC port does not answer, says so, and moves to push once gRPC answers', async () => {
    const fake = await startFakeNacos();
    const grpcPort = fake.grpc.port;
    await fake.grpc.stop();
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    const { source, sink } = await startSource(fake.uri());
    source.watch(web);
    await sink.instances(web, (i) => i.length === 1, 'the polled answer');
    expect(source.transportKind).toBe('http');
    expect(sink.infos.find((i) => i.includes('polling the HTTP API'))).toContain(`127.0.0.1:${grpcPort}`);
    expect(sink.errors).toEqual([]);

    await fake.grpc.start();
    await waitFor(() => source.transportKind === 'grpc' && fake.grpc.subscribes.includes(WEB), { what: 'the move to gRPC' });
    fake.state.set(WEB, [{ ip: '10.0.0.2', port: 80 }]);
    expect(endpoints(await sink.instances(web, (i) => i[0]?.Address === '10.0.0.2', 'a push'))).toEqual(['10.0.0.2:80']);
  });

  it('polls when something other than gRPC listens on the gRPC port (a Nacos 1.x HTTP port)', async () => {
    const fake = await startFakeNacos();
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    const { source, sink } = await startSource(`//${fake.http.address}?grpc_port=${fake.http.port}&timeout=500ms&poll_interval=500ms`);
    source.watch(web);
    await sink.instances(web, (i) => i.length === 1, 'the polled answer');
    expect(source.transportKind).toBe('http');
  });

  it('reports a connection problem while neither answers, then starts when one does', async () => {
    const fake = await startFakeNacos();
    await fake.grpc.stop();
    fake.http.hold.add('/nacos/v1/ns/service/list');
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    const { source, sink } = await startSource(fake.uri());
    source.watch(web);
    await sink.errorContaining('no Nacos server answers');
    expect(source.health.affects(dependencyId(web))).toBe(true);
    await fake.grpc.start();
    await sink.instances(web, (i) => i.length === 1, 'the answer once gRPC is up');
    await waitFor(() => !source.health.failing, { what: 'the problem to end' });
  });
});
