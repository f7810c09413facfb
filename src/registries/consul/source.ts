import { dependencyId, type Dependency, type DependencyValue } from '../../catalog/types.js';
import { ConsulClient, type ConsulRequest } from './client.js';
import { datacentersFromCatalog, instancesFromHealth, keyPairs, keyValue, nodeFromCatalog, nodesFromCatalog, servicesFromCatalog } from './normalize.js';
import { describeConsul, readToken, type ConsulSettings } from './settings.js';
import { BlockingWatch, DEFAULT_TIMING, type WatchTiming } from './watch.js';
import { SourceHealth } from '../health.js';
import type { Source, SourceSink, SourceStats } from '../source.js';

/** consul-template polls the datacenter list every 15 s (it has no blocking query). */
const DATACENTERS_POLL_MS = 15_000;

/** What to ask Consul for a dependency, and how to turn the reply into the template's data. */
function plan(dep: Dependency, sourceName: string): { request: ConsulRequest; convert: (body: unknown) => DependencyValue } {
  switch (dep.kind) {
    case 'service': {
      // `?passing` lets Consul filter; any other status filter is applied here on the aggregate.
      const passingOnly = dep.status !== 'any' && dep.status.length === 1 && dep.status[0] === 'passing';
      return {
        request: {
          kind: 'health',
          service: dep.name,
          passingOnly,
          ...(dep.tag ? { tag: dep.tag } : {}),
          ...(dep.dc ? { dc: dep.dc } : {}),
          ...(dep.near ? { near: dep.near } : {}),
          ...(dep.filter ? { filter: dep.filter } : {}),
          ...(dep.nodeMeta ? { nodeMeta: dep.nodeMeta } : {}),
        },
        convert: (body) => instancesFromHealth(body, dep.status, sourceName, dep.dc ?? '', dep.near !== undefined),
      };
    }
    case 'services':
      return { request: { kind: 'services', ...(dep.dc ? { dc: dep.dc } : {}) }, convert: servicesFromCatalog };
    case 'key':
      return { request: { kind: 'key', key: dep.key }, convert: keyValue };
    case 'keys':
      return { request: { kind: 'keys', prefix: dep.prefix }, convert: keyPairs };
    case 'node':
      return { request: { kind: 'node', ...(dep.name !== undefined ? { name: dep.name } : {}), ...(dep.dc ? { dc: dep.dc } : {}) }, convert: nodeFromCatalog };
    case 'nodes':
      return { request: { kind: 'nodes', ...(dep.dc ? { dc: dep.dc } : {}), ...(dep.near ? { near: dep.near } : {}) }, convert: (body) => nodesFromCatalog(body, dep.near !== undefined) };
    case 'datacenters':
      return { request: { kind: 'datacenters', ignoreFailing: dep.ignoreFailing }, convert: datacentersFromCatalog };
  }
}

/** The retry backoff: consul-template's backoff and max_backoff when set, else the watch's own. */
function backoffOf(timing: WatchTiming, settings: ConsulSettings): WatchTiming['backoff'] {
  const { backoffMs, maxBackoffMs } = settings.retry;
  const baseMs = backoffMs ?? timing.backoff.baseMs;
  return { ...timing.backoff, baseMs, capMs: Math.max(baseMs, maxBackoffMs ?? timing.backoff.capMs) };
}

function retryDescription(settings: ConsulSettings): string {
  const { enabled, attempts } = settings.retry;
  return enabled ? `${attempts} retr${attempts === 1 ? 'y' : 'ies'}` : 'retry disabled';
}

/** Which token was sent, never its value. */
function tokenDescription(settings: ConsulSettings): string {
  if (settings.tokenFile !== undefined) return `the ACL token in ${settings.tokenFile}`;
  if (settings.token !== undefined) return 'the ACL token given by --consul-token, consul.token or CONSUL_HTTP_TOKEN';
  return 'the anonymous token (no ACL token is set: use --consul-token-file or CONSUL_HTTP_TOKEN_FILE)';
}

/** The ACL rule a read needs (Consul's ACL rules reference). */
function permissionFor(request: ConsulRequest): string {
  switch (request.kind) {
    case 'health':
      return `service:read on "${request.service}" (and node:read on its nodes)`;
    case 'services':
      return 'service:read on the services to list (service_prefix "" for all)';
    case 'key':
    case 'entry':
      return `key:read on "${request.key}"`;
    case 'keys':
      return `key:read on the prefix "${request.prefix}" (key_prefix)`;
    case 'node':
      return `node:read on ${request.name === undefined ? "the agent's node (and agent:read to learn its name)" : `"${request.name}"`} and service:read on its services`;
    case 'nodes':
      return 'node:read on the nodes to list (node_prefix "" for all)';
    case 'datacenters':
      return 'none (any token lists datacenters)';
  }
}

/**
 * Consul behind the Source interface: one blocking loop per dependency, all in parallel over one
 * keep-alive agent. Failures are reported once per distinct problem, not per retry; the last
 * good data stays in use until Consul answers again.
 */
export class ConsulSource implements Source {
  readonly live = true;
  readonly description: string;
  readonly stats: SourceStats = { requests: 0, failures: 0 };
  private client: ConsulClient | undefined;
  private sink: SourceSink | undefined;
  private readonly watches = new Map<string, BlockingWatch>();
  /** What each watch asks, to forget its query backend when it is no longer watched. */
  private readonly requests = new Map<string, ConsulRequest>();
  readonly health: SourceHealth;

  constructor(
    readonly name: string,
    private readonly settings: ConsulSettings,
    private readonly timing: WatchTiming = DEFAULT_TIMING,
    /** --once: give up on a dependency after the retry attempts, or at once on a 403 (the daemon retries for ever). */
    private readonly once = false,
  ) {
    this.description = describeConsul(settings);
    this.health = new SourceHealth(`Consul at ${this.description}`, () => this.sink);
  }

  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
    this.client = new ConsulClient(this.settings, readToken(this.settings), { fellBack: (message) => this.sink?.warn(message) });
  }

  queryBackends(): Readonly<Record<string, number>> {
    return this.client?.backends.counts() ?? {};
  }

  watch(dep: Dependency): void {
    const id = dependencyId(dep);
    if (this.watches.has(id) || !this.client) return;
    const { request, convert } = plan(dep, this.name);
    const watch = new BlockingWatch(
      this.client,
      request,
      convert,
      {
        data: (value) => {
          this.health.resolve(id);
          this.sink?.data(dep, value);
        },
        failing: (message) => {
          this.health.report(message, id, `${message} (first for ${id}); retrying with backoff, the last good data stays in use`);
        },
        recovered: () => this.health.resolve(id),
        requested: () => {
          this.stats.requests += 1;
        },
        failed: () => {
          this.stats.failures += 1;
        },
        gaveUp: (message, attempts, denied) => {
          const why = denied
            ? `${message}: ${tokenDescription(this.settings)} lacks ${permissionFor(request)}`
            : `no answer after ${attempts} attempt${attempts === 1 ? '' : 's'} (consul retry: ${retryDescription(this.settings)}); last error: ${message}`;
          this.health.giveUp(id, why);
        },
      },
      {
        waitMs: this.settings.blockWaitMs,
        maxStaleMs: this.settings.maxStaleMs,
        consistent: this.settings.consistent,
        timing: {
          ...this.timing,
          minIntervalMs: Math.max(this.timing.minIntervalMs, this.settings.minIntervalMs),
          backoff: backoffOf(this.timing, this.settings),
          // The datacenter list cannot block and rarely changes: asked as often as consul-template asks it.
          ...(dep.kind === 'datacenters' ? { noIndexPauseMs: Math.max(this.timing.noIndexPauseMs, DATACENTERS_POLL_MS) } : {}),
        },
        ...(this.once ? { giveUp: { retry: this.settings.retry.enabled, attempts: this.settings.retry.attempts }, firstAnswerOnly: true } : {}),
      },
    );
    this.watches.set(id, watch);
    this.requests.set(id, request);
    watch.start();
  }

  unwatch(dep: Dependency): void {
    const id = dependencyId(dep);
    const watch = this.watches.get(id);
    const request = this.requests.get(id);
    this.watches.delete(id);
    this.requests.delete(id);
    if (request?.kind === 'health') this.client?.backends.forget(request);
    this.health.forget(id);
    void watch?.stop();
  }

  async stop(): Promise<void> {
    const watches = [...this.watches.values()];
    this.watches.clear();
    await Promise.all(watches.map((w) => w.stop()));
    this.client?.destroy();
  }
}
