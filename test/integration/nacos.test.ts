/**
 * The Nacos source against a real Nacos: rnacos 0.8.8 (test/support/nacos/obtain.sh builds it
 * once). What rnacos cannot show (reachProtectionThreshold, 500s, stalls) is covered by the
 * scripted fakes in test/unit/registries/nacos/.
 */
import { writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { dependencyId, type Instance } from '../../src/catalog/types.js';
import { CONNECTION } from '../../src/registries/health.js';
import { waitFor } from '../support/ctmpl.js';
import { passwordFile, startSource } from '../support/nacos/fixture.js';
import { startNacos, type NacosServer } from '../support/nacos/harness.js';
import { endpoints, serviceDep } from '../support/nacos/sink.js';

const SLOW = 15_000;

function statuses(instances: readonly Instance[]): string[] {
  return instances.map((i) => `${i.Address}:${i.Port}=${i.Status}`).sort();
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] as number;
}

describe('Nacos source against rnacos', { timeout: 60_000 }, () => {
  let nacos: NacosServer;
  beforeAll(async () => {
    nacos = await startNacos();
  }, 120_000);
  const uri = (extra = ''): string => `//${nacos.address}?timeout=2s&poll_interval=500ms${extra ? `&${extra}` : ''}`;

  it('finds gRPC at the HTTP port + 1000 and maps registrations field by field', async () => {
    await nacos.register({ service: 'web', ip: '10.0.0.1', port: 8080, ephemeral: false, weight: 2.5, cluster: 'SH', metadata: { version: 'v2', tags: 'blue,canary' } });
    await nacos.register({ service: 'web', ip: '10.0.0.2', port: 8080, ephemeral: false });
    const { source, sink } = await startSource(uri());
    const web = serviceDep('nacos', 'web');
    source.watch(web);
    const instances = await sink.instances(web, (i) => i.length === 2, 'both instances');
    expect(source.transportKind).toBe('grpc');
    const sh = instances.find((i) => i.Address === '10.0.0.1');
    expect(sh).toMatchObject({
      ID: '10.0.0.1#8080',
      Name: 'web',
      Node: '10.0.0.1',
      Port: '8080',
      Tags: ['blue', 'canary'],
      Weights: { Passing: '2.5', Warning: '2.5' },
      Status: 'passing',
      Datacenter: 'SH',
      Meta: { version: 'v2', tags: 'blue,canary', 'nacos.cluster': 'SH', 'nacos.group': 'DEFAULT_GROUP', 'nacos.ephemeral': 'false' },
    });
    const blueSh = serviceDep('nacos', 'web', { tag: 'blue', dc: 'SH' });
    source.watch(blueSh);
    expect(endpoints(await sink.instances(blueSh, (i) => i.length === 1, 'the tag and cluster selection'))).toEqual(['10.0.0.1:8080']);
  });

  it('pushes a disabled instance leaving (Nacos hands clients enabled ones only), a changed weight and a deregistration', async () => {
    const spec = { service: 'orders', ip: '10.0.1.1', port: 9000, ephemeral: false };
    await nacos.register(spec);
    await nacos.register({ ...spec, ip: '10.0.1.2' });
    const { source, sink } = await startSource(uri());
    const orders = serviceDep('nacos', 'orders');
    source.watch(orders);
    await sink.instances(orders, (i) => i.length === 2, 'both instances');
    await nacos.update({ ...spec, enabled: false });
    expect(endpoints(await sink.instances(orders, (i) => i.length === 1, 'the disabled instance to leave'))).toEqual(['10.0.1.2:9000']);
    await nacos.update({ ...spec, enabled: true });
    await sink.instances(orders, (i) => i.length === 2, 'the instance enabled again');
    await nacos.update({ ...spec, ip: '10.0.1.2', weight: 3 });
    expect((await sink.instances(orders, (i) => i.some((x) => x.Weights.Passing === '3'), 'the new weight')).map((i) => i.Weights.Passing)).toEqual(['1', '3']);
    await nacos.deregister(spec);
    expect(endpoints(await sink.instances(orders, (i) => i.length === 1, 'the deregistration'))).toEqual(['10.0.1.2:9000']);
    expect(source.health.failing).toBe(false);
  });

  it('an ephemeral instance whose heartbeats stop: critical, then gone over HTTP; gone over gRPC (rnacos pushes healthy ones only)', { timeout: 60_000 }, async () => {
    const beats = await nacos.registerWithHeartbeats({ service: 'beating', ip: '10.0.2.1', port: 80 });
    await nacos.register({ service: 'beating', ip: '10.0.2.2', port: 80, ephemeral: false });
    const push = await startSource(uri('transport=grpc'), undefined, 'push');
    const poll = await startSource(uri('transport=http'), undefined, 'poll');
    const viaPush = serviceDep('push', 'beating');
    const viaPoll = serviceDep('poll', 'beating');
    push.source.watch(viaPush);
    poll.source.watch(viaPoll);
    await push.sink.instances(viaPush, (i) => i.length === 2, 'both instances over gRPC');
    await poll.sink.instances(viaPoll, (i) => i.length === 2, 'both instances over HTTP');
    beats.stop();
    expect(statuses(await poll.sink.instances(viaPoll, (i) => i.some((x) => x.Status === 'critical'), 'the missed heartbeats over HTTP', SLOW))).toEqual([
      '10.0.2.1:80=critical',
      '10.0.2.2:80=passing',
    ]);
    expect(endpoints(await push.sink.instances(viaPush, (i) => i.length === 1, 'the unhealthy instance to leave the push', SLOW))).toEqual(['10.0.2.2:80']);
    expect(endpoints(await poll.sink.instances(viaPoll, (i) => i.length === 1, 'the expired instance to leave the list', SLOW))).toEqual(['10.0.2.2:80']);
  });

  it('an instance registered over gRPC lives as long as its connection', async () => {
    const registration = await nacos.registerOverGrpc({ service: 'grpc-registered', ip: '10.0.3.1', port: 80, metadata: { tags: 'x' } });
    const { source, sink } = await startSource(uri());
    const dep = serviceDep('nacos', 'grpc-registered');
    source.watch(dep);
    expect((await sink.instances(dep, (i) => i.length === 1, 'the gRPC registration'))[0]?.Meta['nacos.ephemeral']).toBe('true');
    registration.close();
    await sink.instances(dep, (i) => i.length === 0, 'the registration to end with its connection', SLOW);
  });

  it('lists the services of the namespace and group, Dubbo-style names included', async () => {
    await nacos.register({ service: 'providers:com.example.Greeter::', ip: '10.0.4.1', port: 20880, ephemeral: false });
    await nacos.register({ service: 'elsewhere', group: 'OTHER', ip: '10.0.4.2', port: 80, ephemeral: false });
    await nacos.register({ service: 'prod-only', namespace: 'prod', ip: '10.0.4.3', port: 80, ephemeral: false });
    for (const transport of ['grpc', 'http']) {
      const { source, sink } = await startSource(uri(`transport=${transport}`), undefined, transport);
      const list = { kind: 'services', source: transport } as const;
      source.watch(list);
      const names = (await waitFor(() => sink.latest(list) as { Name: string }[] | undefined, { what: `the ${transport} list` })).map((s) => s.Name);
      expect(names).toContain('providers:com.example.Greeter::');
      expect(names).not.toContain('elsewhere');
      expect(names).not.toContain('prod-only');
      const dubbo = serviceDep(transport, 'providers:com.example.Greeter::');
      const other = serviceDep(transport, 'OTHER@@elsewhere');
      source.watch(dubbo);
      source.watch(other);
      await sink.instances(dubbo, (i) => i.length === 1, 'the Dubbo provider');
      expect((await sink.instances(other, (i) => i.length === 1, 'a service of another group'))[0]?.Meta['nacos.group']).toBe('OTHER');
    }
    const { source, sink } = await startSource(uri('namespace=prod'), undefined, 'prod');
    const prodOnly = serviceDep('prod', 'prod-only');
    source.watch(prodOnly);
    await sink.instances(prodOnly, (i) => i.length === 1, 'the instance in namespace prod');
  });

  it('measures change → data latency, push and polling (printed)', { timeout: 120_000 }, async () => {
    const figures: string[] = [];
    for (const transport of ['grpc', 'http'] as const) {
      const { source, sink } = await startSource(uri(`transport=${transport}`), undefined, `lat-${transport}`);
      const dep = serviceDep(`lat-${transport}`, `latency-${transport}`);
      await nacos.register({ service: `latency-${transport}`, ip: '10.0.5.1', port: 80, ephemeral: false });
      source.watch(dep);
      await sink.instances(dep, (i) => i.length === 1, 'the first answer');
      const samples: number[] = [];
      for (let n = 2; n <= 21; n++) {
        // A random pause, so changes do not fall into step with the poll cadence or rnacos's 500 ms notify tick.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 600));
        const changed = Date.now();
        await nacos.register({ service: `latency-${transport}`, ip: `10.0.5.${n}`, port: 80, ephemeral: false });
        await sink.instances(dep, (i) => i.length === n, `change ${n}`, SLOW);
        samples.push(Date.now() - changed);
      }
      samples.sort((a, b) => a - b);
      figures.push(`${transport === 'grpc' ? 'gRPC push' : 'HTTP poll (500 ms)'}: median ${percentile(samples, 0.5)} ms, p90 ${percentile(samples, 0.9)} ms, max ${samples.at(-1)} ms (20 changes)`);
    }
    console.log(`rnacos change → data latency:\n  ${figures.join('\n  ')}`);
  });
});

describe('Nacos source across an rnacos restart', { timeout: 90_000 }, () => {
  // rnacos 0.8.8 keeps naming data in memory: after a restart it knows only what clients register
  // again (heartbeats here). Java Nacos also keeps persistent instances.
  it('delivers nothing while the server is down (no empty answer), then resubscribes and follows changes', async () => {
    const nacos = await startNacos();
    await nacos.registerWithHeartbeats({ service: 'steady', ip: '10.1.0.1', port: 80 }, 300);
    await nacos.registerWithHeartbeats({ service: 'steady', ip: '10.1.0.2', port: 80 }, 300);
    const { source, sink } = await startSource(`//${nacos.address}?timeout=1s`);
    const steady = serviceDep('nacos', 'steady');
    source.watch(steady);
    await sink.instances(steady, (i) => i.length === 2, 'the first answer');
    await nacos.kill();
    const down = sink.deliveries.length;
    await waitFor(() => source.health.affects(CONNECTION), { what: 'the connection problem', timeoutMs: SLOW });
    expect(source.health.affects(dependencyId(steady))).toBe(true);
    expect(sink.errors.some((e) => e.includes('every service keeps its last good data'))).toBe(true);
    expect(sink.deliveries.length).toBe(down);
    expect(endpoints(sink.latest(steady) as Instance[])).toEqual(['10.1.0.1:80', '10.1.0.2:80']);

    await nacos.start();
    await waitFor(() => !source.health.failing, { what: 'the recovery', timeoutMs: 40_000 });
    await sink.instances(steady, (i) => i.length === 2, 'the instances registered again by their heartbeats', SLOW);
    await nacos.register({ service: 'steady', ip: '10.1.0.3', port: 80, ephemeral: false });
    await sink.instances(steady, (i) => i.length === 3, 'a change pushed on the new subscription', SLOW);
  });
});

describe('Nacos source with authentication (rnacos RNACOS_ENABLE_OPEN_API_AUTH)', { timeout: 60_000 }, () => {
  it('logs in with the password file over gRPC and HTTP, and names the user when the login is refused', async () => {
    const nacos = await startNacos({ auth: { user: 'admin', password: 'Adm1n-pw' } });
    await nacos.register({ service: 'guarded', ip: '10.2.0.1', port: 80, ephemeral: false });
    const file = await passwordFile('Adm1n-pw');
    for (const transport of ['grpc', 'http']) {
      const { source, sink } = await startSource(`//admin@${nacos.address}?password_file=${file}&transport=${transport}&timeout=2s&poll_interval=500ms`, undefined, transport);
      const dep = serviceDep(transport, 'guarded');
      source.watch(dep);
      await sink.instances(dep, (i) => i.length === 1, `the answer over ${transport}`);
    }
    const anonymous = await startSource(`//${nacos.address}?transport=grpc&timeout=2s`, undefined, 'anonymous');
    const anonymousDep = serviceDep('anonymous', 'guarded');
    anonymous.source.watch(anonymousDep);
    expect(await anonymous.sink.errorContaining('unknown user! (code 403); Nacos wants a login: put USER@ before the servers and add password_file=PATH', SLOW)).toContain('"guarded"');
    expect(anonymous.sink.latest(anonymousDep)).toBeUndefined();

    const wrong = await passwordFile('not-it');
    const { source, sink } = await startSource(`//admin@${nacos.address}?password_file=${wrong}&timeout=2s`, undefined, 'wrong');
    const dep = serviceDep('wrong', 'guarded');
    source.watch(dep);
    const message = await sink.errorContaining('Nacos refused the login of user "admin"', SLOW);
    expect(message).not.toContain('not-it');
    expect(sink.latest(dep)).toBeUndefined();
    await writeFile(wrong, 'Adm1n-pw\n');
    await sink.instances(dep, (i) => i.length === 1, 'the answer once the password is right', SLOW);
  });
});
