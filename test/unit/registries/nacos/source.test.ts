import { describe, expect, it } from 'vitest';
import { dependencyId, type Instance } from '../../../../src/catalog/types.js';
import { waitFor } from '../../../support/ctmpl.js';
import { startFakeNacos, startSource } from '../../../support/nacos/fixture.js';
import { serviceDep } from '../../../support/nacos/sink.js';

const WEB = 'DEFAULT_GROUP@@web';
const web = serviceDep('nacos', 'web');

describe('the Nacos source', () => {
  it("passes Nacos's protection threshold through: statuses as sent, every instance marked nacos.protected", async () => {
    const fake = await startFakeNacos();
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80, healthy: true }, { ip: '10.0.0.2', port: 80, healthy: true }], { reachProtectionThreshold: true });
    for (const transport of ['grpc', 'http']) {
      const { source, sink } = await startSource(fake.uri(`transport=${transport}`), undefined, transport);
      const dep = serviceDep(transport, 'web', { status: ['passing'] });
      source.watch(dep);
      const instances = await sink.instances(dep, (i) => i.length === 2, `the protected answer over ${transport}`);
      expect(instances.map((i) => i.Meta['nacos.protected'])).toEqual(['true', 'true']);
    }
  });

  it('refuses keys (Nacos config is not read) as a problem of that dependency only', async () => {
    const fake = await startFakeNacos();
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    const { source, sink } = await startSource(fake.uri());
    const key = { kind: 'key', source: 'nacos', key: 'app/config' } as const;
    source.watch(key);
    source.watch(web);
    await sink.instances(web, (i) => i.length === 1, 'the service');
    expect(source.health.problems().map((p) => p.subjects)).toEqual([[dependencyId(key)]]);
    expect(sink.errors[0]).toContain('Nacos keys and values (its config center) are not read by ctmpl');
    source.unwatch(key);
    expect(source.health.failing).toBe(false);
  });

  it('gives a new dependency on a service it already reads the data at once, without asking Nacos again', async () => {
    const fake = await startFakeNacos();
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    const { source, sink } = await startSource(fake.uri());
    source.watch(web);
    await sink.instances(web, (i) => i.length === 1, 'the first dependency');
    const passing = serviceDep('nacos', 'web', { status: ['passing'] });
    source.watch(passing);
    await sink.instances(passing, (i) => i.length === 1, 'the second dependency');
    expect(fake.grpc.subscribes).toEqual([WEB]);
  });

  it('keeps a connection of its own: two sources in one process both get pushes', async () => {
    // Nacos knows a client by its TCP connection; grpc-js would otherwise share one between them.
    const fake = await startFakeNacos();
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    const first = await startSource(fake.uri(), undefined, 'a');
    const second = await startSource(fake.uri(), undefined, 'b');
    const a = serviceDep('a', 'web');
    const b = serviceDep('b', 'web');
    first.source.watch(a);
    second.source.watch(b);
    await first.sink.instances(a, (i) => i.length === 1, 'the first source');
    await second.sink.instances(b, (i) => i.length === 1, 'the second source');
    expect(fake.grpc.liveStreams()).toBe(2);
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }, { ip: '10.0.0.2', port: 80 }]);
    await first.sink.instances(a, (i) => i.length === 2, 'the push to the first source');
    await second.sink.instances(b, (i) => i.length === 2, 'the push to the second source');
  });

  it('stops: the connection ends and nothing is delivered afterwards', async () => {
    const fake = await startFakeNacos();
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    const { source, sink } = await startSource(fake.uri());
    source.watch(web);
    await sink.instances(web, (i) => i.length === 1, 'the first answer');
    await source.stop();
    await waitFor(() => fake.grpc.liveStreams() === 0, { what: 'the stream to end' });
    const delivered = sink.deliveries.length;
    fake.state.set(WEB, []);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sink.deliveries.length).toBe(delivered);
    expect((sink.latest(web) as Instance[]).length).toBe(1);
  });
});
