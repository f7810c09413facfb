/**
 * Change → file latency per registry source, against REAL servers the benchmark starts itself on
 * free loopback ports (Debian's etcd, ZooKeeper and BIND 9, as the integration tests use; all
 * killed at the end). Prints a Markdown table and one JSON line; asserts nothing.
 *
 *   npm run build && node dist/bench/sources.js            (BENCH_CHANGES=50 by default)
 *
 * For each source the daemon (`--wait 0`, guards off) renders one service of one or two
 * instances; a second instance is registered and removed BENCH_CHANGES times in all. A sample is
 * the time from the registry call returning (etcd put/delete through the etcd3 client, a
 * ZooKeeper create/delete of an ephemeral node, an nsupdate run exiting) to the destination
 * file showing the new state (polled every millisecond). Changes are BENCH_GAP_MS (100) plus a
 * random 0-BENCH_GAP_JITTER_MS (1000) apart.
 * DNS is polled, not pushed: its latency is bounded by the re-resolution interval (the records'
 * 1 s TTL here, kept within min_ttl=100ms..max_ttl=1s): about half of it on average.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDns } from '../test/support/dns.js';
import { startEtcd } from '../test/support/etcd.js';
import { killAtCleanup, stopChild } from '../test/support/process.js';
import { tempDir } from '../test/support/tmp.js';
import { waitFor } from '../test/support/wait.js';
import { startZooKeeper } from '../test/support/zookeeper.js';
import { markdownTable, median, quantile, ROOT, round } from './common.js';

const CHANGES = Number(process.env.BENCH_CHANGES ?? 50);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 100);
/** A random extra pause before each change, so a polled source is not always hit at one phase. */
const GAP_JITTER_MS = Number(process.env.BENCH_GAP_JITTER_MS ?? 1000);
const CHANGE_TIMEOUT_MS = 15_000;
const BIN = join(ROOT, 'dist/src/bin.js');

interface Registry {
  readonly name: string;
  /** The --source URI and the service query for the template. */
  readonly uri: string;
  readonly query: string;
  /** Adds (true) or removes (false) the second instance, 10.0.0.2:80. */
  change(present: boolean): Promise<void>;
  stop(): Promise<void>;
}

async function etcdRegistry(): Promise<Registry> {
  const cluster = await startEtcd();
  const etcd = cluster.client();
  await etcd.put('services/web/a').value('10.0.0.1:80');
  return {
    name: 'etcd 3.4 (watch)',
    uri: `etcd://${cluster.endpoints}/services`,
    query: '(service "web")',
    change: async (present) => {
      if (present) await etcd.put('services/web/b').value('10.0.0.2:80');
      else await etcd.delete().key('services/web/b');
    },
    stop: () => cluster.stop(),
  };
}

async function zookeeperRegistry(): Promise<Registry> {
  const zk = await startZooKeeper();
  const session = await zk.session();
  const node = (id: string, address: string): string => JSON.stringify({ name: 'web', id, address, port: 80, payload: null, serviceType: 'DYNAMIC' });
  await session.create('/services/web/a', node('a', '10.0.0.1'), 'ephemeral');
  return {
    name: 'ZooKeeper 3.8 (watches)',
    uri: `zk://${zk.address}/services`,
    query: '(service "web")',
    change: async (present) => {
      if (present) await session.create('/services/web/b', node('b', '10.0.0.2'), 'ephemeral');
      else await session.remove('/services/web/b');
    },
    stop: () => zk.stop(),
  };
}

async function dnsRegistry(): Promise<Registry> {
  const dns = await startDns('bench.test');
  await dns.update(['update add a.bench.test 1 A 10.0.0.1', 'update add b.bench.test 1 A 10.0.0.2', 'update add _http._tcp.web.bench.test 1 SRV 0 0 80 a.bench.test.']);
  return {
    name: 'DNS SRV, BIND 9 (TTL 1 s, polled)',
    uri: `dns://${dns.address}?min_ttl=100ms&max_ttl=1s`,
    query: '(service "_http._tcp.web.bench.test")',
    change: (present) => dns.update([`update ${present ? 'add' : 'delete'} _http._tcp.web.bench.test 1 SRV 0 0 80 b.bench.test.`]),
    stop: () => dns.kill(),
  };
}

async function measure(registry: Registry): Promise<number[]> {
  const dir = await tempDir('ctmpl-bench-src-');
  const template = join(dir, 't.hbs');
  const out = join(dir, 'out.conf');
  writeFileSync(template, `{{#each ${registry.query}}}{{Address}}:{{Port}}\n{{/each}}`);
  const daemon: ChildProcess = killAtCleanup(
    spawn(process.execPath, [BIN, '--source', registry.uri, '-t', `${template}:${out}`, '--wait', '0', '--flap', 'off', '--max-removal', 'off', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  const read = (): string | undefined => {
    try {
      return readFileSync(out, 'utf8');
    } catch {
      return undefined;
    }
  };
  const one = '10.0.0.1:80\n';
  const two = '10.0.0.1:80\n10.0.0.2:80\n';
  try {
    await waitFor(() => read() === one, { timeoutMs: 20_000, what: `${registry.name}: first render` });
    const samples: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const present = i % 2 === 0;
      await registry.change(present);
      const started = performance.now();
      const expected = present ? two : one;
      for (;;) {
        if (read() === expected) break;
        if (performance.now() - started > CHANGE_TIMEOUT_MS) throw new Error(`${registry.name}: change ${i} did not reach the file`);
        await sleep(1);
      }
      samples.push(performance.now() - started);
      await sleep(GAP_MS + Math.random() * GAP_JITTER_MS);
    }
    return samples;
  } finally {
    await stopChild(daemon);
  }
}

async function main(): Promise<void> {
  if (!existsSync(BIN)) throw new Error(`${BIN} does not exist: run \`npm run build\` first`);
  const rows: (string | number)[][] = [];
  const json: Record<string, { median_ms: number; p90_ms: number; max_ms: number; samples: number }> = {};
  for (const start of [etcdRegistry, zookeeperRegistry, dnsRegistry]) {
    const registry = await start();
    try {
      const samples = await measure(registry);
      const figures = { median_ms: round(median(samples), 1), p90_ms: round(quantile(samples, 0.9), 1), max_ms: round(Math.max(...samples), 1), samples: samples.length };
      json[registry.name] = figures;
      rows.push([registry.name, figures.samples, figures.median_ms, figures.p90_ms, figures.max_ms]);
    } finally {
      await registry.stop();
    }
  }
  console.log(markdownTable(['source', 'changes', 'median ms', 'p90 ms', 'max ms'], rows));
  console.log(JSON.stringify({ bench: 'sources', changes: CHANGES, results: json }));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
