/**
 * Consul benchmark against a REAL dev agent the benchmark starts itself (free loopback ports,
 * always killed at the end). Prints a Markdown table and one JSON line; asserts nothing.
 *
 *   npm run build && node dist/bench/consul.js
 *
 * (a) Latency: the daemon (`--wait 0`) watches one service of two instances; one instance's TTL
 *     check is flipped pass/fail BENCH_FLIPS times (default 100), BENCH_FLIP_GAP_MS apart (default
 *     250, more than the 100-150 ms a query waits between two requests, so each flip is measured
 *     alone). Each sample is the time from the check's HTTP PUT returning to the destination file
 *     showing the new state (polled every millisecond).
 * (b) Idle load: 100 services (plus `web` and Consul's own `consul`) watched by a template looping
 *     over (services) and (service Name), through a counting loopback proxy. After the first full
 *     render and BENCH_SETTLE_SECONDS (default 5), requests are counted for BENCH_IDLE_SECONDS
 *     (default 60). With Consul's 60 s blocking wait (+ up to wait/16 of jitter), an idle query
 *     costs just under one request a minute.
 *
 * consul-template runs the same scenarios when its pinned binary is already built
 * (test/support/obtain-tools.sh; BENCH_CONSUL_TEMPLATE=1 builds it if needed, =0 skips it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { markdownTable, median, quantile, ROOT, round } from './common.js';
import { benchDir, obtainTool, sleep, startConsulAgent, startCountingProxy, stopChild, track, type ConsulAgent } from './consul-agent.js';

const FLIPS = Number(process.env.BENCH_FLIPS ?? 100);
const FLIP_GAP_MS = Number(process.env.BENCH_FLIP_GAP_MS ?? 250);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 5);
const IDLE_SERVICES = 100;
const FLIP_TIMEOUT_MS = 15_000;
const BIN = join(ROOT, 'dist/src/bin.js');

interface Tool {
  readonly name: string;
  /** Template text for the latency (one service) and idle (all services) scenarios. */
  readonly templates: { readonly latency: string; readonly idle: string };
  start(template: string, out: string, consulAddr: string): ChildProcess;
  /** consul-template passes SIGTERM on to a child and stays up; SIGINT stops it. */
  readonly stopSignal: NodeJS.Signals;
}

/** Flap damping would delay the flipping service on purpose; the bench measures the plain path. */
function ctmplGuardArgs(): string[] {
  return ['--flap', 'off'];
}

function ctmpl(): Tool {
  if (!existsSync(BIN)) throw new Error(`${BIN} does not exist: run \`npm run build\` first`);
  const guards = ctmplGuardArgs();
  return {
    name: `ctmpl${guards.length > 0 ? ` (${guards.join(' ')})` : ''}`,
    stopSignal: 'SIGTERM',
    templates: {
      latency: '{{#each (service "web")}}server {{Address}}:{{Port}};\n{{/each}}',
      idle: '{{#each (services)}}{{#each (service Name)}}{{Name}} {{Address}}:{{Port}}\n{{/each}}{{/each}}',
    },
    start: (template, out, consulAddr) =>
      spawn(process.execPath, [BIN, '-t', `${template}:${out}`, '--consul-addr', consulAddr, '--wait', '0', '--log-level', 'warn', ...guards], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, CONSUL_HTTP_TOKEN: '', CONSUL_HTTP_ADDR: '' },
      }),
  };
}

/** The pinned consul-template, if wanted and available (see the header). */
function consulTemplate(): Tool | undefined {
  const want = process.env.BENCH_CONSUL_TEMPLATE ?? 'auto';
  if (want === '0') return undefined;
  let binary: string | undefined = process.env.CONSUL_TEMPLATE_BIN;
  if (!binary && want === 'auto') {
    // Where obtain-tools.sh puts it, without building it.
    const script = readFileSync(join(ROOT, 'test/support/obtain-tools.sh'), 'utf8');
    const version = process.env.CT_VERSION ?? /CT_VERSION="\$\{CT_VERSION:-([^}]+)\}"/.exec(script)?.[1];
    const dir = process.env.CTMPL_TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ctmpl');
    const candidate = version ? join(dir, `consul-template-${version}`) : undefined;
    binary = candidate && existsSync(candidate) ? candidate : undefined;
  }
  if (!binary && want !== 'auto') binary = obtainTool('consul-template');
  if (!binary) return undefined;
  const path = binary;
  return {
    name: 'consul-template',
    stopSignal: 'SIGINT',
    templates: {
      latency: '{{range service "web"}}server {{.Address}}:{{.Port}};\n{{end}}',
      idle: '{{range services}}{{range service .Name}}{{.Name}} {{.Address}}:{{.Port}}\n{{end}}{{end}}',
    },
    start: (template, out, consulAddr) =>
      spawn(path, ['-consul-addr', consulAddr, '-template', `${template}:${out}`, '-log-level', 'warn'], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, CONSUL_HTTP_TOKEN: '', CONSUL_HTTP_ADDR: '' },
      }),
  };
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Polls `path` every millisecond until `predicate` holds; returns performance.now() at that moment. */
async function waitForFile(path: string, predicate: (text: string) => boolean, timeoutMs: number, child: ChildProcess): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (predicate(readOrEmpty(path))) return performance.now();
    if (child.exitCode !== null) throw new Error(`the tool exited (${child.exitCode}) while waiting for ${path}`);
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${path} (content: ${JSON.stringify(readOrEmpty(path).slice(0, 300))})`);
    await sleep(1);
  }
}

const WEB_1 = { ID: 'web-1', Name: 'web', Address: '10.0.0.1', Port: 8080 };
const WEB_2 = { ID: 'web-2', Name: 'web', Address: '10.0.0.2', Port: 8080 };
const FLIPPING_CHECK = 'ttl-web-2';

interface LatencyResult {
  samples: number;
  minMs: number;
  medianMs: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

async function latency(tool: Tool, agent: ConsulAgent): Promise<LatencyResult> {
  const dir = benchDir('ctmpl-bench-latency-');
  const template = join(dir, 'web.tpl');
  const out = join(dir, 'web.conf');
  writeFileSync(template, tool.templates.latency);
  await agent.api('PUT', `/v1/agent/check/pass/${FLIPPING_CHECK}`);
  const child = track(tool.start(template, out, agent.address));
  const hasWeb2 = (text: string): boolean => text.includes('10.0.0.1:8080') && text.includes('10.0.0.2:8080');
  const withoutWeb2 = (text: string): boolean => text.includes('10.0.0.1:8080') && !text.includes('10.0.0.2:8080');
  try {
    await waitForFile(out, hasWeb2, 20_000, child);
    await sleep(1000);
    const samples: number[] = [];
    for (let i = 0; i < FLIPS; i++) {
      const fail = i % 2 === 0;
      await agent.api('PUT', `/v1/agent/check/${fail ? 'fail' : 'pass'}/${FLIPPING_CHECK}`);
      const started = performance.now();
      const seen = await waitForFile(out, fail ? withoutWeb2 : hasWeb2, FLIP_TIMEOUT_MS, child);
      samples.push(seen - started);
      await sleep(FLIP_GAP_MS);
    }
    return {
      samples: samples.length,
      minMs: round(Math.min(...samples), 1),
      medianMs: round(median(samples), 1),
      p90Ms: round(quantile(samples, 0.9), 1),
      p99Ms: round(quantile(samples, 0.99), 1),
      maxMs: round(Math.max(...samples), 1),
    };
  } finally {
    await stopChild(child, 5000, tool.stopSignal);
  }
}

interface IdleResult {
  seconds: number;
  queries: number;
  requests: number;
  requestsPerMinute: number;
  perQueryPerMinute: number;
}

async function idle(tool: Tool, agent: ConsulAgent): Promise<IdleResult> {
  const dir = benchDir('ctmpl-bench-idle-');
  const template = join(dir, 'all.tpl');
  const out = join(dir, 'all.conf');
  writeFileSync(template, tool.templates.idle);
  const proxy = await startCountingProxy(agent.address);
  const child = track(tool.start(template, out, proxy.address));
  try {
    const allRendered = (text: string): boolean => text.split('\n').filter((l) => l.startsWith('svc-')).length === IDLE_SERVICES;
    await waitForFile(out, allRendered, 60_000, child);
    await sleep(SETTLE_SECONDS * 1000);
    proxy.reset();
    await sleep(IDLE_SECONDS * 1000);
    const requests = proxy.total();
    const queries = proxy.byPath.size;
    const requestsPerMinute = (requests / IDLE_SECONDS) * 60;
    return {
      seconds: IDLE_SECONDS,
      queries,
      requests,
      requestsPerMinute: round(requestsPerMinute, 1),
      perQueryPerMinute: queries > 0 ? round(requestsPerMinute / queries, 2) : 0,
    };
  } finally {
    await stopChild(child, 5000, tool.stopSignal);
    await proxy.close();
  }
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const tools = [ctmpl(), consulTemplate()].filter((t): t is Tool => t !== undefined);
  const agent = await startConsulAgent();
  try {
    const self = (await agent.api('GET', '/v1/agent/self')) as { Config?: { Version?: string } };
    const consulVersion = self.Config?.Version ?? 'unknown';
    await agent.api('PUT', '/v1/agent/service/register', WEB_1);
    await agent.api('PUT', '/v1/agent/service/register', { ...WEB_2, Check: { CheckID: FLIPPING_CHECK, TTL: '10m' } });
    for (let i = 0; i < IDLE_SERVICES; i++) {
      const name = `svc-${String(i).padStart(3, '0')}`;
      await agent.api('PUT', '/v1/agent/service/register', { ID: `${name}-1`, Name: name, Address: `10.1.${Math.floor(i / 250)}.${1 + (i % 250)}`, Port: 9000 + i, Tags: ['v1'] });
    }

    const results: { tool: string; latency: LatencyResult; idle: IdleResult }[] = [];
    for (const tool of tools) {
      process.stderr.write(`bench consul: ${tool.name}: ${FLIPS} flips…\n`);
      const lat = await latency(tool, agent);
      process.stderr.write(`bench consul: ${tool.name}: idle load, ${SETTLE_SECONDS} s settle + ${IDLE_SECONDS} s window…\n`);
      const load = await idle(tool, agent);
      results.push({ tool: tool.name, latency: lat, idle: load });
    }

    console.log(
      `## Consul benchmark — Consul ${consulVersion} dev agent, node ${process.version}; ${FLIPS} TTL flips ${FLIP_GAP_MS} ms apart; ` +
        `${IDLE_SERVICES + 2} services idle for ${IDLE_SECONDS} s after ${SETTLE_SECONDS} s settle\n`,
    );
    console.log(
      markdownTable(
        ['tool', 'flip→file median ms', 'p90 ms', 'p99 ms', 'max ms', 'idle queries', `requests in ${IDLE_SECONDS} s`, 'requests/min', 'req/min/query'],
        results.map((r) => [
          r.tool,
          r.latency.medianMs,
          r.latency.p90Ms,
          r.latency.p99Ms,
          r.latency.maxMs,
          r.idle.queries,
          r.idle.requests,
          r.idle.requestsPerMinute,
          r.idle.perQueryPerMinute,
        ]),
      ),
    );
    console.log(`\n(${round((performance.now() - startedAt) / 1000, 1)} s)`);
    console.log(
      JSON.stringify({ bench: 'consul', node: process.version, consul: consulVersion, flips: FLIPS, flipGapMs: FLIP_GAP_MS, idleSeconds: IDLE_SECONDS, settleSeconds: SETTLE_SECONDS, results }),
    );
  } finally {
    await agent.stop();
  }
}

await main();
