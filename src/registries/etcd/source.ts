import type { Etcd3, IOptions } from 'etcd3';
import { compareInstances, compareStrings, keysUnder, selectInstances, summarizeServices } from '../../catalog/select.js';
import { dependencyId, deepFreeze, type Dependency, type Instance } from '../../catalog/types.js';
import { RangeMirror, type Range } from './mirror.js';
import { parseEtcdInstance, splitServiceKey, type Parsed } from './normalize.js';
import { describeEtcd, readEtcdPassword, readTlsFile, type EtcdSettings } from './settings.js';
import { REGISTRY_BACKOFF, type BackoffPolicy } from '../../util/backoff.js';
import { SourceHealth } from '../health.js';
import type { Source, SourceSink, SourceStats } from '../source.js';

const SERVICES = 'services';

/**
 * etcd v3 behind the Source interface. The service registry is one key range,
 * `PREFIX/<service>/<instance-id>`, kept as a local copy by one RangeMirror (one range read, then
 * one watch): every service query and `services` are answered from it, so a thousand services
 * cost one watch. An instance exists while its key exists (registrations put it with a lease,
 * so a dead process's instances vanish when the lease expires). `key`, `ls` and `tree` read any
 * etcd key, each through its own mirror.
 */
export class EtcdSource implements Source {
  readonly live = true;
  readonly description: string;
  private client: Etcd3 | undefined;
  private sink: SourceSink | undefined;
  readonly health: SourceHealth;
  readonly stats: SourceStats = { requests: 0, failures: 0 };
  /** Dependencies watched, by id. */
  private readonly watched = new Map<string, Dependency>();
  /** The service registry mirror (started with the first service query) and its parsed instances. */
  private registry: RangeMirror | undefined;
  private registryLoaded = false;
  private readonly parsed = new Map<string, Parsed & { service: string }>();
  /** Skipped values already reported (key → value), so each bad value is logged once. */
  private readonly reported = new Map<string, string>();
  /** KV mirrors by dependency id. */
  private readonly kvMirrors = new Map<string, RangeMirror>();

  constructor(
    readonly name: string,
    private readonly settings: EtcdSettings,
    private readonly backoff: BackoffPolicy = REGISTRY_BACKOFF,
  ) {
    this.description = describeEtcd(settings);
    this.health = new SourceHealth(`etcd at ${this.description}`, () => this.sink);
  }

  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
    const { tls } = this.settings;
    const password = readEtcdPassword(this.settings);
    const options: IOptions = {
      hosts: [...this.settings.endpoints],
      dialTimeout: this.settings.timeoutMs,
      // Unary calls (range reads, auth) time out; the long-lived watch stream must not.
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + this.settings.timeoutMs }),
      ...(this.settings.secure
        ? {
            credentials: {
              rootCertificate: readTlsFile(tls.caCert, 'CA certificate') ?? Buffer.alloc(0),
              ...(tls.key ? { privateKey: readTlsFile(tls.key, 'client key') } : {}),
              ...(tls.cert ? { certChain: readTlsFile(tls.cert, 'client certificate') } : {}),
            },
          }
        : {}),
      ...(this.settings.user !== undefined && password !== undefined ? { auth: { username: this.settings.user, password } } : {}),
    };
    // etcd3 (with gRPC and protobuf) is a quarter of a second of start-up: loaded only when used.
    const { Etcd3 } = await import('etcd3');
    this.client = new Etcd3(options);
  }

  watch(dep: Dependency): void {
    const id = dependencyId(dep);
    if (this.watched.has(id) || !this.client) return;
    this.watched.set(id, dep);
    if (dep.kind === 'service' || dep.kind === 'services') {
      if (!this.registry) {
        this.registry = this.mirror({ prefix: this.settings.prefix }, SERVICES, (kvs, keys) => this.onRegistry(kvs, keys));
        this.registry.start();
      } else if (this.registryLoaded) {
        queueMicrotask(() => this.deliverRegistry(dep));
      }
      return;
    }
    // Catalog nodes are Consul's (RegistryCapabilities.nodes): the helpers never ask etcd for them.
    if (dep.kind !== 'key' && dep.kind !== 'keys') return;
    const range: Range = dep.kind === 'key' ? { key: dep.key } : { prefix: dep.prefix };
    const mirror = this.mirror(range, id, (kvs) => this.onKv(id, kvs));
    this.kvMirrors.set(id, mirror);
    mirror.start();
  }

  unwatch(dep: Dependency): void {
    const id = dependencyId(dep);
    this.watched.delete(id);
    const kv = this.kvMirrors.get(id);
    if (kv) {
      this.kvMirrors.delete(id);
      this.health.forget(id);
      void kv.stop();
    }
    // The registry watch ends with the last service query.
    if ((dep.kind === 'service' || dep.kind === 'services') && this.registry && ![...this.watched.values()].some((d) => d.kind === 'service' || d.kind === 'services')) {
      void this.registry.stop();
      this.registry = undefined;
      this.registryLoaded = false;
      this.parsed.clear();
      this.health.forget(SERVICES);
    }
  }

  async stop(): Promise<void> {
    const mirrors = [...this.kvMirrors.values()];
    if (this.registry) mirrors.push(this.registry);
    this.kvMirrors.clear();
    this.registry = undefined;
    await Promise.all(mirrors.map((m) => m.stop()));
    this.client?.close();
    this.client = undefined;
  }

  private mirror(range: Range, subject: string, changed: (kvs: ReadonlyMap<string, string>, keys: readonly string[] | 'all') => void): RangeMirror {
    if (!this.client) throw new Error('etcd source used before start');
    return new RangeMirror(
      this.client,
      range,
      {
        changed: (kvs, keys) => {
          try {
            changed(kvs, keys);
          } catch (err) {
            this.sink?.error(`etcd at ${this.description}: could not use the data of ${subject}`, err);
          }
        },
        failing: (key, message, err) => {
          this.stats.failures += 1;
          this.health.report(key, subject, message, err);
        },
        requested: () => {
          this.stats.requests += 1;
        },
        recovered: () => this.health.resolve(subject),
      },
      this.backoff,
    );
  }

  /** The registry range changed: re-parse the keys that changed, then answer every service query. */
  private onRegistry(kvs: ReadonlyMap<string, string>, keys: readonly string[] | 'all'): void {
    if (keys === 'all') this.parsed.clear();
    for (const key of keys === 'all' ? kvs.keys() : keys) {
      const value = kvs.get(key);
      const parts = splitServiceKey(this.settings.prefix, key);
      if (value === undefined || !parts) {
        this.parsed.delete(key);
        this.reported.delete(key);
        continue;
      }
      const result = parseEtcdInstance(parts.service, parts.id, value, this.name);
      this.parsed.set(key, { ...result, service: parts.service });
      if (!result.ok && this.reported.get(key) !== value) {
        this.reported.set(key, value);
        this.sink?.error(`etcd at ${this.description}: skipping instance ${key}: ${result.reason}`, undefined);
      } else if (result.ok) {
        this.reported.delete(key);
      }
    }
    this.registryLoaded = true;
    for (const dep of this.watched.values()) this.deliverRegistry(dep);
  }

  private services(): Map<string, Instance[]> {
    const out = new Map<string, Instance[]>();
    for (const entry of this.parsed.values()) {
      const list = out.get(entry.service) ?? [];
      if (entry.ok) list.push(entry.instance);
      out.set(entry.service, list);
    }
    return out;
  }

  private deliverRegistry(dep: Dependency): void {
    if (!this.watched.has(dependencyId(dep)) || !this.registryLoaded) return;
    if (dep.kind === 'service') {
      const all = this.services().get(dep.name) ?? [];
      this.sink?.data(dep, deepFreeze(selectInstances(all, dep).sort(compareInstances)));
    } else if (dep.kind === 'services') {
      this.sink?.data(dep, deepFreeze(summarizeServices(this.services(), dep.dc)));
    }
  }

  private onKv(id: string, kvs: ReadonlyMap<string, string>): void {
    const dep = this.watched.get(id);
    if (!dep) return;
    if (dep.kind === 'key') this.sink?.data(dep, kvs.get(dep.key) ?? null);
    else if (dep.kind === 'keys') this.sink?.data(dep, deepFreeze(keysUnder(kvs, dep.prefix).sort((a, b) => compareStrings(a.Key, b.Key))));
  }
}
