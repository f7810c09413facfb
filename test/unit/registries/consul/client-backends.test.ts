import { describe, expect, test } from 'vitest';
import { QueryBackends, type AgentRole, type HealthRead } from '../../../../src/registries/consul/backend.js';

const web: HealthRead = { kind: 'health', service: 'web' };
const api: HealthRead = { kind: 'health', service: 'api' };
const near: HealthRead = { kind: 'health', service: 'db', near: '_agent' };

function tracker(role: AgentRole): { backends: QueryBackends; reports: string[]; asked: () => number } {
  const reports: string[] = [];
  let asked = 0;
  const backends = new QueryBackends(
    () => {
      asked += 1;
      return Promise.resolve(role);
    },
    (message) => reports.push(message),
  );
  return { backends, reports, asked: () => asked };
}

describe('QueryBackends (which backend answers each watched health query)', () => {
  test('counts each query by the backend of its latest blocking answer; a forgotten query no longer counts', () => {
    const { backends } = tracker('client');
    backends.record(web, 'streaming');
    backends.record(api, 'streaming');
    backends.record(web, 'streaming');
    expect(backends.counts()).toEqual({ streaming: 2, 'blocking-query': 0 });
    backends.record(api, 'blocking-query');
    expect(backends.counts()).toEqual({ streaming: 1, 'blocking-query': 1 });
    expect(backends.backendOf(api)).toBe('blocking-query');
    backends.forget(api);
    expect(backends.counts()).toEqual({ streaming: 1, 'blocking-query': 0 });
    // An agent older than Consul 1.10 does not say: nothing is counted.
    backends.record(api, undefined);
    expect(backends.backendOf(api)).toBeUndefined();
  });

  test('through a client agent, the first fallback is reported once, with the fix', async () => {
    const { backends, reports, asked } = tracker('client');
    backends.record(web, 'blocking-query');
    backends.record(api, 'blocking-query');
    await expect.poll(() => reports).toHaveLength(1);
    expect(reports[0]).toMatch(/^Consul answers blocking health queries without streaming \(first seen for "web"\): through this client agent, every answer of every watch costs the servers an RPC; turn use_streaming_backend on/);
    expect(asked()).toBe(1);
  });

  test('a query with near= is reported for what it is: Consul cannot stream it', async () => {
    const { backends, reports } = tracker('client');
    backends.record(near, 'blocking-query');
    await expect.poll(() => reports).toHaveLength(1);
    expect(reports[0]).toMatch(/^Consul cannot stream health queries with near= \("db"/);
  });

  test('against a server agent nothing is reported (no other server does work for it)', async () => {
    const { backends, reports, asked } = tracker('server');
    backends.record(web, 'blocking-query');
    await expect.poll(asked).toBe(1);
    await Promise.resolve();
    expect(reports).toEqual([]);
  });

  test('streaming answers report nothing and do not ask the agent its role', () => {
    const { backends, reports, asked } = tracker('client');
    backends.record(web, 'streaming');
    expect(reports).toEqual([]);
    expect(asked()).toBe(0);
  });
});
