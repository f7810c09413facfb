import { readFile } from 'node:fs/promises';
import { keysUnder, selectInstances, summarizeServices } from '../../catalog/select.js';
import { dependencyId, deepFreeze, type Dependency, type DependencyValue } from '../../catalog/types.js';
import { errorMessage, InputError } from '../../errors.js';
import { parseCatalog, type Catalog } from './catalog.js';
import { CONNECTION, SourceHealth } from '../health.js';
import type { Source, SourceSink, SourceStats } from '../source.js';
import { ContentWatcher } from '../../util/content-watcher.js';

export interface FileSourceOptions {
  /** Watch the file and re-deliver data after each edit (off in --once). */
  watch: boolean;
}

/** Answers a dependency from a loaded catalog. */
export function answer(catalog: Catalog, dep: Dependency): DependencyValue {
  switch (dep.kind) {
    case 'service':
      return deepFreeze(selectInstances(catalog.services.get(dep.name) ?? [], dep));
    case 'services':
      return deepFreeze(summarizeServices(catalog.services, dep.dc));
    case 'key':
      return catalog.kv.get(dep.key) ?? null;
    case 'keys':
      return deepFreeze(keysUnder(catalog.kv, dep.prefix));
    case 'node':
    case 'nodes':
    case 'datacenters':
      // Catalog nodes are Consul's (RegistryCapabilities.nodes): the helpers never ask a file.
      throw new Error(`a catalog file has no nodes (${dep.kind})`);
  }
}

/**
 * The static catalog file: the embedded default source, needing no registry. Edits are picked up
 * through chokidar; a broken edit is reported and the last good catalog stays in use.
 */
export class FileSource implements Source {
  readonly description: string;
  private catalog: Catalog | undefined;
  private sink: SourceSink | undefined;
  private watcher: ContentWatcher | undefined;
  private readonly watched = new Map<string, Dependency>();
  readonly stats: SourceStats = { requests: 0, failures: 0 };
  readonly health: SourceHealth;

  constructor(
    readonly name: string,
    readonly path: string,
    private readonly options: FileSourceOptions,
  ) {
    this.description = `file:${path}`;
    this.health = new SourceHealth(`catalog file ${path}`, () => this.sink);
  }

  get live(): boolean {
    return this.options.watch;
  }

  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
    const text = await this.read();
    this.catalog = parseCatalog(this.path, text, this.name);
    if (!this.options.watch) return;
    this.watcher = await ContentWatcher.start([{ path: this.path, text }], (_path, next) => this.reload(next), {
      error: (err) => sink.error(`watching ${this.path} failed`, err),
      removed: () => this.health.report('removed', CONNECTION, 'was removed; keeping the last good catalog'),
    });
  }

  watch(dep: Dependency): void {
    this.watched.set(dependencyId(dep), dep);
    const catalog = this.catalog;
    // Deliver asynchronously so a subscriber is never re-entered from its own subscribe call.
    if (catalog) queueMicrotask(() => this.deliver(catalog, dep));
  }

  unwatch(dep: Dependency): void {
    this.watched.delete(dependencyId(dep));
  }

  async stop(): Promise<void> {
    await this.watcher?.close();
    this.watcher = undefined;
  }

  private async read(): Promise<string> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new InputError(`cannot read catalog file (${code})`, this.path, 'check the path given to --source file:PATH');
    }
  }

  /** A new text of the catalog (each distinct text arrives once, so each broken edit is reported once). */
  private reload(text: string): void {
    try {
      const catalog = parseCatalog(this.path, text, this.name);
      this.catalog = catalog;
      this.health.resolve(CONNECTION);
      for (const dep of this.watched.values()) this.deliver(catalog, dep);
    } catch (err) {
      this.stats.failures += 1;
      // Each distinct broken text is reported (its message says where it is broken); the previous
      // broken text's problem is replaced, not announced as over.
      this.health.forget(CONNECTION);
      this.health.report(`invalid: ${errorMessage(err)}`, CONNECTION, 'is invalid; keeping the last good catalog', err);
    }
  }

  private deliver(catalog: Catalog, dep: Dependency): void {
    if (this.watched.has(dependencyId(dep))) this.sink?.data(dep, answer(catalog, dep));
  }
}
