import { dependencyId, type Dependency } from '../../src/catalog/types.js';
import { parseCatalog, type Catalog } from '../../src/registries/file/catalog.js';
import { answer } from '../../src/registries/file/source.js';
import { SourceHealth } from '../../src/registries/health.js';
import type { Source, SourceSink } from '../../src/registries/source.js';

/**
 * A source whose catalog a test sets directly (YAML text). It answers like the file source and
 * records watch/unwatch calls, so runner tests are deterministic.
 */
export class ScriptedSource implements Source {
  readonly description = 'scripted';
  readonly watched = new Map<string, Dependency>();
  readonly unwatchedIds: string[] = [];
  readonly stats = { requests: 0, failures: 0 };
  readonly health = new SourceHealth('scripted', () => this.sink);
  private sink: SourceSink | undefined;
  private catalog: Catalog;

  constructor(
    readonly name: string,
    yaml: string,
    readonly live = true,
  ) {
    this.catalog = parseCatalog('scripted.yaml', yaml, name);
  }

  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
  }

  watch(dep: Dependency): void {
    this.watched.set(dependencyId(dep), dep);
    queueMicrotask(() => this.deliver(dep));
  }

  unwatch(dep: Dependency): void {
    const id = dependencyId(dep);
    this.watched.delete(id);
    this.unwatchedIds.push(id);
  }

  async stop(): Promise<void> {}

  /** Replaces the catalog and re-delivers every watched dependency, as a registry would. */
  update(yaml: string): void {
    this.catalog = parseCatalog('scripted.yaml', yaml, this.name);
    for (const dep of this.watched.values()) this.deliver(dep);
  }

  /** Delivers one dependency's current answer again (its problem, if any, is over). */
  answer(dep: Dependency): void {
    this.health.resolve(dependencyId(dep));
    this.deliver(dep);
  }

  /** A problem on one dependency, as a registry reports a failed query (its last data stays). */
  fail(dep: Dependency, problem: string): void {
    this.health.report(problem, dependencyId(dep), `${problem} (${dependencyId(dep)})`);
  }

  private deliver(dep: Dependency): void {
    if (this.watched.has(dependencyId(dep))) this.sink?.data(dep, answer(this.catalog, dep));
  }
}
