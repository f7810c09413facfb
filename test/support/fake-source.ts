import { dependencyId, type Dependency, type DependencyValue } from '../../src/catalog/types.js';
import { SourceHealth } from '../../src/registries/health.js';
import type { Source, SourceSink, SourceStats } from '../../src/registries/source.js';

/**
 * A source a test drives by hand: it records what it is asked to watch (in order), and delivers
 * only what the test sends. Its health uses the test's clock.
 */
export class FakeSource implements Source {
  readonly description: string;
  readonly live: boolean;
  readonly stats: SourceStats = { requests: 0, failures: 0 };
  readonly health: SourceHealth;
  /** `watch ID` / `unwatch ID`, in call order. */
  readonly calls: string[] = [];
  readonly watched = new Map<string, Dependency>();
  sink: SourceSink | undefined;
  started = false;
  stopped = false;

  constructor(
    readonly name: string,
    options: { live?: boolean; now?: () => number; description?: string } = {},
  ) {
    this.live = options.live ?? true;
    this.description = options.description ?? `fake:${name}`;
    this.health = new SourceHealth(`fake ${name}`, () => this.sink, options.now);
  }

  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
    this.started = true;
  }

  watch(dep: Dependency): void {
    const id = dependencyId(dep);
    this.calls.push(`watch ${id}`);
    this.watched.set(id, dep);
  }

  unwatch(dep: Dependency): void {
    const id = dependencyId(dep);
    this.calls.push(`unwatch ${id}`);
    this.watched.delete(id);
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  /** Sends an answer, as a registry would. */
  deliver(dep: Dependency, value: DependencyValue): void {
    this.sink?.data(dep, value);
  }
}
