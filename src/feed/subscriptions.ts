import type { Dependency } from '../catalog/types.js';
import type { Source } from '../registries/source.js';

interface Subscription {
  readonly dep: Dependency;
  readonly source: Source;
}

/**
 * Which dependencies are watched, and from which source (consul-template's watch/watcher.go):
 * after each render the set the templates use now is synced — new ones are watched, ones no
 * template uses any more are unwatched (and their data dropped by `onDropped`).
 */
export class Subscriptions {
  private readonly active = new Map<string, Subscription>();

  constructor(
    private readonly sources: ReadonlyMap<string, Source>,
    private readonly onDropped: (id: string) => void,
    private readonly log: { debug(fields: object, message: string): void },
  ) {}

  has(id: string): boolean {
    return this.active.has(id);
  }

  ids(): string[] {
    return [...this.active.keys()];
  }

  get size(): number {
    return this.active.size;
  }

  /** Watches exactly `wanted` (dependency id → dependency). */
  sync(wanted: ReadonlyMap<string, Dependency>): void {
    for (const [id, sub] of this.active) {
      if (wanted.has(id)) continue;
      sub.source.unwatch(sub.dep);
      this.active.delete(id);
      this.onDropped(id);
      this.log.debug({ dependency: id }, 'unwatched');
    }
    for (const [id, dep] of wanted) {
      if (this.active.has(id)) continue;
      const source = this.sources.get(dep.source);
      if (!source) continue; // RenderContext only accepts configured source names.
      this.active.set(id, { dep, source });
      source.watch(dep);
      this.log.debug({ dependency: id }, 'watching');
    }
  }
}
