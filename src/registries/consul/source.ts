import { dependencyId, type Dependency, type DependencyValue } from '../../catalog/types.js';
import { ConsulClient, type ConsulRequest } from './client.js';
import { instancesFromHealth, keyPairs, keyValue, servicesFromCatalog } from './normalize.js';
import { describeConsul, readToken, type ConsulSettings } from './settings.js';
import { BlockingWatch, DEFAULT_TIMING, type WatchTiming } from './watch.js';
import { SourceHealth } from '../health.js';
import type { Source, SourceSink, SourceStats } from '../source.js';

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
        convert: (body) => instancesFromHealth(body, dep.status, sourceName, dep.dc ?? ''),
      };
    }
    case 'services':
      return { request: { kind: 'services', ...(dep.dc ? { dc: dep.dc } : {}) }, convert: servicesFromCatalog };
    case 'key':
      return { request: { kind: 'key', key: dep.key }, convert: keyValue };
    case 'keys':
      return { request: { kind: 'keys', prefix: dep.prefix }, convert: keyPairs };
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
  readonly health: SourceHealth;

  constructor(
    readonly name: string,
    private readonly settings: ConsulSettings,
    private readonly timing: WatchTiming = DEFAULT_TIMING,
  ) {
    this.description = describeConsul(settings);
    this.health = new SourceHealth(`Consul at ${this.description}`, () => this.sink);
  }

  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
    this.client = new ConsulClient(this.settings, readToken(this.settings));
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
      },
      {
        waitMs: this.settings.blockWaitMs,
        maxStaleMs: this.settings.maxStaleMs,
        consistent: this.settings.consistent,
        timing: { ...this.timing, minIntervalMs: Math.max(this.timing.minIntervalMs, this.settings.minIntervalMs) },
      },
    );
    this.watches.set(id, watch);
    watch.start();
  }

  unwatch(dep: Dependency): void {
    const id = dependencyId(dep);
    const watch = this.watches.get(id);
    this.watches.delete(id);
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
