import { CommandRunner } from './actions/command.js';
import { Store } from './catalog/store.js';
import { dependencyId, type Dependency, type DependencyValue, type Instance } from './catalog/types.js';
import type { Config } from './config/schema.js';
import { errorMessage } from './errors.js';
import { Guards } from './guards/guards.js';
import { sleep } from './time.js';
import { Quiescence } from './guards/quiescence.js';
import type { Logger } from './observe/log.js';
import { writeDestination } from './output/write.js';
import { createSource } from './sources/create.js';
import type { Source } from './sources/source.js';
import { ContentWatcher } from './sources/watch-files.js';
import { compileTemplateText, TemplateUnit } from './template/unit.js';

export interface RunnerOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Where --dry prints; stdout unless a test captures it. */
  readonly dryOutput?: NodeJS.WritableStream;
  /** Builds sources; tests pass scripted ones. */
  readonly createSource?: typeof createSource;
  /** Environment visible to the `env` helper. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

interface Subscription {
  readonly dep: Dependency;
  readonly source: Source;
}

/**
 * The only module that knows all the others: sources feed the store; a change marks the templates
 * that use it; quiescence decides when they render; a batch renders, writes, then runs each
 * distinct command once. Batches never overlap, so commands never run concurrently.
 */
export class Runner {
  private readonly config: Config;
  private readonly log: Logger;
  private readonly store = new Store();
  private readonly sources = new Map<string, Source>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly commands = new CommandRunner();
  private units: TemplateUnit[] = [];
  private readonly quiescence = new Map<TemplateUnit, Quiescence>();
  private readonly due = new Set<TemplateUnit>();
  private batchQueued = false;
  private batches: Promise<void> = Promise.resolve();
  private watcher: ContentWatcher | undefined;
  private stopped = false;
  /** --once: templates that failed (render, write) and whether a command failed. */
  private readonly failures = new Set<TemplateUnit>();
  private readonly guards: Guards;
  /** Counters for logs, tests and (later) metrics. */
  readonly stats = { renders: 0, writes: 0, commandRuns: 0, commandFailures: 0 };
  private guardTimer: NodeJS.Timeout | undefined;
  /** Aborts a splay wait on shutdown. */
  private readonly stopping = new AbortController();
  private commandFailed = false;
  private finish: ((code: number) => void) | undefined;

  constructor(private readonly options: RunnerOptions) {
    this.config = options.config;
    this.log = options.logger;
    this.guards = new Guards(options.config.guards, options.logger);
  }

  /**
   * Loads templates and starts sources. Throws InputError for bad templates or catalogs, before
   * anything is written. In --once the promise `done` resolves with the exit code.
   */
  async start(): Promise<void> {
    this.units = await Promise.all(this.config.templates.map((t) => TemplateUnit.load(t)));
    for (const unit of this.units) {
      const wait = unit.config.wait ?? this.config.wait;
      this.quiescence.set(unit, new Quiescence(wait, () => this.markDue(unit)));
    }
    const watching = !this.config.once;
    for (const sourceConfig of this.config.sources) {
      this.sources.set(sourceConfig.name, (this.options.createSource ?? createSource)(sourceConfig, { watch: watching }));
    }
    for (const source of this.sources.values()) {
      await source.start({
        data: (dep, value) => this.onData(dep, value),
        error: (message, err) => this.log.error({ source: source.name, err: err === undefined ? undefined : errorMessage(err) }, message),
        info: (message) => this.log.info({ source: source.name }, message),
      });
      this.log.info({ source: source.name, uri: source.description }, 'source started');
    }
    if (watching) await this.watchTemplateFiles();
    for (const unit of this.units) this.markDue(unit);
  }

  get configuration(): Config {
    return this.config;
  }

  /** Resolves with the exit code once every template has rendered (--once only). */
  readonly done: Promise<number> = new Promise((resolve) => {
    this.finish = resolve;
  });

  /** Stops sources, timers and watchers; kills running commands' process trees. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopping.abort();
    clearTimeout(this.guardTimer);
    for (const q of this.quiescence.values()) q.cancel();
    await this.watcher?.close();
    await Promise.all([...this.sources.values()].map((s) => s.stop()));
    await this.commands.stopAll();
    await this.batches;
  }

  /** Releases every instance the removal guard holds (the operator's SIGUSR1). */
  releaseHeld(): void {
    const now = Date.now();
    for (const [id, value] of this.guards.releaseAll(now)) this.publish(id, value, now);
    this.scheduleGuardTimer();
  }

  private onData(dep: Dependency, value: DependencyValue): void {
    const id = dependencyId(dep);
    if (!this.subscriptions.has(id)) return;
    const now = Date.now();
    // Templates see service answers only through the guards (allowlist, removal, empty).
    this.publish(id, dep.kind === 'service' ? this.guards.apply(id, dep, value as readonly Instance[], now) : value, now);
    this.scheduleGuardTimer();
  }

  /** Stores what templates see; a real change marks the templates that use it. */
  private publish(id: string, value: DependencyValue, now: number): void {
    if (!this.store.set(id, value)) return;
    const damped = this.guards.recordChange(id, now);
    const dampedWaitMs = damped ? this.config.guards.flap?.dampedWaitMs : undefined;
    for (const unit of this.units) {
      if (!unit.deps.has(id)) continue;
      // The first render happens as soon as data is complete; later ones wait for calm.
      if (unit.rendered && !this.config.once) this.quiescence.get(unit)?.notify(dampedWaitMs);
      else this.markDue(unit);
    }
  }

  /** Wakes up when a guard window moves: held instances may be released, damping may end. */
  private scheduleGuardTimer(): void {
    clearTimeout(this.guardTimer);
    const next = this.guards.nextDeadline();
    if (next === undefined || this.stopped) return;
    this.guardTimer = setTimeout(() => {
      const now = Date.now();
      for (const [id, value] of this.guards.reevaluate(now)) this.publish(id, value, now);
      this.scheduleGuardTimer();
    }, Math.max(0, next - Date.now()));
    this.guardTimer.unref();
  }

  private markDue(unit: TemplateUnit): void {
    if (this.stopped) return;
    this.due.add(unit);
    if (this.batchQueued) return;
    this.batchQueued = true;
    // Everything that becomes due in this tick (one catalog edit touching many templates) is one batch.
    setImmediate(() => {
      this.batchQueued = false;
      this.batches = this.batches.then(() => this.runBatch());
    });
  }

  private async runBatch(): Promise<void> {
    if (this.stopped) return;
    const units = this.units.filter((u) => this.due.has(u));
    this.due.clear();
    const changed: TemplateUnit[] = [];
    for (const unit of units) {
      if (await this.renderAndWrite(unit)) changed.push(unit);
    }
    this.syncSubscriptions();
    if (changed.length > 0 && !this.config.dry) await this.runCommands(changed);
    if (this.config.once) this.checkOnceFinished();
  }

  /** Renders one template; returns true when its destination changed. */
  private async renderAndWrite(unit: TemplateUnit): Promise<boolean> {
    const started = performance.now();
    let result;
    try {
      result = unit.compiled.render({
        defaultSource: this.config.sources[0]?.name ?? '',
        sources: new Map(this.config.sources.map((s) => [s.name, s.scheme])),
        lookup: (id) => this.store.get(id),
        guardStatus: (id) => this.guards.status(id),
        sandbox: unit.sandbox,
        env: this.options.env ?? process.env,
      });
    } catch (err) {
      this.log.error({ template: unit.config.source, destination: unit.name, err: errorMessage(err) }, 'render failed; the last good file stays');
      this.failures.add(unit);
      return false;
    }
    this.failures.delete(unit);
    const ctx = result.context;
    if (result.output === undefined) {
      for (const [id, dep] of ctx.used) unit.deps.set(id, dep);
      unit.waiting = [...ctx.waiting];
      this.log.debug({ template: unit.config.source, waiting: unit.waiting }, 'waiting for data');
      return false;
    }
    unit.deps = ctx.used;
    unit.waiting = [];
    this.watchFiles(ctx.files);
    unit.files = ctx.files;
    unit.rendered = true;
    this.stats.renders += 1;
    const renderMs = Math.round((performance.now() - started) * 100) / 100;
    if (this.config.dry) {
      if (result.output === unit.lastOutput) return false;
      unit.lastOutput = result.output;
      (this.options.dryOutput ?? process.stdout).write(`> ${unit.name}\n${result.output}\n`);
      return true;
    }
    try {
      const outcome = await writeDestination(unit.name, result.output, {
        ...(unit.config.perms === undefined ? {} : { perms: unit.config.perms }),
        backup: unit.config.backup,
      });
      unit.lastOutput = result.output;
      if (outcome === 'written') this.stats.writes += 1;
      this.log.info({ destination: unit.name, template: unit.config.source, outcome, renderMs }, outcome === 'written' ? 'wrote file' : 'rendered; file unchanged');
      return outcome === 'written';
    } catch (err) {
      this.log.error({ destination: unit.name, err: errorMessage(err) }, 'write failed');
      this.failures.add(unit);
      return false;
    }
  }

  /** Watches what templates use now; drops what no template uses any more. */
  private syncSubscriptions(): void {
    const wanted = new Map<string, Dependency>();
    for (const unit of this.units) for (const [id, dep] of unit.deps) wanted.set(id, dep);
    for (const [id, sub] of this.subscriptions) {
      if (wanted.has(id)) continue;
      sub.source.unwatch(sub.dep);
      this.subscriptions.delete(id);
      this.store.delete(id);
      this.guards.forget(id);
      this.log.debug({ dependency: id }, 'unwatched');
    }
    for (const [id, dep] of wanted) {
      if (this.subscriptions.has(id)) continue;
      const source = this.sources.get(dep.source);
      if (!source) continue; // RenderContext only accepts configured source names.
      this.subscriptions.set(id, { dep, source });
      source.watch(dep);
      this.log.debug({ dependency: id }, 'watching');
    }
  }

  /** Each distinct command once: per-template commands first, then the global one. */
  private async runCommands(changed: TemplateUnit[]): Promise<void> {
    const byCommand = new Map<string, string[]>();
    for (const unit of changed) {
      if (unit.config.command === undefined) continue;
      byCommand.set(unit.config.command, [...(byCommand.get(unit.config.command) ?? []), unit.name]);
    }
    if (this.config.command !== undefined) {
      byCommand.set(this.config.command, [...(byCommand.get(this.config.command) ?? []), ...changed.map((u) => u.name)]);
    }
    const allChanged = changed.map((u) => u.name).join('\n');
    if (this.config.splayMs > 0 && byCommand.size > 0) {
      // Splay: a fleet of sidecars seeing the same change does not reload in lockstep.
      await sleep(Math.random() * this.config.splayMs, this.stopping.signal);
    }
    for (const [command, destinations] of byCommand) {
      if (this.stopped) return;
      const result = await this.commands.run(command, {
        timeoutMs: this.config.commandTimeoutMs,
        env: {
          CTMPL_DESTINATIONS: [...new Set(destinations)].join('\n'),
          CTMPL_CHANGED: allChanged,
          CTMPL_CHANGED_COUNT: String(changed.length),
        },
      });
      this.stats.commandRuns += 1;
      const fields = { command, exitCode: result.exitCode, signal: result.signal, durationMs: result.durationMs, output: result.output || undefined };
      if (result.ok) this.log.info(fields, 'command succeeded');
      else {
        this.commandFailed = true;
        this.stats.commandFailures += 1;
        this.log.error(fields, result.timedOut ? `command timed out after ${this.config.commandTimeoutMs} ms; its process tree was killed` : 'command failed');
      }
    }
  }

  /** --once ends when every template rendered or failed, or waits on data that cannot arrive. */
  private checkOnceFinished(): void {
    const pending = this.units.filter((u) => !u.rendered && !this.failures.has(u));
    const stuck = pending.filter((u) => this.cannotProgress(u));
    if (pending.length > stuck.length || this.due.size > 0 || this.batchQueued) return;
    for (const unit of stuck) {
      this.log.error({ template: unit.config.source, waiting: unit.waiting }, 'template cannot render: the data it waits for does not exist');
    }
    const failed = stuck.length > 0 || this.failures.size > 0 || this.commandFailed;
    this.finish?.(failed ? 1 : 0);
  }

  /** True when every dependency has data from a source that will not change, yet the render is incomplete. */
  private cannotProgress(unit: TemplateUnit): boolean {
    for (const [id, dep] of unit.deps) {
      if (!this.store.has(id) || this.sources.get(dep.source)?.live !== false) return false;
    }
    return unit.deps.size > 0 || unit.waiting.length > 0;
  }

  private async watchTemplateFiles(): Promise<void> {
    this.watcher = await ContentWatcher.start(
      this.units.map((u) => ({ path: u.config.source, text: u.text })),
      (path, text) => this.onLocalFileChange(path, text),
      { error: (err) => this.log.error({ err: errorMessage(err) }, 'watching template files failed') },
    );
  }

  private watchFiles(files: ReadonlySet<string>): void {
    if (this.watcher) for (const file of files) this.watcher.add(file);
  }

  /** A template edit recompiles it (a broken edit keeps the last good output); a `file` change re-renders. */
  private onLocalFileChange(path: string, text: string): void {
    for (const unit of this.units) {
      if (unit.config.source === path) {
        try {
          unit.compiled = compileTemplateText(path, text);
          this.log.info({ template: path }, 'template changed');
        } catch (err) {
          this.log.error({ template: path, err: errorMessage(err) }, 'template has errors; keeping the last good output');
          continue;
        }
        this.markDue(unit);
      } else if (unit.files.has(path)) {
        this.markDue(unit);
      }
    }
  }
}
