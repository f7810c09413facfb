import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Instance } from '../../src/catalog/types.js';
import { probeHttp } from '../../src/feed/probes/probe-http.js';
import { probeTcp } from '../../src/feed/probes/probe-tcp.js';
import { probeKey, type ProbeFunction } from '../../src/feed/probes/probe.js';
import { Prober } from '../../src/feed/probes/prober.js';
import { probeEntrySchema, type ProbeEntry, type ProbeSpec } from '../../src/feed/probes/settings.js';
import type { ProbeOutcome, ProbeStatus } from '../../src/feed/probes/state.js';
import { testInstance } from '../unit/feed/probes/instance.js';
import { startBackends } from '../support/backends.js';
import { freePort } from '../support/ports.js';
import { registerCleanup, tempDir } from '../support/tmp.js';

const quiet = { info: () => undefined, warn: () => undefined };
const spec = (entry: ProbeEntry): ProbeSpec => probeEntrySchema.parse(entry);
const at = (port: number, n = port): Instance => testInstance(`web-${n}`, '127.0.0.1', port);

/** Polls `check` every 20 ms until it is truthy; fails naming `what` after `ms`. */
async function until<T>(what: string, check: () => T | undefined | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(20);
  }
}

/** A loopback server, closed (its connections destroyed) when the test ends. */
async function listen<S extends Server>(server: S, port = 0): Promise<{ server: S; port: number }> {
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  registerCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

const httpServer = (handler: (req: IncomingMessage, res: ServerResponse) => void) => listen(createHttpServer(handler));

/** A prober over real sockets whose every outcome is recorded, and a status check per instance. */
function realProber(entry: ProbeEntry, onChange?: () => void) {
  const outcomes: ProbeOutcome[] = [];
  const recorded = (fn: ProbeFunction): ProbeFunction => (target, s, signal) => fn(target, s, signal).then((o) => (outcomes.push(o), o));
  const prober = new Prober({ settings: { services: { web: spec(entry) } }, log: quiet, onChange, probes: { tcp: recorded(probeTcp), http: recorded(probeHttp) } });
  registerCleanup(() => prober.stop());
  const status = (instance: Instance): ProbeStatus | undefined => prober.view('web', probeKey(instance))?.Status;
  return { prober, outcomes, status };
}

describe('probes against real loopback servers', () => {
  it('marks a killed HTTP backend critical after `fall` failed probes, and passing again after `rise`', async () => {
    const [backend] = await startBackends(['b1']);
    if (!backend) throw new Error('no backend');
    const instance = at(backend.port);
    const atTransition: { status: ProbeStatus | undefined; failures: string | undefined; recent: readonly ProbeOutcome[] }[] = [];
    const { prober, outcomes, status } = realProber({ type: 'http', interval: '200ms', timeout: '1s', fall: 3, rise: 2, body: 'b1' }, () => {
      const view = prober.view('web', probeKey(instance));
      atTransition.push({ status: view?.Status, failures: view?.Failures, recent: outcomes.slice(-3) });
    });
    prober.track('web', [instance]);
    await until('the first probe', () => status(instance) === 'passing');

    await backend.stop();
    await until('critical', () => status(instance) === 'critical', 5000);
    const down = atTransition.at(-1);
    expect(down?.failures).toBe('3');
    expect(down?.recent.map((o) => o.ok)).toEqual([false, false, false]);
    expect(prober.view('web', probeKey(instance))?.LastError).toBe('connect ECONNREFUSED');

    await backend.start();
    await until('passing again', () => status(instance) === 'passing', 5000);
    expect(atTransition.at(-1)?.recent.map((o) => o.ok)).toEqual([false, true, true]);
    expect(atTransition.map((t) => t.status)).toEqual(['passing', 'critical', 'passing']);
  });

  it('fails a backend that accepts and never answers at the timeout, and closes the socket', async () => {
    const sockets: { opened: number; closed?: number }[] = [];
    const { port } = await listen(
      createTcpServer((socket: Socket) => {
        const entry: { opened: number; closed?: number } = { opened: Date.now() };
        sockets.push(entry);
        socket.on('close', () => (entry.closed = Date.now()));
        socket.on('error', () => undefined);
        // Read (and ignore) the request, so the client's close is seen.
        socket.resume();
      }),
    );
    const instance = at(port);
    const { prober, status } = realProber({ type: 'http', interval: '1s', timeout: '300ms', fall: 1 });
    prober.track('web', [instance]);
    await until('critical', () => status(instance) === 'critical', 8000);
    expect(prober.view('web', probeKey(instance))?.LastError).toBe('timeout after 300 ms');
    const first = await until('the stalled socket to close', () => (sockets[0]?.closed !== undefined ? sockets[0] : undefined), 2000);
    expect((first.closed as number) - first.opened).toBeLessThan(300 + 200);
  });

  it('fails a backend that answers 500 with its status, and a wrong body with what was missing', async () => {
    const failing = await httpServer((_req, res) => res.writeHead(500).end('oops'));
    const wrongBody = await httpServer((_req, res) => res.writeHead(200).end('{"status":"starting"}'));
    const a = at(failing.port);
    const b = at(wrongBody.port);
    const { prober, status } = realProber({ type: 'http', interval: '1s', timeout: '500ms', fall: 1, body: '"status":"up"' });
    prober.track('web', [a, b]);
    await until('both critical', () => status(a) === 'critical' && status(b) === 'critical', 8000);
    expect(prober.view('web', probeKey(a))?.LastError).toBe('status 500');
    expect(prober.view('web', probeKey(b))?.LastError).toBe('body does not contain "\\"status\\":\\"up\\""');
  });

  it('marks a closed port critical with a tcp probe, and an open one passing', async () => {
    const closed = at(await freePort(), 1);
    const open = at((await listen(createTcpServer((s) => s.end()))).port, 2);
    const { prober, status } = realProber({ type: 'tcp', interval: '1s', timeout: '500ms', fall: 1 });
    prober.track('web', [closed, open]);
    await until('both probed', () => status(closed) === 'critical' && status(open) === 'passing', 8000);
    expect(prober.view('web', probeKey(closed))?.LastError).toBe('connect ECONNREFUSED');
  });
});

describe('the http probe on its own', () => {
  const target = (port: number) => ({ address: '127.0.0.1', port });
  const probe = (port: number, entry: Partial<ProbeEntry>, ms = 2000) => probeHttp(target(port), spec({ type: 'http', ...entry }), AbortSignal.timeout(ms));

  it('sends the Host header, method and path it is given, on a connection it closes', async () => {
    const seen: { host?: string; method?: string; url?: string; connection?: string }[] = [];
    const { port } = await httpServer((req, res) => {
      seen.push({ host: req.headers.host, method: req.method, url: req.url, connection: req.headers.connection });
      res.writeHead(204).end();
    });
    expect(await probe(port, { host: 'web.internal', path: '/healthz?deep=1', method: 'HEAD', expect: '200-299' })).toEqual({ ok: true });
    expect(await probe(port, {})).toEqual({ ok: true });
    expect(seen).toEqual([
      { host: 'web.internal', method: 'HEAD', url: '/healthz?deep=1', connection: 'close' },
      { host: `127.0.0.1:${port}`, method: 'GET', url: '/', connection: 'close' },
    ]);
  });

  it('applies the expected status range', async () => {
    const { port } = await httpServer((req, res) => res.writeHead(Number(req.url?.slice(1))).end());
    expect(await probe(port, { path: '/302' })).toEqual({ ok: true });
    expect(await probe(port, { path: '/404' })).toEqual({ ok: false, error: 'status 404' });
    expect(await probe(port, { path: '/302', expect: '200-299' })).toEqual({ ok: false, error: 'status 302' });
  });

  it('finds the expected text across chunks, and reads no more than 64 KiB looking for it', async () => {
    let closedEarly = false;
    const { port } = await httpServer((req, res) => {
      res.writeHead(200);
      if (req.url === '/split') {
        res.write('"status":"u');
        setTimeout(() => res.end('p"'), 50);
        return;
      }
      // An endless body: the probe must stop reading and close the connection.
      const pump = (): void => {
        while (!res.destroyed && res.write(Buffer.alloc(16 * 1024, 'x')));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => (closedEarly = !res.writableFinished));
      pump();
    });
    expect(await probe(port, { path: '/split', body: '"status":"up"' })).toEqual({ ok: true });
    expect(await probe(port, { path: '/endless', body: 'ready' })).toEqual({ ok: false, error: 'body does not contain "ready" in its first 64 KiB' });
    await until('the endless response to be cut', () => closedEarly, 2000);
  });

  it('says aborted and leaves no socket behind when its signal aborts', async () => {
    const sockets: { closed: boolean }[] = [];
    const { port } = await listen(
      createTcpServer((socket) => {
        const entry = { closed: false };
        sockets.push(entry);
        socket.on('error', () => undefined).on('close', () => (entry.closed = true));
        socket.resume();
      }),
    );
    const controller = new AbortController();
    const pending = probeHttp(target(port), spec({ type: 'http' }), controller.signal);
    await until('the connection', () => sockets.length === 1);
    controller.abort();
    expect(await pending).toEqual({ ok: false, error: 'aborted' });
    await until('the socket to close', () => sockets[0]?.closed, 2000);
  });

  const openssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!openssl)('probes https, verifying the certificate against the Host name unless told not to', async () => {
    const dir = await tempDir('ctmpl-probe-tls-');
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=web.test', '-addext', 'subjectAltName=DNS:web.test'], { stdio: 'ignore' });
    const names: (string | false)[] = [];
    const { port } = await listen(
      createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
        names.push((req.socket as unknown as { servername: string | false }).servername);
        res.writeHead(200).end('ok');
      }),
    );
    const https = (entry: Partial<ProbeEntry>) => probeHttp(target(port), spec({ type: 'https', host: 'web.test', ...entry }), AbortSignal.timeout(2000));
    expect(await https({})).toEqual({ ok: false, error: expect.stringMatching(/SELF.SIGNED/i) });
    expect(await https({ tls_skip_verify: true })).toEqual({ ok: true });
    expect(names).toEqual(['web.test']);
  });
});

describe('probe figures', () => {
  it('measures the time from a backend dying to critical (interval 1 s, fall 3)', { timeout: 60_000 }, async () => {
    const backends = await startBackends(Array.from({ length: 15 }, (_, i) => `b${i + 1}`));
    const instances = backends.map((b) => at(b.port));
    const downAt = new Map<string, number>();
    const { prober, status } = realProber({ type: 'http', interval: '1s', fall: 3, rise: 2 }, () => {
      for (const i of instances) if (status(i) === 'critical' && !downAt.has(i.ID)) downAt.set(i.ID, Date.now());
    });
    prober.track('web', instances);
    await until('every backend passing', () => instances.every((i) => status(i) === 'passing'), 5000);
    // The backends die at a moment unrelated to the probes' phases (which are random too).
    await delay(Math.random() * 1000);
    const died = Date.now();
    await Promise.all(backends.map((b) => b.stop()));
    await until('every backend critical', () => downAt.size === instances.length, 10_000);
    const seconds = [...downAt.values()].map((t) => (t - died) / 1000).sort((a, b) => a - b);
    const median = seconds[Math.floor(seconds.length / 2)] as number;
    console.log(`probe figures: backend death → critical (http, interval 1s ±100ms, fall 3), ${seconds.length} backends: median ${median.toFixed(2)} s, min ${seconds[0]?.toFixed(2)} s, max ${seconds.at(-1)?.toFixed(2)} s`);
    // Three probes after the death: the first within one interval, then two more intervals.
    expect(seconds[0]).toBeGreaterThanOrEqual(1.8);
    // Three intervals at most, with room for timers firing late on a loaded machine.
    expect(seconds.at(-1)).toBeLessThanOrEqual(3 * 1.1 + 1.5);
  });

  it('measures the CPU cost of probing 1,000 instances at 1 s intervals', { timeout: 120_000 }, async () => {
    // 1,000 loopback HTTP servers in a child process, so their own CPU is not counted here.
    const serve = `const http = require('node:http'); const n = Number(process.argv[1]); const ports = [];
      for (let i = 0; i < n; i++) { const s = http.createServer((q, r) => { r.writeHead(200, { connection: 'close' }); r.end('ok'); });
        s.listen(0, '127.0.0.1', () => { ports.push(s.address().port); if (ports.length === n) console.log(JSON.stringify(ports)); }); }`;
    const child = spawn(process.execPath, ['-e', serve, '1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    registerCleanup(() => void child.kill('SIGKILL'));
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const ports = JSON.parse(line.toString()) as number[];
    expect(ports).toHaveLength(1000);
    const instances = ports.map((port) => at(port));

    for (const type of ['http', 'tcp'] as const) {
      const prober = new Prober({ settings: { services: { web: spec({ type, interval: '1s' }) } }, log: quiet });
      registerCleanup(() => prober.stop());
      prober.track('web', instances);
      await delay(2000);
      const before = { cpu: process.cpuUsage(), wall: performance.now(), probes: prober.stats().services.web?.probes ?? 0 };
      await delay(20_000);
      const cpu = process.cpuUsage(before.cpu);
      const wall = performance.now() - before.wall;
      const stats = prober.stats();
      const errors = new Map<string, number>();
      for (const i of instances) {
        const view = prober.view('web', probeKey(i));
        if (view?.LastError) errors.set(view.LastError, (errors.get(view.LastError) ?? 0) + 1);
      }
      await prober.stop();
      if (errors.size > 0) console.log(`probe figures: ${type} last errors`, Object.fromEntries(errors));
      const probes = (stats.services.web?.probes ?? 0) - before.probes;
      const cpuMs = (cpu.user + cpu.system) / 1000;
      console.log(
        `probe figures: ${type} probes of 1,000 instances at 1 s: ${probes} probes in ${(wall / 1000).toFixed(1)} s, ` +
          `CPU ${(cpuMs / (wall / 1000)).toFixed(0)} ms/s (${((100 * cpuMs) / wall).toFixed(1)}% of a core; user ${(cpu.user / 1000).toFixed(0)} ms, system ${(cpu.system / 1000).toFixed(0)} ms), ` +
          `${((1000 * cpuMs) / probes).toFixed(0)} µs per probe, mean interval ${((1000 * wall) / probes / 1000).toFixed(2)} s, most in flight ${stats.maxInFlight}, failures ${stats.services.web?.failures}`,
      );
      // Loopback answers within the timeout; allow a handful of failures on a loaded machine.
      expect(stats.services.web?.failures ?? 0).toBeLessThanOrEqual(probes / 200);
      // At 1 s every instance would be probed 20 times; a loaded machine slows probes (and so the
      // queue) down, but each instance is still probed several times.
      expect(probes).toBeGreaterThan(5000);
      expect(stats.maxInFlight).toBeLessThanOrEqual(64);
    }
  });
});
