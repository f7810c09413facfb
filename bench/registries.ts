/**
 * The registries bench/sources.ts measures: each starts a REAL server through the test harness
 * (test/support/), holds one instance of service "web" (10.0.0.1:80) and adds or removes a second
 * one (10.0.0.2:80) on request. The harness stops every server when the process ends, whatever
 * happens; `stop()` stops it earlier.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { startDns } from '../test/support/dns.js';
import { startEtcd } from '../test/support/etcd.js';
import { startEureka, type EurekaRegistration } from '../test/support/eureka/harness.js';
import { RNACOS_VERSION, startNacos, type InstanceSpec } from '../test/support/nacos/harness.js';
import { startZooKeeper } from '../test/support/zookeeper.js';
import { ROOT } from './common.js';

export interface Registry {
  readonly name: string;
  /** The --source URI and the service query for the template. */
  readonly uri: string;
  readonly query: string;
  /** Adds (true) or removes (false) the second instance, 10.0.0.2:80. */
  change(present: boolean): Promise<void>;
  stop(): Promise<void>;
}

/** The names BENCH_SOURCES takes, in the order the benchmark runs them by default. */
export const REGISTRY_KEYS = ['etcd', 'zookeeper', 'dns', 'eureka', 'nacos-grpc', 'nacos-http'] as const;
export type RegistryKey = (typeof REGISTRY_KEYS)[number];

export interface RegistryKind {
  /** Throws, saying how to obtain it, when the server is not on this machine (checked before any measurement). */
  readonly check?: () => void;
  readonly start: () => Promise<Registry>;
}

/**
 * The polled rows' interval, in seconds: 1 s, as the DNS row's TTL, and as docs/registries/eureka.md
 * and the Eureka integration test measure with (1 s is also the least Eureka's `interval` takes).
 */
const EUREKA_INTERVAL_S = 1;
const NACOS_POLL_INTERVAL_S = 1;

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

/** Where test/support's obtain.sh scripts cache what they build (the same rule as theirs). */
function toolsDir(): string {
  const env = (name: string): string | undefined => (process.env[name] === '' ? undefined : process.env[name]);
  return env('CTMPL_TOOLS_DIR') ?? join(env('XDG_CACHE_HOME') ?? join(homedir(), '.cache'), 'ctmpl');
}

/** The Spring Cloud release train of the Eureka server obtain.sh builds (it names the cached jar). */
function springCloudVersion(): string {
  const pom = join(ROOT, 'test/support/eureka/server/pom.xml');
  const version = /<spring-cloud\.version>([^<]+)<\/spring-cloud\.version>/.exec(readFileSync(pom, 'utf8'))?.[1];
  if (version === undefined) throw new Error(`no <spring-cloud.version> in ${pom}`);
  return version;
}

/**
 * The harnesses would build a missing server (Maven: a minute; cargo: up to 15) in the middle of a
 * run: the benchmark asks for it to be obtained first instead.
 */
function checkEurekaJar(): void {
  if (process.env.EUREKA_SERVER_JAR) {
    if (!existsSync(process.env.EUREKA_SERVER_JAR)) throw new Error(`EUREKA_SERVER_JAR=${process.env.EUREKA_SERVER_JAR} does not exist`);
    return;
  }
  const jar = join(toolsDir(), `eureka-server-${springCloudVersion()}.jar`);
  if (!existsSync(jar)) {
    throw new Error(`the Eureka server is not built (${jar} is missing): run \`bash test/support/eureka/obtain.sh\` (needs Java 17+ and Maven; about a minute), or set EUREKA_SERVER_JAR`);
  }
  // Handed to the harness through its own override: compiled into dist/, it would look for
  // obtain.sh beside itself, where the build does not copy it.
  process.env.EUREKA_SERVER_JAR = jar;
}

function checkRnacos(): void {
  if (process.env.RNACOS_BIN) {
    if (!existsSync(process.env.RNACOS_BIN)) throw new Error(`RNACOS_BIN=${process.env.RNACOS_BIN} does not exist`);
    return;
  }
  const bin = join(toolsDir(), `rnacos-${RNACOS_VERSION}`, 'bin', 'rnacos');
  if (!existsSync(bin)) {
    throw new Error(`rnacos ${RNACOS_VERSION} is not built (${bin} is missing): run \`RNACOS_VERSION=${RNACOS_VERSION} bash test/support/nacos/obtain.sh\` (needs cargo; 5-15 minutes), or set RNACOS_BIN`);
  }
}

async function eurekaRegistry(): Promise<Registry> {
  const eureka = await startEureka();
  const instance = (id: string, ip: string): EurekaRegistration => ({ app: 'web', id, ip, port: 80 });
  await eureka.register(instance('a', '10.0.0.1'));
  // Renewed as a client does (every 30 s of a 90 s lease), so a long run never sees it evicted.
  const stopRenewals = eureka.keepAlive(instance('a', '10.0.0.1'), 30_000);
  return {
    name: `Eureka, Spring Cloud ${springCloudVersion()} (interval ${EUREKA_INTERVAL_S} s, polled)`,
    uri: `eureka://${eureka.address}?interval=${EUREKA_INTERVAL_S}s`,
    query: '(service "web")',
    change: (present) => (present ? eureka.register(instance('b', '10.0.0.2')) : eureka.deregister('web', 'b')),
    stop: async () => {
      stopRenewals();
      await eureka.stop();
    },
  };
}

/** Persistent instances over the v1 HTTP open API: no heartbeats to keep, nothing expires. */
async function nacosRegistry(transport: 'grpc' | 'http'): Promise<Registry> {
  const nacos = await startNacos();
  const instance = (ip: string): InstanceSpec => ({ service: 'web', ip, port: 80, ephemeral: false });
  await nacos.register(instance('10.0.0.1'));
  const how = transport === 'grpc' ? 'gRPC push' : `HTTP, poll_interval ${NACOS_POLL_INTERVAL_S} s`;
  return {
    name: `Nacos, rnacos ${RNACOS_VERSION} (${how})`,
    uri: `nacos://${nacos.address}?transport=${transport}${transport === 'http' ? `&poll_interval=${NACOS_POLL_INTERVAL_S}s` : ''}`,
    query: '(service "web")',
    change: (present) => (present ? nacos.register(instance('10.0.0.2')) : nacos.deregister(instance('10.0.0.2'))),
    stop: () => nacos.kill(),
  };
}

export const REGISTRIES: Readonly<Record<RegistryKey, RegistryKind>> = {
  etcd: { start: etcdRegistry },
  zookeeper: { start: zookeeperRegistry },
  dns: { start: dnsRegistry },
  eureka: { check: checkEurekaJar, start: eurekaRegistry },
  'nacos-grpc': { check: checkRnacos, start: () => nacosRegistry('grpc') },
  'nacos-http': { check: checkRnacos, start: () => nacosRegistry('http') },
};
