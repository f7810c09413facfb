import { CommandRunner } from './actions/command.js';
import type { ExecSupervisor } from './actions/exec.js';
import { Reloader } from './actions/reload.js';
import { dependencyId } from './catalog/types.js';
import { DEFAULTS } from './config/defaults.js';
import type { Config } from './config/schema.js';
import { CatalogFeed } from './feed/feed.js';
import { Guards } from './feed/guards/guards.js';
import { CatalogScreen } from './feed/screen.js';
import { Subscriptions } from './feed/subscriptions.js';
import type { Logger } from './observe/log.js';
import type { Metrics } from './observe/metrics.js';
import type { PipelineStatus } from './observe/status.js';
import { OutputStep } from './output/output-step.js';
import { runBatch, type BatchParts } from './pipeline/batch.js';
import { renderInputs } from './pipeline/inputs.js';
import { OnceTracker } from './pipeline/once.js';
import { pipelineStatus, sourceStats } from './pipeline/status.js';
import { WaitingReporter } from './pipeline/waiting.js';
import type { Deduplicator } from './registries/definition.js';
import { createDeduplicator } from './registries/dedup.js';
import { startSources, type StartSources } from './registries/start.js';
import type { Source } from './registries/source.js';
import { Scheduler } from './schedule/scheduler.js';
import { TemplateFileWatch } from './template/file-watch.js';
import { TemplateUnit } from './template/unit.js';
import { systemClock, type Clock } from './util/clock.js';

export interface RunnerOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Where --dry prints; stdout unless a test captures it. */
  readonly dryOutput?: NodeJS.WritableStream;
  /** Builds sources; tests pass scripted ones. */
  readonly createSource?: StartSources['create'];
  /** Prometheus metrics; one per process, shared across SIGHUP restarts. */
  readonly metrics?: Metrics;
  /** First retry delay after a rollback (default 10 s); tests shorten it. */
  readonly retryFirstMs?: number;
  /** Called once every template has had its first complete render (systemd READY=1). */
  readonly onReady?: () => void;
  /** Called after a batch that changed files, with their destinations. */
  readonly onBatch?: (destinations: readonly string[]) => void;
  /** Environment visible to the `env` helper. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
}

/**
 * Wires the stages together and does nothing else: sources → feed (screen, guards, store) →
 * scheduler (quiescence, batches, retries) → render → output → actions; observe only reads.
 */
export class Runner {
  private readonly config: Config;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly sources = new Map<string, Source>();
  private readonly commands = new CommandRunner();
  private readonly reloader: Reloader;
  private readonly output: OutputStep;
  private readonly feed: CatalogFeed;
  private readonly subscriptions: Subscriptions;
  private readonly stopping = new AbortController();
  private readonly once: OnceTracker | undefined;
  private readonly waiting: WaitingReporter;
  private units: TemplateUnit[] = [];
  private readonly parts: BatchParts;
  private scheduler: Scheduler<TemplateUnit> | undefined;
  private fileWatch: TemplateFileWatch | undefined;
  private dedup: Deduplicator | undefined;
  private exec: ExecSupervisor | undefined;
  private readyAnnounced = false;
  private stopped = false;
  private finish: ((code: number) => void) | undefined;

  /** Resolves with the exit code once every template has rendered (--once only). */
  readonly done: Promise<number> = new Promise((resolve) => {
    this.finish = resolve;
  });

  constructor(private readonly options: RunnerOptions) {
    const { config, logger: log, metrics } = options;
    this.config = config;
    this.log = log;
    this.clock = options.clock ?? systemClock;
    const guards = new Guards(config.guards, log, metrics);
    this.feed = new CatalogFeed({
      screen: new CatalogScreen(new Set(config.relaxedSources), log, metrics),
      guards,
      dampedWaitMs: config.guards.flap?.dampedWaitMs,
      clock: this.clock,
      onChange: (id, dampedWaitMs) => {
        for (const unit of this.units) if (unit.deps.has(id)) this.scheduler?.changed(unit, unit.rendered, dampedWaitMs);
      },
    });
    this.subscriptions = new Subscriptions(this.sources, (id) => this.feed.forget(id), log);
    this.reloader = new Reloader(this.commands, { command: config.command, timeoutMs: config.commandTimeoutMs, splayMs: config.splayMs, minIntervalMs: config.minReloadIntervalMs }, log, undefined, metrics);
    this.output = new OutputStep({ dry: config.dry, dryOutput: options.dryOutput ?? process.stdout, commandTimeoutMs: config.commandTimeoutMs }, this.commands, log, metrics);
    this.once = config.once ? new OnceTracker(log, config.dry) : undefined;
    this.waiting = new WaitingReporter(log, this.clock, DEFAULTS.noDataWarningMs, (id) => this.feed.has(id));
    this.parts = {
      inputs: renderInputs(config, this.feed, this.sources, options.env ?? process.env),
      output: this.output,
      subscriptions: this.subscriptions,
      reloader: this.reloader,
      waiting: this.waiting,
      once: this.once,
      log,
      metrics,
      signal: this.stopping.signal,
      watchFiles: (paths) => this.fileWatch?.add(paths),
      exec: () => this.exec,
    };
  }

  get configuration(): Config {
    return this.config;
  }

  /** Counters for tests and benchmarks. */
  get stats(): { renders: number; writes: number; checkFailures: number } {
    return { renders: this.units.reduce((n, u) => n + u.renders, 0), ...this.output.stats };
  }

  get reloadStats(): Reloader['stats'] {
    return this.reloader.stats;
  }

  /**
   * Loads templates and starts sources. Throws InputError for bad templates or catalogs, before
   * anything is written.
   */
  async start(): Promise<void> {
    const { config, log } = this;
    // Exec mode's supervisor brings execa, a large share of start-up: loaded only in exec mode.
    if (config.exec) this.exec = new (await import('./actions/exec.js')).ExecSupervisor(config.exec, log);
    this.units = await Promise.all(config.templates.map((t) => TemplateUnit.load(t)));
    this.scheduler = new Scheduler({
      units: this.units,
      waitOf: (unit) => unit.config.wait ?? config.wait,
      once: config.once,
      retry: { baseMs: this.options.retryFirstMs ?? DEFAULTS.retry.firstMs, capMs: DEFAULTS.retry.maxMs, jitter: 'none' },
      clock: this.clock,
      pace: () => this.reloader.paceBatch(this.stopping.signal),
      runBatch: (due) => this.batch(due),
      onRetryScheduled: (units, delayMs) => log.warn({ destinations: units.map((u) => u.name), retryInMs: delayMs }, 'will render and reload the rolled-back files again'),
    });
    const watching = !config.once;
    this.dedup = await createDeduplicator(config.dedup, config.sources, this.units.map((u) => u.text), log);
    await startSources(config.sources, this.sources, {
      watch: watching,
      ...(this.options.createSource ? { create: this.options.createSource } : {}),
      dedup: this.dedup,
      log,
      data: (dep, value) => {
        if (this.subscriptions.has(dependencyId(dep))) this.feed.ingest(dep, value);
      },
      problem: (name) => this.sourceFailing(name),
    });
    this.options.metrics?.watchSources(() => sourceStats(this.sources));
    await this.dedup?.start();
    if (watching) this.fileWatch = await TemplateFileWatch.start(this.units, (unit) => this.scheduler?.markDue(unit), log);
    for (const unit of this.units) this.scheduler.markDue(unit);
  }

  /** Stops sources, timers and watchers; kills running commands' process trees. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopping.abort();
    this.feed.stop();
    this.waiting.stop();
    this.scheduler?.stop();
    await this.fileWatch?.close();
    await this.dedup?.stop();
    await Promise.all([...this.sources.values()].map((s) => s.stop()));
    await this.commands.stopAll();
    await this.scheduler?.settled;
    await this.exec?.stop(signal);
  }

  /** A snapshot for /status and /healthz. */
  status(): PipelineStatus {
    return pipelineStatus(this.units, this.sources, this.subscriptions.ids(), (id) => this.feed.guardStatus(id), this.clock.now());
  }

  /** Releases every instance the removal guard holds (the operator's SIGUSR1). */
  releaseHeld(): void {
    this.feed.releaseHeld();
  }

  /**
   * A source reported a problem. While it has no answer for a dependency, a union (a helper
   * without `source=`) renders without it, so a registry that is down at start never blocks the
   * others: the templates waiting on it render again now.
   */
  private sourceFailing(name: string): void {
    for (const unit of this.units) {
      if (unit.waiting.length > 0 && [...unit.deps.values()].some((dep) => dep.source === name)) this.scheduler?.markDue(unit);
    }
  }

  private async batch(due: readonly TemplateUnit[]): Promise<void> {
    if (this.stopped) return;
    const result = await runBatch(due, this.units, this.parts);
    if (result.retry.length > 0) this.scheduler?.retry(result.retry);
    else if (result.reloadedCleanly) this.scheduler?.succeeded();
    if (!this.readyAnnounced && this.units.every((u) => u.rendered)) {
      this.readyAnnounced = true;
      // Exec mode: the child starts once every template has its first complete render.
      if (this.exec && !this.config.once && !this.config.dry) this.exec.start();
      this.options.onReady?.();
    }
    if (result.changed.length > 0) this.options.onBatch?.(result.changed);
    if (this.once) this.checkOnceFinished();
  }

  private checkOnceFinished(): void {
    // A template whose data is all in, from sources that will not change, can never complete.
    const settled = (id: string, source: string): boolean => this.feed.has(id) && this.sources.get(source)?.live === false;
    const code = this.once?.finished(this.units, this.scheduler?.idle ?? true, settled, { filesChanged: this.output.stats.writes, commandsRun: this.reloader.stats.commandRuns });
    if (code !== undefined) this.finish?.(code);
  }
}
