import { selectInstances, summarizeServices } from '../../catalog/select.js';
import { deepFreeze, dependencyId, type Dependency, type Instance, type ServiceSummary } from '../../catalog/types.js';
import { Backoff, backoffDelay } from '../../util/backoff.js';
import { sleep } from '../../util/sleep.js';
import { CONNECTION, SourceHealth } from '../health.js';
import type { Source, SourceSink, SourceStats } from '../source.js';
import { NacosLogin } from './auth.js';
import { GrpcTransport } from './grpc-transport.js';
import { NacosHttp, NacosUnreachable } from './http.js';
import type { NacosServiceInfo } from './messages.js';
import { groupedName, instancesOf, serviceKeyOf, type ServiceKey } from './normalize.js';
import { PollTransport } from './poll-transport.js';
import { grpcAnswers, probeTransports } from './probe.js';
import { describeNacos, type NacosSettings } from './settings.js';
import { DEFAULT_NACOS_TIMING, describeKey, type NacosTiming, type NacosTransport, type TransportEvents } from './transport.js';

type ServiceDependency = Extract<Dependency, { kind: 'service' }>;

/** Reported to Nacos in the connection setup (`client:version`, as Nacos's own clients do). */
const CLIENT_VERSION = 'ctmpl:1';

interface WatchedService {
  readonly key: ServiceKey;
  readonly deps: Map<string, ServiceDependency>;
  instances: readonly Instance[] | undefined;
  /** The instances as JSON, so an identical answer (every poll, a repeated push) is passed on once. */
  json: string;
  /** Dependencies that have had this data. */
  readonly delivered: Set<string>;
}

/**
 * Nacos behind the Source interface: `(service "web")` subscribes to the service (gRPC push, or
 * HTTP polling where gRPC is unavailable), `(services)` lists the namespace's services. One
 * subscription per Nacos service serves every dependency on it (tags, statuses, clusters as
 * `dc=` are selected here). Health is per dependency; a lost connection is a CONNECTION problem
 * and every dependency keeps its last data until Nacos answers again.
 */
export class NacosSource implements Source {
  readonly live = true;
  readonly description: string;
  readonly stats: SourceStats = { requests: 0, failures: 0 };
  readonly health: SourceHealth;
  private sink: SourceSink | undefined;
  private readonly http: NacosHttp;
  private readonly login: NacosLogin;
  private transport: NacosTransport | undefined;
  private readonly services = new Map<string, WatchedService>();
  private readonly listings = new Map<string, Dependency>();
  private listing: ServiceSummary[] | undefined;
  private listLoop: Promise<void> | undefined;
  private readonly controller = new AbortController();
  /** Resolves once a transport is chosen (or the source stops). */
  private choosing: Promise<void> = Promise.resolve();
  /** auto mode, polling: the loop that moves to gRPC when it answers. */
  private upgrading: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly settings: NacosSettings,
    private readonly timing: NacosTiming = DEFAULT_NACOS_TIMING,
  ) {
    this.description = describeNacos(settings);
    this.health = new SourceHealth(`Nacos at ${this.description}`, () => this.sink);
    this.http = new NacosHttp(settings.hosts, settings.contextPath, settings.timeoutMs);
    this.login = new NacosLogin(settings.auth, this.http, timing.loginRetryMs);
  }

  /** `grpc` or `http` once chosen (for logs and tests). */
  get transportKind(): 'grpc' | 'http' | undefined {
    return this.transport?.kind;
  }

  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
    this.choosing = this.chooseTransport();
  }

  watch(dep: Dependency): void {
    const id = dependencyId(dep);
    if (dep.kind === 'services') {
      if (this.listings.has(id)) return;
      this.listings.set(id, dep);
      if (this.listing) queueMicrotask(() => this.deliverListing());
      this.listLoop ??= this.runListing();
      return;
    }
    if (dep.kind !== 'service') {
      this.health.report('keys are not supported', id, 'Nacos keys and values (its config center) are not read by ctmpl; use a Consul or etcd source for keys');
      return;
    }
    const key = serviceKeyOf(dep.name, this.settings.group);
    const grouped = groupedName(key);
    let service = this.services.get(grouped);
    if (!service) {
      service = { key, deps: new Map(), instances: undefined, json: '', delivered: new Set() };
      this.services.set(grouped, service);
      this.transport?.subscribe(key);
    }
    if (service.deps.has(id)) return;
    service.deps.set(id, dep);
    if (service.instances !== undefined) queueMicrotask(() => this.deliver(grouped));
  }

  unwatch(dep: Dependency): void {
    const id = dependencyId(dep);
    this.health.forget(id);
    if (dep.kind === 'services') {
      this.listings.delete(id);
      return;
    }
    if (dep.kind !== 'service') return;
    const grouped = groupedName(serviceKeyOf(dep.name, this.settings.group));
    const service = this.services.get(grouped);
    if (!service) return;
    service.deps.delete(id);
    service.delivered.delete(id);
    if (service.deps.size > 0) return;
    this.services.delete(grouped);
    this.transport?.unsubscribe(service.key);
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.choosing;
    await this.upgrading;
    await this.transport?.stop();
    await this.listLoop;
  }

  /** transport=grpc|http: that one. auto: probe (see probe.ts), with backoff until a server answers. */
  private async chooseTransport(): Promise<void> {
    const signal = this.controller.signal;
    if (this.settings.transport !== 'auto') {
      this.use(this.settings.transport);
      return;
    }
    const backoff = new Backoff(this.timing.backoff);
    while (!signal.aborted) {
      const probe = await probeTransports(this.settings, this.http);
      if (signal.aborted) return;
      if (probe.use !== undefined) {
        if (probe.use === 'http') this.sink?.info(`Nacos at ${this.description}: ${probe.why}; polling the HTTP API every ${this.settings.pollIntervalMs} ms (gRPC is tried again every ${this.timing.grpcRetryMs} ms)`);
        this.use(probe.use);
        if (probe.use === 'http') this.upgrading = this.retryGrpc();
        return;
      }
      this.onDisconnected(new NacosUnreachable(`no Nacos server answers (${probe.why})`));
      await sleep(backoff.next(), signal);
    }
  }

  /** While polling in auto mode: move to gRPC push as soon as a server answers gRPC. */
  private async retryGrpc(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      await sleep(this.timing.grpcRetryMs, signal);
      if (signal.aborted) return;
      const grpc = await grpcAnswers(this.settings);
      if (!grpc.ok || signal.aborted) continue;
      this.sink?.info(`Nacos at ${this.description}: gRPC answers now; switching from polling to push`);
      const previous = this.transport;
      this.use('grpc');
      await previous?.stop();
      return;
    }
  }

  private use(kind: 'grpc' | 'http'): void {
    // Events of a transport that has been replaced (auto mode moving to gRPC) are dropped.
    const self: { transport?: NacosTransport } = {};
    const current = (): boolean => this.transport === self.transport;
    const events: TransportEvents = {
      service: (key, info) => {
        if (current()) this.onService(key, info);
      },
      serviceFailed: (key, err) => {
        if (current()) this.onServiceFailed(key, err);
      },
      connected: () => {
        if (current()) this.health.resolve(CONNECTION);
      },
      disconnected: (err) => {
        if (current()) this.onDisconnected(err);
      },
    };
    const context = { settings: this.settings, http: this.http, login: this.login, timing: this.timing, events };
    const transport = kind === 'grpc' ? new GrpcTransport(context, CLIENT_VERSION) : new PollTransport(context);
    self.transport = transport;
    this.transport = transport;
    for (const service of this.services.values()) transport.subscribe(service.key);
  }

  private onService(key: ServiceKey, info: NacosServiceInfo): void {
    this.stats.requests += 1;
    const grouped = groupedName(key);
    const service = this.services.get(grouped);
    if (!service) return;
    const instances = deepFreeze(instancesOf(info, key, this.settings.clusters, this.name));
    // An answer proves the connection and the login work (a refused login ends only this way).
    this.health.resolve(CONNECTION);
    for (const id of service.deps.keys()) this.health.resolve(id);
    const json = JSON.stringify(instances);
    if (json !== service.json) service.delivered.clear();
    service.instances = instances;
    service.json = json;
    this.deliver(grouped);
  }

  private onServiceFailed(key: ServiceKey, err: Error): void {
    this.stats.requests += 1;
    this.stats.failures += 1;
    const service = this.services.get(groupedName(key));
    for (const id of service?.deps.keys() ?? []) {
      this.health.report(err.message, id, `${err.message}; retrying with backoff, the last good data of ${describeKey(key)} stays in use`, err);
    }
  }

  private onDisconnected(err: Error): void {
    this.stats.failures += 1;
    this.health.report(err.message, CONNECTION, `${err.message}; retrying with backoff, every service keeps its last good data`, err);
  }

  /** Sends a service's data to each of its dependencies that has not had it yet. */
  private deliver(grouped: string): void {
    const service = this.services.get(grouped);
    if (!service || service.instances === undefined) return;
    for (const [id, dep] of service.deps) {
      if (service.delivered.has(id)) continue;
      service.delivered.add(id);
      this.sink?.data(dep, deepFreeze(selectInstances(service.instances, dep)));
    }
  }

  private deliverListing(): void {
    if (!this.listing) return;
    for (const dep of this.listings.values()) this.sink?.data(dep, this.listing);
  }

  /** `(services)`: the list, asked again every poll_interval while some template wants it. */
  private async runListing(): Promise<void> {
    const signal = this.controller.signal;
    let failures = 0;
    let json = '';
    await this.choosing;
    while (!signal.aborted && this.listings.size > 0) {
      try {
        if (!this.transport) throw new NacosUnreachable('no transport chosen yet');
        const names = await this.transport.listServices();
        const listing = deepFreeze(summarizeServices(new Map(names.map((n) => [n, []]))));
        for (const id of this.listings.keys()) this.health.resolve(id);
        failures = 0;
        if (JSON.stringify(listing) !== json || this.listing === undefined) {
          json = JSON.stringify(listing);
          this.listing = listing;
          this.deliverListing();
        }
      } catch (err) {
        failures += 1;
        this.stats.failures += 1;
        // Not connected is the connection's problem, reported there; anything else is the listing's.
        if (!(err instanceof NacosUnreachable)) {
          const message = `listing services failed: ${err instanceof Error ? err.message : String(err)}`;
          for (const id of this.listings.keys()) this.health.report(message, id, `${message}; the last list stays in use`, err);
        }
      }
      await sleep(failures === 0 ? this.settings.pollIntervalMs : Math.min(this.settings.pollIntervalMs, backoffDelay(failures, this.timing.backoff)), signal);
    }
    this.listLoop = undefined;
  }
}
