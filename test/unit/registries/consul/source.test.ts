import { describe, expect, it, vi } from 'vitest';
import { dependencyId, type Dependency, type DependencyValue } from '../../../../src/catalog/types.js';
import type { BlockingOptions, ConsulReply, ConsulRequest } from '../../../../src/registries/consul/client.js';
import { resolveConsulSettings, type ConsulOverrides } from '../../../../src/registries/consul/settings.js';
import { ConsulSource } from '../../../../src/registries/consul/source.js';
import type { WatchTiming } from '../../../../src/registries/consul/watch.js';
import { registerCleanup, tempDir } from '../../../support/tmp.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { quietFor, until } from '../../../support/until.js';

/**
 * Consul's answers per query, set by each test: a body at an index, or a failure. A blocking read
 * sent with the current index waits until the test changes an answer (or the watch stops).
 * ConsulSource builds its own ConsulClient, so the module is replaced by one reading this script.
 */
const script = vi.hoisted(() => {
  type Answer = { body: unknown } | { fail: number };
  const state = {
    answers: new Map<string, Answer>(),
    index: 1,
    requests: [] as { name: string; request: unknown; blocking: unknown }[],
    wake: [] as (() => void)[],
    clients: 0,
    destroyed: 0,
  };
  return {
    state,
    set(name: string, answer: Answer): void {
      state.answers.set(name, answer);
      state.index += 1;
      for (const wake of state.wake.splice(0)) wake();
    },
  };
});

const nameOf = (request: ConsulRequest): string => (request.kind === 'health' ? request.service : request.kind === 'key' || request.kind === 'entry' ? request.key : request.kind === 'keys' ? request.prefix : 'services');

vi.mock('../../../../src/registries/consul/client.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../../src/registries/consul/client.js')>();
  const { QueryBackends } = await import('../../../../src/registries/consul/backend.js');
  class ScriptedClient {
    readonly backends = new QueryBackends(() => Promise.resolve('client'));
    constructor() {
      script.state.clients += 1;
    }
    async read(request: ConsulRequest, blocking: BlockingOptions, signal: AbortSignal): Promise<ConsulReply> {
      const name = nameOf(request);
      script.state.requests.push({ name, request, blocking });
      if (blocking.index >= script.state.index) {
        await new Promise<void>((resolve) => {
          script.state.wake.push(resolve);
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
      if (signal.aborted) throw new real.ConsulRequestError('request aborted', undefined, true);
      const answer = script.state.answers.get(name);
      if (answer === undefined) throw new real.ConsulRequestError(`no answer scripted for ${name}`, 500);
      if ('fail' in answer) throw new real.ConsulRequestError(`HTTP ${answer.fail}: scripted failure`, answer.fail);
      return { body: answer.body, index: script.state.index, knownLeader: true, lastContactMs: 0, backend: undefined };
    }
    destroy(): void {
      script.state.destroyed += 1;
    }
  }
  return { ...real, ConsulClient: ScriptedClient };
});

const TIMING: WatchTiming = { minIntervalMs: 1, intervalJitterMs: 0, backoff: { baseMs: 10, capMs: 20, jitter: 'none' }, noIndexPauseMs: 10, random: () => 0 };
const WEB: Dependency = { kind: 'service', source: 'consul', name: 'web', status: ['passing'] };
const API: Dependency = { kind: 'service', source: 'consul', name: 'api', status: 'any', tag: 'v2', dc: 'dc2' };
const KEY: Dependency = { kind: 'key', source: 'consul', key: 'app/x' };

const healthEntry = (id: string, address: string) => ({
  Node: { Node: `node-${id}`, Address: address, Datacenter: 'dc1' },
  Service: { ID: id, Service: 'web', Address: address, Port: 80, Tags: [], Meta: {} },
  Checks: [{ CheckID: 'serfHealth', Status: 'passing' }],
});

async function started(over: ConsulOverrides = {}, once = false) {
  script.state.answers.clear();
  script.state.requests.length = 0;
  const source = new ConsulSource('consul', resolveConsulSettings({ address: '127.0.0.1:8500', blockWaitMs: 5000, ...over }, {}), TIMING, once);
  const received: { id: string; value: DependencyValue }[] = [];
  const problems: string[] = [];
  const recoveries: string[] = [];
  const warnings: string[] = [];
  await source.start({ data: (dep, value) => void received.push({ id: dependencyId(dep), value }), error: (m) => void problems.push(m), info: (m) => void recoveries.push(m), warn: (m) => void warnings.push(m) });
  registerCleanup(() => source.stop());
  return { source, received, problems, recoveries, warnings };
}

describe('ConsulSource', () => {
  it('asks Consul for each dependency with its own query, and delivers the answer', async () => {
    const { source, received } = await started();
    script.set('web', { body: [healthEntry('web-1', '10.0.0.1')] });
    script.set('api', { body: [] });
    script.set('app/x', { body: { Key: 'app/x', Value: 'v' } });
    source.watch(WEB);
    source.watch(API);
    source.watch(KEY);
    await until(() => received.length === 3, 'three answers');
    expect(received.find((r) => r.id === dependencyId(WEB))?.value).toMatchObject([{ ID: 'web-1', Address: '10.0.0.1', Port: '80', Source: 'consul' }]);
    expect(received.find((r) => r.id === dependencyId(KEY))?.value).toBe('v');
    const first = (name: string) => script.state.requests.find((r) => r.name === name)?.request;
    expect(first('web')).toEqual({ kind: 'health', service: 'web', passingOnly: true });
    expect(first('api')).toEqual({ kind: 'health', service: 'api', passingOnly: false, tag: 'v2', dc: 'dc2' });
    expect(first('app/x')).toEqual({ kind: 'key', key: 'app/x' });
  });

  it('keeps health per dependency: an answer on one never clears the open problem of another', async () => {
    const { source, received, problems } = await started();
    script.set('web', { fail: 500 });
    script.set('api', { body: [] });
    source.watch(WEB);
    source.watch(API);
    await until(() => source.health.failing && received.length > 0, 'web failing while api answers');
    expect(source.health.affects(dependencyId(WEB))).toBe(true);
    expect(source.health.affects(dependencyId(API))).toBe(false);
    script.set('api', { body: [healthEntry('api-1', '10.0.0.2')] });
    await until(() => received.length > 1, 'api answers again');
    expect(source.health.failing, "api's answer does not clear web's problem").toBe(true);
    expect(problems, 'the problem reported once, not per retry').toHaveLength(1);
    expect(received.every((r) => r.id === dependencyId(API)), 'no empty answer for the failing query').toBe(true);
  });

  it('reports the recovery once the failing query answers again', async () => {
    const { source, recoveries } = await started();
    script.set('web', { fail: 503 });
    source.watch(WEB);
    await until(() => source.health.failing, 'web failing');
    script.set('web', { body: [] });
    await until(() => !source.health.failing, 'web recovered');
    expect(recoveries).toHaveLength(1);
  });

  it('counts requests and failures', async () => {
    const { source } = await started();
    script.set('web', { fail: 500 });
    source.watch(WEB);
    await until(() => script.state.requests.length >= 3, 'a few retries');
    script.set('web', { body: [] });
    await until(() => !source.health.failing, 'web recovered');
    expect(source.stats.requests).toBe(script.state.requests.length);
    expect(source.stats.failures).toBeGreaterThanOrEqual(1);
  });

  it('forgets the problem of a dependency it no longer watches, and stops asking for it', async () => {
    const { source } = await started();
    script.set('web', { fail: 500 });
    source.watch(WEB);
    await until(() => source.health.failing, 'web failing');
    source.unwatch(WEB);
    expect(source.health.failing).toBe(false);
    await until(() => script.state.wake.length === 0, 'no read left waiting');
    const asked = script.state.requests.length;
    await quietFor(60);
    expect(script.state.requests.length, 'the loop ended').toBe(asked);
  });

  it('watches a dependency once, and stops every query and the client when stopped', async () => {
    const { source } = await started();
    script.set('web', { body: [] });
    const destroyed = script.state.destroyed;
    source.watch(WEB);
    source.watch(WEB);
    await until(() => script.state.wake.length === 1, 'a blocking read waiting');
    expect(script.state.requests.map((r) => r.name), 'one loop: a first read, then one blocking read').toEqual(['web', 'web']);
    await source.stop();
    expect(script.state.destroyed).toBe(destroyed + 1);
    const asked = script.state.requests.length;
    script.set('web', { body: [] });
    await quietFor(60);
    expect(script.state.requests.length).toBe(asked);
  });

  it('in --once, gives up on a dependency after the retry attempts, saying how often it asked and the last error', async () => {
    const { source, problems } = await started({ retryAttempts: 2 }, true);
    script.set('web', { fail: 500 });
    source.watch(WEB);
    await until(() => source.health.gaveUp(dependencyId(WEB)) !== undefined, 'gave up on web');
    expect(source.health.gaveUp(dependencyId(WEB))).toBe('no answer after 3 attempts (consul retry: 2 retries); last error: HTTP 500: scripted failure');
    expect(problems.at(-1)).toBe(`Consul at consul+http://127.0.0.1:8500: gave up on ${dependencyId(WEB)}: ${source.health.gaveUp(dependencyId(WEB)) ?? ''}`);
    expect(script.state.requests.filter((r) => r.name === 'web')).toHaveLength(3);
  });

  it('in --once, gives up at once on a 403, naming the token (never its value) and the permission it lacks', async () => {
    const tokenFile = join(await tempDir('ctmpl-token-'), 'consul-token');
    await writeFile(tokenFile, 'CANARY-secret-token\n');
    const { source } = await started({ tokenFile, retryAttempts: 12 }, true);
    script.set('app/x', { fail: 403 });
    script.set('web', { fail: 403 });
    source.watch(KEY);
    source.watch(WEB);
    await until(() => source.health.gaveUp(dependencyId(WEB)) !== undefined && source.health.gaveUp(dependencyId(KEY)) !== undefined, 'gave up on both');
    expect(source.health.gaveUp(dependencyId(KEY))).toBe(`HTTP 403: scripted failure: the ACL token in ${tokenFile} lacks key:read on "app/x"`);
    expect(source.health.gaveUp(dependencyId(KEY))).not.toContain('CANARY');
    expect(source.health.gaveUp(dependencyId(WEB))).toMatch(/lacks service:read on "web" \(and node:read on its nodes\)$/);
    expect(script.state.requests.filter((r) => r.name === 'web')).toHaveLength(1);
  });

  it('never gives up outside --once', async () => {
    const { source } = await started({ retryAttempts: 1, retryEnabled: false });
    script.set('web', { fail: 403 });
    source.watch(WEB);
    await until(() => script.state.requests.filter((r) => r.name === 'web').length >= 4, 'asked again and again');
    expect(source.health.gaveUp(dependencyId(WEB))).toBeUndefined();
  });
});
