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
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Etcd3 } from 'etcd3';
import { ZkSession } from '../src/registries/zookeeper/client.js';
import { markdownTable, median, quantile, ROOT, round } from './common.js';
import { benchDir, freePort, sleep, stopChild, track } from './consul-agent.js';

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

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function etcdRegistry(): Promise<Registry> {
  const [client, peer] = [await freePort(), await freePort()];
  const dir = benchDir('ctmpl-bench-etcd-');
  const child = track(
    spawn('etcd', ['--name', 'b', '--data-dir', join(dir, 'd'), '--listen-client-urls', `http://127.0.0.1:${client}`, '--advertise-client-urls', `http://127.0.0.1:${client}`,
      '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`, '--initial-cluster', `b=http://127.0.0.1:${peer}`, '--log-level', 'error', '--logger', 'zap'], { stdio: 'ignore' }),
  );
  await until(async () => ((await fetch(`http://127.0.0.1:${client}/health`).catch(() => undefined))?.ok ? true : undefined), 20_000, 'etcd');
  const etcd = new Etcd3({ hosts: `http://127.0.0.1:${client}` });
  await etcd.put('services/web/a').value('10.0.0.1:80');
  return {
    name: 'etcd 3.4 (watch)',
    uri: `etcd://127.0.0.1:${client}/services`,
    query: '(service "web")',
    change: async (present) => {
      if (present) await etcd.put('services/web/b').value('10.0.0.2:80');
      else await etcd.delete().key('services/web/b');
    },
    stop: async () => {
      etcd.close();
      await stopChild(child);
    },
  };
}

async function zookeeperRegistry(): Promise<Registry> {
  const port = await freePort();
  const dir = benchDir('ctmpl-bench-zk-');
  writeFileSync(join(dir, 'zoo.cfg'), `tickTime=200\ndataDir=${join(dir, 'data')}\nclientPort=${port}\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=ruok\n`);
  const child = track(
    spawn('java', ['-Xmx256m', '-cp', '/etc/zookeeper/conf:/usr/share/java/zookeeper.jar', `-Dzookeeper.log.dir=${dir}`, '-Dzookeeper.root.logger=WARN,CONSOLE', 'org.apache.zookeeper.server.quorum.QuorumPeerMain', join(dir, 'zoo.cfg')], { stdio: 'ignore' }),
  );
  const ruok = (): Promise<boolean> =>
    new Promise((resolve) => {
      let answer = '';
      const socket = createConnection({ host: '127.0.0.1', port }, () => socket.end('ruok'));
      socket.on('data', (c) => (answer += c.toString()));
      socket.on('error', () => resolve(false));
      socket.on('close', () => resolve(answer === 'imok'));
    });
  await until(async () => ((await ruok()) ? true : undefined), 20_000, 'ZooKeeper');
  const session = new ZkSession([`127.0.0.1:${port}`], 30_000, () => undefined);
  session.connect();
  await session.connected(10_000);
  const node = (id: string, address: string): string => JSON.stringify({ name: 'web', id, address, port: 80, payload: null, serviceType: 'DYNAMIC' });
  await session.create('/services/web/a', node('a', '10.0.0.1'), 'ephemeral');
  return {
    name: 'ZooKeeper 3.8 (watches)',
    uri: `zk://127.0.0.1:${port}/services`,
    query: '(service "web")',
    change: async (present) => {
      if (present) await session.create('/services/web/b', node('b', '10.0.0.2'), 'ephemeral');
      else await session.remove('/services/web/b');
    },
    stop: async () => {
      session.close();
      await stopChild(child);
    },
  };
}

async function dnsRegistry(): Promise<Registry> {
  const port = await freePort();
  const dir = benchDir('ctmpl-bench-dns-');
  writeFileSync(
    join(dir, 'named.conf'),
    `options { directory "${dir}"; pid-file "${dir}/named.pid"; listen-on port ${port} { 127.0.0.1; }; listen-on-v6 { none; }; recursion no; dnssec-validation no; notify no; };\ncontrols { };\nzone "bench.test" { type primary; file "${dir}/bench.test.zone"; allow-update { 127.0.0.1; }; };\n`,
  );
  writeFileSync(join(dir, 'bench.test.zone'), '$TTL 1\n@ IN SOA ns.bench.test. admin.bench.test. 1 60 60 600 1\n@ IN NS ns.bench.test.\nns IN A 127.0.0.1\n');
  const named = existsSync('/usr/sbin/named') ? '/usr/sbin/named' : 'named';
  const child = track(spawn(named, ['-g', '-c', join(dir, 'named.conf')], { stdio: 'ignore' }));
  const update = (lines: string[]): void => {
    const result = spawnSync('nsupdate', [], { input: [`server 127.0.0.1 ${port}`, 'zone bench.test', ...lines, 'send', ''].join('\n'), encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`nsupdate: ${result.stderr}`);
  };
  await until(() => {
    try {
      update(['update add a.bench.test 1 A 10.0.0.1', 'update add b.bench.test 1 A 10.0.0.2', 'update add _http._tcp.web.bench.test 1 SRV 0 0 80 a.bench.test.']);
      return true;
    } catch {
      return undefined;
    }
  }, 15_000, 'named');
  return {
    name: 'DNS SRV, BIND 9 (TTL 1 s, polled)',
    uri: `dns://127.0.0.1:${port}?min_ttl=100ms&max_ttl=1s`,
    query: '(service "_http._tcp.web.bench.test")',
    change: async (present) => update([`update ${present ? 'add' : 'delete'} _http._tcp.web.bench.test 1 SRV 0 0 80 b.bench.test.`]),
    stop: () => stopChild(child),
  };
}

async function measure(registry: Registry): Promise<number[]> {
  const dir = benchDir('ctmpl-bench-src-');
  const template = join(dir, 't.hbs');
  const out = join(dir, 'out.conf');
  writeFileSync(template, `{{#each ${registry.query}}}{{Address}}:{{Port}}\n{{/each}}`);
  const daemon: ChildProcess = track(
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
    await until(() => (read() === one ? true : undefined), 20_000, `${registry.name}: first render`);
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
