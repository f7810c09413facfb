/**
 * Change → file latency per registry source, against REAL servers the benchmark starts itself on
 * free loopback ports through the test harness (bench/registries.ts): Debian's etcd, ZooKeeper and
 * BIND 9, Spring Cloud's Eureka server and rnacos for Nacos, as the integration tests use; all
 * killed at the end. Prints a Markdown table and one JSON line; asserts nothing.
 *
 *   npm run build && node dist/bench/sources.js            (BENCH_CHANGES=50 by default)
 *   BENCH_SOURCES=eureka,nacos-grpc node dist/bench/sources.js
 *
 * BENCH_SOURCES picks registries, comma-separated, run in the order given: etcd, zookeeper, dns,
 * eureka, nacos-grpc, nacos-http (default: all, in that order). The Eureka server and rnacos are
 * built once, outside the repository, by test/support/eureka/obtain.sh and
 * test/support/nacos/obtain.sh: when one is missing the benchmark stops before measuring and says so.
 *
 * For each source the daemon (`--wait 0`, guards off) renders one service of one or two
 * instances; a second instance is registered and removed BENCH_CHANGES times in all. A sample is
 * the time from the registry call returning (etcd put/delete through the etcd3 client, a
 * ZooKeeper create/delete of an ephemeral node, an nsupdate run exiting, Eureka's REST register
 * (POST) / cancel (DELETE) answering, a Nacos v1 open-API register/deregister of a persistent
 * instance answering) to the destination file showing the new state (polled every millisecond).
 * Changes are BENCH_GAP_MS (100) plus a random 0-BENCH_GAP_JITTER_MS (1000) apart.
 * Polled sources' latency is bounded by their interval, 1 s for each here, and is about half of it
 * on average: DNS (the records' 1 s TTL, kept within min_ttl=100ms..max_ttl=1s), Eureka (a delta
 * fetch every `interval=1s`; the harness's server has its response cache off, as the tests) and
 * Nacos over HTTP (`transport=http&poll_interval=1s`). Nacos over gRPC (`transport=grpc`) is
 * pushed, but the server holds each push back to coalesce changes (rnacos 0.8.8: 500 ms, sent on
 * its next 500 ms tick, so 0.5-1 s; Nacos's own server has a 500 ms push delay too): that row can
 * be slower than polling at 1 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { killAtCleanup, stopChild } from '../test/support/process.js';
import { tempDir } from '../test/support/tmp.js';
import { waitFor } from '../test/support/wait.js';
import { markdownTable, median, quantile, ROOT, round } from './common.js';
import { REGISTRIES, REGISTRY_KEYS, type Registry, type RegistryKey } from './registries.js';

const CHANGES = Number(process.env.BENCH_CHANGES ?? 50);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 100);
/** A random extra pause before each change, so a polled source is not always hit at one phase. */
const GAP_JITTER_MS = Number(process.env.BENCH_GAP_JITTER_MS ?? 1000);
const CHANGE_TIMEOUT_MS = 15_000;
const BIN = join(ROOT, 'dist/src/bin.js');

/** BENCH_SOURCES: a comma-separated subset of the registries, run in the order given (default: all). */
function selectedRegistries(value = process.env.BENCH_SOURCES): RegistryKey[] {
  if (value === undefined || value.trim() === '') return [...REGISTRY_KEYS];
  const keys = [...new Set(value.split(',').map((k) => k.trim()).filter((k) => k !== ''))];
  const isKey = (k: string): k is RegistryKey => (REGISTRY_KEYS as readonly string[]).includes(k);
  const unknown = keys.filter((k) => !isKey(k));
  if (unknown.length > 0) throw new Error(`BENCH_SOURCES: unknown ${unknown.map((k) => `"${k}"`).join(', ')}; the registries are ${REGISTRY_KEYS.join(',')}`);
  return keys.filter(isKey);
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
  const keys = selectedRegistries();
  // Every server obtained before the first measurement, rather than a failure halfway through.
  for (const key of keys) REGISTRIES[key].check?.();
  const rows: (string | number)[][] = [];
  const json: Record<string, { median_ms: number; p90_ms: number; max_ms: number; samples: number }> = {};
  for (const key of keys) {
    const registry = await REGISTRIES[key].start();
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
