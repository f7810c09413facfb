import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseListen, startHttp } from '../../../src/observe/http.js';
import { Metrics } from '../../../src/observe/metrics.js';
import type { PipelineStatus } from '../../../src/observe/status.js';
import { inputErrorOf } from '../../support/input-error.js';
import { registerCleanup } from '../../support/tmp.js';

const READY: PipelineStatus = {
  templates: [{ source: '/t.hbs', destination: '/out.conf', rendered: true, lastRenderAt: undefined, waitingFor: [], lastError: undefined, current: true, notCurrent: undefined, lastWrite: undefined, lastCheck: undefined, lastCommand: undefined, retry: undefined, rollbacks: 0 }],
  sources: [],
  dependencies: ['reg:key(x)'],
  guards: {},
  probes: {},
};
const WAITING: PipelineStatus = { ...READY, templates: [{ ...(READY.templates[0] as PipelineStatus['templates'][number]), rendered: false }] };

/** The endpoint on an ephemeral port of 127.0.0.1, closed when the test ends. */
async function serve(status: () => PipelineStatus): Promise<{ base: string; metrics: Metrics }> {
  const metrics = new Metrics();
  const server: Server = await startHttp({ host: '127.0.0.1', port: 0 }, metrics, status, { sourceFailingMs: 60_000, templateGraceMs: 60_000 });
  registerCleanup(() => new Promise((resolve) => server.close(resolve)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { base: `http://127.0.0.1:${address.port}`, metrics };
}

describe('the observability endpoint', () => {
  it('serves /metrics in the Prometheus format', async () => {
    const { base, metrics } = await serve(() => READY);
    metrics.writes.inc({ destination: '/out.conf' });
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toContain('ctmpl_writes_total{destination="/out.conf"} 1');
  });

  it('answers /healthz 200 when healthy, 503 with the reasons otherwise, judging the pipeline as it is now', async () => {
    let now = WAITING;
    const { base } = await serve(() => now);
    const unhealthy = await fetch(`${base}/healthz`);
    expect(unhealthy.status).toBe(503);
    expect(await unhealthy.json()).toEqual({ status: 'unhealthy', reasons: ['template /out.conf has not rendered yet'] });
    now = READY;
    const healthy = await fetch(`${base}/healthz`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({ status: 'ok' });
  });

  it('serves /status as JSON, ignoring a query string', async () => {
    const { base } = await serve(() => READY);
    const res = await fetch(`${base}/status?pretty=1`);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(READY)));
  });

  it('answers 404 listing the endpoints, and 405 to anything but GET and HEAD', async () => {
    const { base } = await serve(() => READY);
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not found', endpoints: ['/metrics', '/healthz', '/status'] });
    expect((await fetch(`${base}/status`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/healthz`, { method: 'HEAD' })).status).toBe(200);
  });

  it('refuses a port in use as an input error', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    registerCleanup(() => new Promise((resolve) => taken.close(resolve)));
    const port = (taken.address() as { port: number }).port;
    await expect(startHttp({ host: '127.0.0.1', port }, new Metrics(), () => READY, { sourceFailingMs: 1, templateGraceMs: 1 })).rejects.toThrow(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
  });
});

describe('parseListen', () => {
  it.each([
    ['9123', { host: '127.0.0.1', port: 9123 }],
    ['0.0.0.0:9123', { host: '0.0.0.0', port: 9123 }],
    ['[::1]:9123', { host: '::1', port: 9123 }],
    ['metrics.local:80', { host: 'metrics.local', port: 80 }],
  ])('reads %s (a bare port is loopback, never every interface)', (text, expected) => {
    expect(parseListen(text)).toEqual(expected);
  });

  it.each(['abc', '127.0.0.1:99999', 'a:b:c', ''])('refuses %j', (text) => {
    expect(inputErrorOf(() => parseListen(text, 'listen')).message).toBe(`listen "${text}" is not host:port`);
  });
});
