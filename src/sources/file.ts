import { readFile } from 'node:fs/promises';
import { watch, type FSWatcher } from 'chokidar';
import { keysUnder, selectInstances, summarizeServices } from '../catalog/select.js';
import { dependencyId, deepFreeze, type Dependency, type DependencyValue } from '../catalog/types.js';
import { InputError } from '../errors.js';
import { parseCatalog, type Catalog } from './catalog-file.js';
import type { Source, SourceSink } from './source.js';

export interface FileSourceOptions {
  /** Watch the file and re-deliver data after each edit (off in --once). */
  watch: boolean;
}

const TRAILING_CHECK_MS = 100;

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
  private watcher: FSWatcher | undefined;
  private readonly watched = new Map<string, Dependency>();
  private reloading: Promise<void> = Promise.resolve();
  private trailing: NodeJS.Timeout | undefined;
  /** Text of the last load, so a re-read of an unchanged file costs no parse. */
  private lastText: string | undefined;

  constructor(
    readonly name: string,
    readonly path: string,
    private readonly options: FileSourceOptions,
  ) {
    this.description = `file:${path}`;
  }

  get live(): boolean {
    return this.options.watch;
  }

  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
    this.catalog = await this.load();
    if (!this.options.watch) return;
    // chokidar's `atomic` (on by default) folds an editor's delete+rename into one change.
    this.watcher = watch(this.path, { ignoreInitial: true, persistent: true });
    const reload = (): void => {
      this.reloading = this.reloading.then(() => this.reload());
      // chokidar drops (does not defer) a second `change` within 50 ms of the first, so an edit
      // right after another would go unseen: read the file once more after that window.
      clearTimeout(this.trailing);
      this.trailing = setTimeout(() => {
        this.reloading = this.reloading.then(() => this.reload());
      }, TRAILING_CHECK_MS);
    };
    this.watcher.on('add', reload).on('change', reload);
    this.watcher.on('unlink', () => sink.error(`catalog file ${this.path} was removed; keeping the last good catalog`, undefined));
    this.watcher.on('error', (err) => sink.error(`watching ${this.path} failed`, err));
    await new Promise<void>((resolve) => this.watcher?.once('ready', resolve));
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
    clearTimeout(this.trailing);
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

  private async load(): Promise<Catalog> {
    const text = await this.read();
    const catalog = parseCatalog(this.path, text, this.name);
    this.lastText = text;
    return catalog;
  }

  private async reload(): Promise<void> {
    try {
      const text = await this.read();
      if (text === this.lastText) return;
      const catalog = parseCatalog(this.path, text, this.name);
      this.lastText = text;
      this.catalog = catalog;
      for (const dep of this.watched.values()) this.deliver(catalog, dep);
    } catch (err) {
      this.sink?.error(`catalog file ${this.path} is invalid; keeping the last good catalog`, err);
    }
  }

  private deliver(catalog: Catalog, dep: Dependency): void {
    if (this.watched.has(dependencyId(dep))) this.sink?.data(dep, answer(catalog, dep));
  }
}
