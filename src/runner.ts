import type { ExecSupervisor } from './actions/exec.js';
import type { HaproxyActions } from './actions/haproxy/action.js';
import { dependencyId } from './catalog/types.js';
import { DEFAULTS } from './config/defaults.js';
import type { Config } from './config/schema.js';
import type { Logger } from './observe/log.js';
import type { PipelineStatus } from './observe/status.js';
import { runBatch, type BatchParts } from './pipeline/batch.js';
import { Arrivals } from './pipeline/arrivals.js';
import { FileWatchdog } from './pipeline/file-watchdog.js';
import { onceExitCode } from './pipeline/once.js';
import { renderInputs } from './pipeline/inputs.js';
import { cleanUpAfterCrash } from './output/stale.js';
import { buildStages, type Stages } from './pipeline/stages.js';
import { observeInMetrics, pipelineStatus } from './pipeline/status.js';
import type { Deduplicator } from './registries/definition.js';
import { createDeduplicator } from './registries/dedup.js';
import { startSources } from './registries/start.js';
import type { Source } from './registries/source.js';
import { Scheduler } from './schedule/scheduler.js';
import { TemplateFileWatch } from './template/file-watch.js';
import type { PartialSet } from './template/partials.js';
import { loadTemplates, type TemplateUnit } from './template/unit.js';
import { systemClock, type Clock } from './util/clock.js';
import type { RunnerOptions } from './pipeline/runner-options.js';

export type { RunnerOptions } from './pipeline/runner-options.js';

/**
 * Wires the stages together and does nothing else: sources → feed (screen, guards, store) →
 * scheduler (quiescence, batches, retries) → render → output → actions; observe only reads.
 */
export class Runner {
  private readonly config: Config;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly sources = new Map<string, Source>();
  private readonly stages: Stages;
  private readonly stopping = new AbortController();
  private units: TemplateUnit[] = [];
  private readonly parts: BatchParts;
  private scheduler: Scheduler<TemplateUnit> | undefined;
  private fileWatch: TemplateFileWatch | undefined;
  private partials: PartialSet | undefined;
  private watchdog: FileWatchdog | undefined;
  private dedup: Deduplicator | undefined;
  private exec: ExecSupervisor | undefined;
  private haproxy: HaproxyActions | undefined;
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
    this.stages = buildStages({
      config,
      log,
      metrics,
      clock: this.clock,
      sources: this.sources,
      dryOutput: options.dryOutput ?? process.stdout,
      onChange: (id, dampedWaitMs) => {
        for (const unit of this.units) if (unit.deps.has(id)) this.scheduler?.changed(unit, unit.rendered, dampedWaitMs);
      },
    });
    const { feed, output, subscriptions, reloader, waiting, once } = this.stages;
    this.parts = {
      inputs: renderInputs(config, feed, this.sources, options.env ?? process.env),
      output,
      subscriptions,
      reloader,
      waiting,
      once,
      log,
      metrics,
      signal: this.stopping.signal,
      watchFiles: (paths) => this.fileWatch?.add(paths),
      commit: (ids) => feed.commit(ids),
      retry: (units) => this.scheduler?.retry(units),
      succeeded: () => this.scheduler?.succeeded(),
      exec: () => this.exec,
      haproxy: () => this.haproxy,
    };
  }

  get configuration(): Config {
    return this.config;
  }

  /** Counters for tests and benchmarks: renders, writes, check failures, command runs and failures, rollbacks. */
  get stats(): { renders: number; writes: number; checkFailures: number } & Stages['reloader']['stats'] {
    return { renders: this.units.reduce((n, u) => n + u.renders, 0), ...this.stages.output.stats, ...this.stages.reloader.stats };
  }

  /**
   * Loads templates and starts sources. Throws InputError for bad templates or catalogs, before
   * anything is written.
   */
  async start(): Promise<void> {
    const { config, log } = this;
    // Exec mode's supervisor brings execa, a large share of start-up: loaded only in exec mode.
    if (config.exec) this.exec = new (await import('./actions/exec.js')).ExecSupervisor(config.exec, log);
    if (config.templates.some((t) => t.haproxy) && !config.dry) this.haproxy = new (await import('./actions/haproxy/action.js')).HaproxyActions(config.templates, log, this.options.metrics, this.clock);
    const loaded = await loadTemplates(config.templates, config.partials);
    this.units = loaded.units;
    this.partials = loaded.partials;
    if (!config.dry) await cleanUpAfterCrash(this.units.map((u) => u.name), log);
    this.stages.output.warnAboutChecks(config.templates);
    const arrivals = new Arrivals((id) => this.stages.feed.has(id));
    this.scheduler = new Scheduler({
      units: this.units,
      waitOf: (unit) => unit.config.wait ?? config.wait,
      once: config.once,
      retry: { baseMs: config.reloadRetry.firstMs, capMs: config.reloadRetry.maxMs, jitter: 'none' },
      clock: this.clock,
      pace: () => this.stages.reloader.paceBatch(this.stopping.signal),
      runBatch: (due) => this.batch(due),
      hasAllData: (unit) => arrivals.complete(unit.waiting, unit.deps),
      onRetryScheduled: (units, delayMs) => log.warn({ destinations: units.map((u) => u.name), retryInMs: delayMs }, 'will render, write and reload these files again'),
    });
    const watching = !config.once;
    this.dedup = await createDeduplicator(config.dedup, config.sources, this.units.map((u) => u.text), log);
    await startSources(config.sources, this.sources, {
      watch: watching,
      ...(this.options.createSource ? { create: this.options.createSource } : {}),
      dedup: this.dedup,
      log,
      data: (dep, value) => {
        if (this.stages.subscriptions.has(dependencyId(dep))) this.stages.feed.ingest(dep, value);
      },
      problem: (name) => this.sourceFailing(name),
    });
    if (this.options.metrics) observeInMetrics(this.options.metrics, this.units, this.sources, this.stages.probes);
    await this.dedup?.start();
    if (watching) {
      this.fileWatch = await TemplateFileWatch.start(this.units, this.partials, (unit) => this.scheduler?.markDue(unit), log);
      // A rendered file someone deleted is not current until the next batch writes it again.
      const missing = (unit: TemplateUnit): void => {
        unit.health.missing(this.clock.now());
        this.scheduler?.markDue(unit);
      };
      if (!config.dry) this.watchdog = new FileWatchdog(() => this.units, missing, this.clock, DEFAULTS.fileCheckMs, log);
      this.watchdog?.start();
    }
    for (const unit of this.units) this.scheduler.markDue(unit);
  }

  /** Stops sources, timers and watchers; kills running commands' process trees. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopping.abort();
    this.stages.feed.stop();
    this.watchdog?.stop();
    this.haproxy?.stop();
    await this.stages.probes?.stop();
    this.stages.waiting.stop();
    this.scheduler?.stop();
    await this.fileWatch?.close();
    await this.dedup?.stop();
    await Promise.all([...this.sources.values()].map((s) => s.stop()));
    await this.stages.commands.stopAll();
    await this.scheduler?.settled;
    await this.exec?.stop(signal);
  }

  /** A snapshot for /status and /healthz. */
  status(): PipelineStatus {
    return pipelineStatus(this.units, this.sources, this.stages.subscriptions.ids(), (id) => this.stages.feed.guardStatus(id), this.clock.now(), this.stages.probes?.status());
  }

  /** Releases every instance the removal guard holds (the operator's SIGUSR1). */
  releaseHeld(): void {
    this.stages.feed.releaseHeld();
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
    if (!this.readyAnnounced && this.units.every((u) => u.rendered)) {
      this.readyAnnounced = true;
      // Exec mode: the child starts once every template has its first complete render.
      if (this.exec && !this.config.once && !this.config.dry) this.exec.start();
      this.haproxy?.start(this.stopping.signal);
      this.options.onReady?.();
    }
    if (result.changed.length > 0) this.options.onBatch?.(result.changed);
    if (this.stages.once) this.checkOnceFinished();
  }

  private checkOnceFinished(): void {
    const { once, feed, output, reloader } = this.stages;
    const code = once && onceExitCode(once, this.units, this.scheduler?.idle ?? true, this.sources, (id) => feed.has(id), { filesChanged: output.stats.writes, commandsRun: reloader.stats.commandRuns });
    if (code !== undefined) this.finish?.(code);
  }
}
