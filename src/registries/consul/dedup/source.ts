import { dependencyId, type Dependency } from '../../../catalog/types.js';
import { SourceHealth } from '../../health.js';
import type { Source, SourceSink } from '../../source.js';
import type { DedupHub } from './hub.js';

/**
 * `(node)` without a name is the local agent's node: each instance asks its own agent, never
 * shares the answer (a follower would otherwise render the leader's node), as consul-template.
 */
const local = (dep: Dependency): boolean => dep.kind === 'node' && dep.name === undefined;

/**
 * A source under dedup: as leader it passes the real source's answers on (and records them for
 * publishing); as follower it answers from the leader's published data.
 */
export class DedupSource implements Source {
  private sink: SourceSink | undefined;
  private readonly watched = new Map<string, Dependency>();
  private readonly following = new SourceHealth('dedup follower', () => undefined);

  constructor(
    private readonly inner: Source,
    private readonly hub: DedupHub,
  ) {}

  get name(): string {
    return this.inner.name;
  }
  get description(): string {
    return `${this.inner.description} (dedup)`;
  }
  get live(): boolean {
    return true;
  }
  get stats(): Source['stats'] {
    return this.inner.stats;
  }
  /** A follower renders the leader's published data: the registry's problems are the leader's to report. */
  get health(): SourceHealth {
    return this.hub.leader ? this.inner.health : this.following;
  }

  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
    await this.inner.start({
      ...sink,
      data: (dep, value) => {
        if (local(dep)) return sink.data(dep, value);
        if (!this.hub.leader) return;
        this.hub.record(dep, value);
        sink.data(dep, value);
      },
    });
  }

  watch(dep: Dependency): void {
    if (local(dep)) return this.inner.watch(dep);
    this.watched.set(dependencyId(dep), dep);
    if (this.hub.leader) this.inner.watch(dep);
    else queueMicrotask(() => this.deliver(dep));
  }

  unwatch(dep: Dependency): void {
    if (local(dep)) return this.inner.unwatch(dep);
    this.watched.delete(dependencyId(dep));
    this.hub.forget(dep);
    if (this.hub.leader) this.inner.unwatch(dep);
  }

  async stop(): Promise<void> {
    await this.inner.stop();
  }

  watchedIds(): string[] {
    return [...this.watched.keys()];
  }

  lead(): void {
    for (const dep of this.watched.values()) this.inner.watch(dep);
  }

  follow(): void {
    for (const dep of this.watched.values()) this.inner.unwatch(dep);
    this.deliverPublished();
  }

  deliverPublished(): void {
    for (const dep of this.watched.values()) this.deliver(dep);
  }

  private deliver(dep: Dependency): void {
    if (this.hub.leader || !this.watched.has(dependencyId(dep))) return;
    const value = this.hub.published(dep);
    if (value !== undefined) this.sink?.data(dep, value);
  }
}
