/**
 * Consul client cost per request, in this process, against a real Consul dev agent holding
 * BENCH_CLIENT_SERVICES (200) services of BENCH_CLIENT_INSTANCES (10) instances:
 * - answers: every service read without blocking (index 0, the body decoded, as a watch's first
 *   read), BENCH_CLIENT_ROUNDS (10) rounds, 64 at a time;
 * - wake-ups: every service read blocking with its current index and a 1 s wait, so each request
 *   ends with the index unchanged (what a thousand idle watches do every wait), for
 *   BENCH_CLIENT_SECONDS (10) s, 64 watch loops at a time.
 * CPU is this process's user + system time (process.cpuUsage) per request; the floor is one bare
 * node:http GET per request with a keep-alive agent and nothing done with the answer.
 *
 * Other builds of the client can run in the same process for a before/after:
 * BENCH_CLIENT_MODULES=label=/path/to/dist/src/registries/consul/client.js,…
 *
 *   npm run build && node dist/bench/client-cpu.js
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ConsulReader } from '../src/registries/consul/watch.js';
import type { ConsulSettings } from '../src/registries/consul/settings.js';
import { registerCatalog, startConsul } from '../test/support/consul.js';
import { isMain, markdownTable, middle, progress, round } from './common.js';
import { scaleInstances } from './scale.js';
import { BENCH_AGENT_CONFIG } from './tools.js';

const SERVICES = Number(process.env.BENCH_CLIENT_SERVICES ?? 200);
const INSTANCES = Number(process.env.BENCH_CLIENT_INSTANCES ?? 10);
const ROUNDS = Number(process.env.BENCH_CLIENT_ROUNDS ?? 10);
const SECONDS = Number(process.env.BENCH_CLIENT_SECONDS ?? 10);
const PARALLEL = 64;

type ClientModule = { ConsulClient: new (settings: ConsulSettings, token: string | undefined) => ConsulReader & { destroy(): void } };

interface Candidate {
  readonly label: string;
  make(address: string): ConsulReader & { destroy(): void };
}

function settingsFor(address: string): ConsulSettings {
  return {
    address,
    scheme: 'http',
    token: undefined,
    tokenFile: undefined,
    auth: undefined,
    tls: { caCert: undefined, caPath: undefined, clientCert: undefined, clientKey: undefined, serverName: undefined, verify: true },
    blockWaitMs: 1000,
    maxStaleMs: 2000,
    consistent: false,
    cached: false,
    minIntervalMs: 0,
    retry: { enabled: true, attempts: 12 },
  } as ConsulSettings;
}

/** The floor: one GET, the body read and dropped, the index header kept. */
function bareHttp(address: string): ConsulReader & { destroy(): void } {
  const [host, port] = address.split(':') as [string, string];
  const agent = new Agent({ keepAlive: true });
  return {
    read: (req, blocking) =>
      new Promise((resolve, reject) => {
        const name = req.kind === 'health' ? req.service : '';
        const r = request({ host, port: Number(port), agent, path: `/v1/health/service/${name}?passing=true&stale=1&index=${blocking.index}&wait=1s` }, (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve({ body: undefined, index: Number(res.headers['x-consul-index']), knownLeader: true, lastContactMs: 0, backend: undefined }));
        });
        r.on('error', reject);
        r.end();
      }),
    destroy: () => agent.destroy(),
  };
}

async function candidates(): Promise<Candidate[]> {
  const own = (await import('../src/registries/consul/client.js')) as unknown as ClientModule;
  const list: Candidate[] = [{ label: 'ctmpl client (this build)', make: (a) => new own.ConsulClient(settingsFor(a), undefined) }];
  for (const spec of (process.env.BENCH_CLIENT_MODULES ?? '').split(',').filter((s) => s.includes('='))) {
    const [label, path] = spec.split('=') as [string, string];
    const mod = (await import(path)) as ClientModule;
    list.push({ label, make: (a) => new mod.ConsulClient(settingsFor(a), undefined) });
  }
  list.push({ label: 'bare node:http (floor)', make: bareHttp });
  return list;
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Runs `task(i)` for i in 0..n-1, `PARALLEL` at a time. */
async function pool(n: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(PARALLEL, n) }, async () => {
    while (next < n) await task(next++);
  }));
}

interface Figures {
  answerCpuUs: number;
  wakeupCpuUs: number;
  wakeups: number;
}

async function measure(candidate: Candidate, address: string, names: readonly string[]): Promise<Figures> {
  const client = candidate.make(address);
  const requests = names.map((service) => ({ kind: 'health' as const, service, passingOnly: true }));
  const indexes = new Map<string, number>();
  try {
    // Warm-up: one round (connections open, code optimised), which also learns each index.
    await pool(requests.length, async (i) => {
      const reply = await client.read(requests[i] as (typeof requests)[number], { index: 0, waitMs: 1000, mode: 'stale' }, new AbortController().signal);
      void (reply.body as unknown);
      indexes.set(names[i] as string, reply.index ?? 0);
    });
    const per: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const c0 = cpuMs();
      await pool(requests.length, async (i) => {
        const reply = await client.read(requests[i] as (typeof requests)[number], { index: 0, waitMs: 1000, mode: 'stale' }, new AbortController().signal);
        void (reply.body as unknown);
      });
      per.push(((cpuMs() - c0) * 1000) / requests.length);
    }
    // Wake-ups: each loop re-asks its service with the index it has; nothing changes, so each
    // request ends after the 1 s wait (plus Consul's jitter) with the same index.
    let wakeups = 0;
    const deadline = performance.now() + SECONDS * 1000;
    const c1 = cpuMs();
    await pool(requests.length, async (i) => {
      const req = requests[i] as (typeof requests)[number];
      // One signal per loop, as each watch has its own.
      const signal = new AbortController().signal;
      while (performance.now() < deadline) {
        const reply = await client.read(req, { index: indexes.get(req.service) ?? 1, waitMs: 1000, mode: 'stale' }, signal);
        // A watch converts only when the index moved (BlockingWatch.unchanged()).
        if (reply.index !== indexes.get(req.service)) void (reply.body as unknown);
        wakeups++;
      }
    });
    return { answerCpuUs: round(middle(per), 1), wakeupCpuUs: round(((cpuMs() - c1) * 1000) / wakeups, 1), wakeups };
  } finally {
    client.destroy();
  }
}

export async function runClientCpu(): Promise<{ details: string; data: unknown }> {
  const agent = await startConsul({ config: BENCH_AGENT_CONFIG });
  try {
    await registerCatalog(agent, scaleInstances(SERVICES, INSTANCES));
    const names = Array.from({ length: SERVICES }, (_, s) => `svc-${String(s).padStart(4, '0')}`);
    const list = await candidates();
    const results: [string, Figures][] = [];
    for (const c of list) {
      progress(`client-cpu: ${c.label}…`);
      results.push([c.label, await measure(c, agent.address, names)]);
    }
    const details = [
      `### Consul client CPU per request — ${SERVICES} services × ${INSTANCES} instances, ${PARALLEL} in flight, node ${process.version}`,
      '',
      markdownTable(
        ['client', 'answer, decoded (µs CPU)', 'idle wake-up, same index (µs CPU)', 'wake-ups'],
        results.map(([label, f]) => [label, f.answerCpuUs, f.wakeupCpuUs, f.wakeups]),
      ),
    ].join('\n');
    return { details, data: Object.fromEntries(results) };
  } finally {
    await agent.stop();
  }
}

if (isMain(import.meta.url)) {
  const report = await runClientCpu();
  console.log(report.details);
  console.log(JSON.stringify({ bench: 'client-cpu', node: process.version, services: SERVICES, instances: INSTANCES, ...(report.data as object) }));
}
