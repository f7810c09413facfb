import { CommandRunner } from './actions/command.js';
import { CatalogScreen } from './feed/screen.js';
import { DedupHub } from './registries/consul/dedup/hub.js';
import { dedupIdentity } from './registries/consul/dedup/snapshot.js';
import { ConsulClient } from './registries/consul/client.js';
import { readToken } from './registries/consul/settings.js';
import { Store } from './feed/store.js';
import { dependencyId, describeDependency, type Dependency, type DependencyValue, type Instance } from './catalog/types.js';
import type { Config } from './config/schema.js';
import { errorMessage } from './errors.js';
import { Guards } from './feed/guards/guards.js';
import { Quiescence } from './schedule/quiescence.js';
import type { Logger } from './observe/log.js';
import type { Metrics, SourceStatsView } from './observe/metrics.js';
import type { ExecSupervisor } from './actions/exec.js';
import { Reloader, type ChangedFile } from './actions/reload.js';
import { withStagedPath } from './actions/shell.js';
import { stageDestination } from './output/write.js';
import { createSource } from './registries/list.js';
import type { Source } from './registries/old-source.js';
import { ContentWatcher } from './util/content-watcher.js';
import { compileTemplateText, TemplateUnit } from './template/unit.js';

export interface RunnerOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Where --dry prints; stdout unless a test captures it. */
  readonly dryOutput?: NodeJS.WritableStream;
  /** Builds sources; tests pass scripted ones. */
  readonly createSource?: typeof createSource;
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
}

/** Variables `env` never shows unless named in --env-allow: a template must not leak a token. */
const SECRET_VARIABLE = /(^CONSUL_HTTP_(TOKEN|AUTH)$)|TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE_KEY|API_KEY|CREDENTIAL/i;

/** The environment templates see: only the allowlist when one is given, else all but secrets. */
export function templateEnvironment(env: Readonly<Record<string, string | undefined>>, allow: readonly string[] | undefined): Record<string, string | undefined> {
  const names = Object.keys(env).filter((name) => (allow ? allow.includes(name) : !SECRET_VARIABLE.test(name)));
  return Object.fromEntries(names.map((name) => [name, env[name]]));
}

/** Retry of rolled-back files after a failed reload: first delay, and the cap while it keeps failing. */
const RETRY_FIRST_MS = 10_000;
const RETRY_MAX_MS = 5 * 60_000;

/** A template still without data this long gets a warning naming what it waits for. */
const NO_DATA_WARNING_MS = 30_000;

/** What /status shows and /healthz decides on. */
export interface RunnerStatus {
  readonly templates: readonly {
    readonly source: string;
    readonly destination: string;
    readonly rendered: boolean;
    readonly lastRenderAt: string | undefined;
    readonly waitingFor: readonly string[];
    readonly lastError: string | undefined;
  }[];
  readonly sources: readonly { readonly name: string; readonly description: string; readonly failing: boolean; readonly failingForMs: number; readonly requests: number; readonly failures: number }[];
  readonly dependencies: readonly string[];
  readonly guards: Readonly<Record<string, unknown>>;
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
  /** When each failing source started failing. */
  /** Sources with a reported problem and no recovery since, and since when (see sourceFailing). */
  private readonly failingSince = new Map<string, number>();
  private readonly waitingTimers: NodeJS.Timeout[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs: number;
  private readonly guards: Guards;
  private readonly screen: CatalogScreen;
  private dedup: DedupHub | undefined;
  /** What the `env` helper may read (credentials withheld unless allowed by name). */
  private readonly templateEnv: Readonly<Record<string, string | undefined>>;
  /** Counters for logs, tests and (later) metrics. */
  readonly stats = { renders: 0, writes: 0, checkFailures: 0 };
  private readonly reloader: Reloader;
  private exec: ExecSupervisor | undefined;
  private readyAnnounced = false;
  private guardTimer: NodeJS.Timeout | undefined;
  /** When the armed guard timer fires; undefined when none is armed. */
  private guardTimerAt: number | undefined;
  /** Aborts a splay wait on shutdown. */
  private readonly stopping = new AbortController();
  private commandFailed = false;
  private finish: ((code: number) => void) | undefined;

  constructor(private readonly options: RunnerOptions) {
    this.config = options.config;
    this.log = options.logger;
    this.guards = new Guards(options.config.guards, options.logger, options.metrics);
    this.templateEnv = templateEnvironment(options.env ?? process.env, options.config.envAllow);
    this.screen = new CatalogScreen(new Set(options.config.relaxedSources ?? []), options.logger, options.metrics);
    this.retryDelayMs = options.retryFirstMs ?? RETRY_FIRST_MS;
    this.reloader = new Reloader(
      this.commands,
      { command: this.config.command, timeoutMs: this.config.commandTimeoutMs, splayMs: this.config.splayMs, minIntervalMs: this.config.minReloadIntervalMs ?? 0 },
      options.logger,
      undefined,
      options.metrics,
    );
  }

  /** Command counters: runs, failures, rollbacks. */
  get reloadStats(): Reloader['stats'] {
    return this.reloader.stats;
  }

  /**
   * Loads templates and starts sources. Throws InputError for bad templates or catalogs, before
   * anything is written. In --once the promise `done` resolves with the exit code.
   */
  async start(): Promise<void> {
    // Exec mode's supervisor brings execa, a large share of start-up: loaded only in exec mode.
    if (this.config.exec) this.exec = new (await import('./actions/exec.js')).ExecSupervisor(this.config.exec, this.options.logger);
    this.units = await Promise.all(this.config.templates.map((t) => TemplateUnit.load(t)));
    for (const unit of this.units) {
      const wait = unit.config.wait ?? this.config.wait;
      this.quiescence.set(unit, new Quiescence(wait, () => this.markDue(unit)));
    }
    const watching = !this.config.once;
    this.dedup = this.createDedup();
    for (const sourceConfig of this.config.sources) {
      const source = (this.options.createSource ?? createSource)(sourceConfig, { watch: watching });
      this.sources.set(sourceConfig.name, this.dedup ? this.dedup.wrap(source) : source);
    }
    this.options.metrics?.watchSources(() => this.sourceStats());
    for (const source of this.sources.values()) {
      await source.start({
        data: (dep, value) => {
          this.sourceAnswered(source);
          this.onData(dep, value);
        },
        error: (message, err) => {
          this.log.error({ source: source.name, err: err === undefined ? undefined : errorMessage(err) }, message);
          this.sourceFailing(source.name);
        },
        info: (message) => {
          this.failingSince.delete(source.name);
          this.log.info({ source: source.name }, message);
        },
      });
      this.log.info({ source: source.name, uri: source.description }, 'source started');
    }
    await this.dedup?.start();
    if (watching) await this.watchTemplateFiles();
    for (const unit of this.units) this.markDue(unit);
  }

  /** Dedup mode: a hub on the first Consul source's agent, keyed by the templates' identity. */
  private createDedup(): DedupHub | undefined {
    const dedup = this.config.dedup;
    const consul = this.config.sources.find((s) => s.consul)?.consul;
    if (!dedup || !consul) return undefined;
    const identity = dedupIdentity(
      this.units.map((u) => u.text),
      this.config.sources.map((s) => s.name),
    );
    this.log.info({ identity, prefix: dedup.prefix }, 'dedup: contending for leadership');
    return new DedupHub(new ConsulClient(consul, readToken(consul)), { ...dedup, identity, blockWaitMs: consul.blockWaitMs }, this.log);
  }

  get configuration(): Config {
    return this.config;
  }

  /** Resolves with the exit code once every template has rendered (--once only). */
  readonly done: Promise<number> = new Promise((resolve) => {
    this.finish = resolve;
  });

  /** Stops sources, timers and watchers; kills running commands' process trees. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopping.abort();
    clearTimeout(this.guardTimer);
    for (const timer of this.waitingTimers) clearTimeout(timer);
    clearTimeout(this.retryTimer);
    for (const q of this.quiescence.values()) q.cancel();
    await this.watcher?.close();
    await this.dedup?.stop();
    await Promise.all([...this.sources.values()].map((s) => s.stop()));
    await this.commands.stopAll();
    await this.batches;
    await this.exec?.stop(signal);
  }

  private sourceAnswered(source: Source): void {
    if (source.failing !== true) this.failingSince.delete(source.name);
  }

  /** Per-source figures for metrics. */
  sourceStats(): SourceStatsView[] {
    return [...this.sources.values()].map((s) => ({
      name: s.name,
      requests: s.stats?.requests ?? 0,
      failures: s.stats?.failures ?? 0,
      failing: s.failing ?? this.failingSince.has(s.name),
    }));
  }

  /** A snapshot for /status and /healthz. */
  status(): RunnerStatus {
    const now = Date.now();
    return {
      templates: this.units.map((u) => ({
        source: u.config.source,
        destination: u.name,
        rendered: u.rendered,
        lastRenderAt: u.lastRenderAt === undefined ? undefined : new Date(u.lastRenderAt).toISOString(),
        waitingFor: u.waiting,
        lastError: u.lastError,
      })),
      sources: [...this.sources.values()].map((s) => {
        const since = this.failingSince.get(s.name);
        return { name: s.name, description: s.description, failing: since !== undefined, failingForMs: since === undefined ? 0 : now - since, requests: s.stats?.requests ?? 0, failures: s.stats?.failures ?? 0 };
      }),
      dependencies: [...this.subscriptions.keys()],
      guards: Object.fromEntries([...this.subscriptions.keys()].flatMap((id) => {
        const status = this.guards.status(id);
        return status ? [[id, status]] : [];
      })),
    };
  }

  /** Releases every instance the removal guard holds (the operator's SIGUSR1). */
  releaseHeld(): void {
    const now = Date.now();
    for (const [id, value] of this.guards.releaseAll(now)) this.publish(id, value, now);
    this.scheduleGuardTimer();
  }

  /**
   * A source reported a problem. Until it reports a recovery, a union (a helper without
   * `source=`) renders without that source's answers that have not arrived yet, so a registry
   * that is down at start never blocks the others; answers it gave before stay in use.
   */
  private sourceFailing(name: string): void {
    if (this.failingSince.has(name)) return;
    this.failingSince.set(name, Date.now());
    for (const unit of this.units) {
      if (unit.waiting.length > 0 && [...unit.deps.values()].some((dep) => dep.source === name)) this.markDue(unit);
    }
  }

  private onData(dep: Dependency, raw: DependencyValue): void {
    const id = dependencyId(dep);
    if (!this.subscriptions.has(id)) return;
    const now = Date.now();
    // Untrusted catalog data is validated at the edge, before guards and templates see it.
    const value = this.screen.apply(dep, raw);
    // Templates see service answers only through the guards (allowlist, removal, empty).
    this.publish(id, dep.kind === 'service' ? this.guards.apply(id, dep, value as readonly Instance[], now) : value, now);
    this.scheduleGuardTimer(id);
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
  private scheduleGuardTimer(changed?: string): void {
    // One answer moves only its own query's deadline: re-arm only when that comes first. A scan
    // of every query per answer is quadratic (a thousand services starting up, or the burst of
    // blocking queries that time out together); a timer left armed too early finds nothing to do
    // and scans then.
    if (changed !== undefined) {
      const at = this.guards.deadlineOf(changed);
      if (at === undefined || (this.guardTimerAt !== undefined && this.guardTimerAt <= at)) return;
      this.armGuardTimer(at);
      return;
    }
    this.armGuardTimer(this.guards.nextDeadline());
  }

  private armGuardTimer(next: number | undefined): void {
    clearTimeout(this.guardTimer);
    this.guardTimerAt = undefined;
    if (next === undefined || this.stopped) return;
    this.guardTimerAt = next;
    this.guardTimer = setTimeout(() => {
      this.guardTimerAt = undefined;
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
    // --min-reload-interval: changes that arrive meanwhile join this batch.
    await this.reloader.paceBatch(this.stopping.signal);
    const units = this.units.filter((u) => this.due.has(u));
    this.due.clear();
    const changed: ChangedFile[] = [];
    for (const unit of units) {
      const output = this.render(unit);
      if (output === undefined) continue;
      const file = await this.stageCheckCommit(unit, output);
      if (file) changed.push(file);
    }
    this.syncSubscriptions();
    this.reportWaiting(units);
    if (changed.length > 0) {
      const { ok, rolledBack } = await this.reloader.run(changed, this.stopping.signal);
      if (!ok) this.commandFailed = true;
      this.scheduleRetry(rolledBack);
      if (this.exec?.running) await this.exec.reload();
    }
    if (!this.readyAnnounced && this.units.every((u) => u.rendered)) {
      this.readyAnnounced = true;
      // Exec mode: the child starts once every template has its first complete render.
      if (this.exec && !this.config.once && !this.config.dry) this.exec.start();
      this.options.onReady?.();
    }
    if (changed.length > 0) this.options.onBatch?.(changed.map((f) => f.destination));
    if (this.config.once) this.checkOnceFinished();
  }

  /**
   * After a rollback the proxy runs on the last good files while the catalog has moved on: try the
   * rolled-back templates again later (10 s, doubling up to 5 min while it keeps failing), rather
   * than wait for a catalog change that may not come for a long time.
   */
  private scheduleRetry(rolledBack: readonly string[]): void {
    if (rolledBack.length === 0) {
      this.retryDelayMs = this.options.retryFirstMs ?? RETRY_FIRST_MS;
      return;
    }
    clearTimeout(this.retryTimer);
    const units = this.units.filter((u) => rolledBack.includes(u.name));
    this.log.warn({ destinations: rolledBack, retryInMs: this.retryDelayMs }, 'will render and reload the rolled-back files again');
    this.retryTimer = setTimeout(() => units.forEach((u) => this.markDue(u)), this.retryDelayMs);
    this.retryTimer.unref();
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
  }

  /** Renders one template; returns the text when every dependency had data and it rendered. */
  private render(unit: TemplateUnit): string | undefined {
    const started = performance.now();
    let result;
    try {
      result = unit.compiled.render({
        defaultSource: this.config.sources[0]?.name ?? '',
        sources: new Map(this.config.sources.map((s) => [s.name, s.scheme])),
        lookup: (id) => this.store.get(id),
        unavailable: (source) => this.failingSince.has(source),
        guardStatus: (id) => this.guards.status(id),
        sandbox: unit.sandbox,
        env: this.templateEnv,
      });
    } catch (err) {
      unit.lastError = errorMessage(err);
      this.options.metrics?.renderErrors.inc({ template: unit.name });
      this.log.error({ template: unit.config.source, destination: unit.name, err: unit.lastError }, 'render failed; the last good file stays');
      this.failures.add(unit);
      return undefined;
    }
    this.failures.delete(unit);
    const ctx = result.context;
    if (result.output === undefined) {
      for (const [id, dep] of ctx.used) unit.deps.set(id, dep);
      unit.waiting = [...ctx.waiting];
      this.log.debug({ template: unit.config.source, waiting: unit.waiting }, 'waiting for data');
      return undefined;
    }
    unit.deps = ctx.used;
    unit.waiting = [];
    this.watchFiles(ctx.files);
    unit.files = ctx.files;
    unit.rendered = true;
    unit.lastRenderAt = Date.now();
    unit.lastError = undefined;
    this.stats.renders += 1;
    this.options.metrics?.renders.inc({ template: unit.name });
    this.options.metrics?.lastRender.set({ template: unit.name }, unit.lastRenderAt / 1000);
    this.log.debug({ template: unit.config.source, renderMs: Math.round((performance.now() - started) * 100) / 100 }, 'rendered');
    return result.output;
  }

  /**
   * Puts a rendered text in place: unchanged → nothing; otherwise staged next to the destination,
   * checked (when a check is set; a failed check leaves the destination alone), then committed.
   * --dry prints instead. Returns the file written, for the batch's commands (and rollback).
   */
  private async stageCheckCommit(unit: TemplateUnit, output: string): Promise<ChangedFile | undefined> {
    if (this.config.dry) {
      if (output !== unit.lastOutput) (this.options.dryOutput ?? process.stdout).write(`> ${unit.name}\n${output}\n`);
      unit.lastOutput = output;
      return undefined;
    }
    const t = unit.config;
    try {
      const staged = await stageDestination(unit.name, output, {
        ...(t.perms === undefined ? {} : { perms: t.perms }),
        ...(t.uid === undefined ? {} : { uid: t.uid }),
        ...(t.gid === undefined ? {} : { gid: t.gid }),
        ...(t.writeMode === undefined ? {} : { mode: t.writeMode }),
        backup: t.backup,
        onFallback: (destination, code) => this.log.warn({ destination, code }, `cannot rename over ${destination} (${code}: a bind mount?); wrote it in place instead`),
      });
      unit.lastOutput = output;
      if (staged === 'unchanged') {
        this.log.info({ destination: unit.name, template: t.source, outcome: 'unchanged' }, 'rendered; file unchanged');
        return undefined;
      }
      if (t.check !== undefined && !(await this.check(unit, staged.staged))) {
        await staged.discard();
        this.failures.add(unit);
        return undefined;
      }
      await staged.commit();
      this.stats.writes += 1;
      this.options.metrics?.writes.inc({ template: unit.name });
      this.log.info({ destination: unit.name, template: t.source, outcome: 'written' }, 'wrote file');
      return { destination: unit.name, command: t.command, file: staged };
    } catch (err) {
      unit.lastError = errorMessage(err);
      this.log.error({ destination: unit.name, err: unit.lastError }, 'write failed');
      this.failures.add(unit);
      return undefined;
    }
  }

  /** Runs the template's check on the staged file; its output is logged either way. */
  private async check(unit: TemplateUnit, staged: string): Promise<boolean> {
    const command = withStagedPath(unit.config.check as string, staged);
    const result = await this.commands.run(command, { timeoutMs: this.config.commandTimeoutMs, env: { CTMPL_STAGED: staged, CTMPL_DESTINATION: unit.name } });
    const fields = { destination: unit.name, check: unit.config.check, exitCode: result.exitCode, durationMs: result.durationMs, output: result.output || undefined };
    if (result.ok) {
      this.log.info(fields, 'check passed');
      return true;
    }
    this.stats.checkFailures += 1;
    unit.lastError = `check failed: ${result.output || `exit ${String(result.exitCode)}`}`;
    this.options.metrics?.checkFailures.inc({ template: unit.name });
    this.log.error(fields, `check failed: ${unit.name} is left as it was and nothing is reloaded; the next change tries again`);
    return false;
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
    this.options.metrics?.dependencies.set(this.subscriptions.size);
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
    this.log.info(
      {
        templatesRendered: this.units.filter((u) => u.rendered).length,
        templates: this.units.length,
        filesChanged: this.stats.writes,
        commandsRun: this.reloader.stats.commandRuns,
        failed,
      },
      this.config.dry ? 'summary (dry run: nothing written, nothing run)' : 'summary',
    );
    this.finish?.(failed ? 1 : 0);
  }

  /**
   * Feedback a person expects: after the first pass, one line per template saying what it waits
   * for; if it still waits after a while, a warning naming the dependencies that have no data.
   */
  private reportWaiting(units: readonly TemplateUnit[]): void {
    for (const unit of units) {
      if (unit.rendered || unit.waitingReported) continue;
      unit.waitingReported = true;
      const waitingFor = unit.waiting.map((w) => {
        const dep = unit.deps.get(w);
        return dep ? describeDependency(dep) : w;
      });
      this.log.info({ template: unit.config.source, destination: unit.name, waitingFor }, `waiting for ${waitingFor.join(', ')}`);
      const timer = setTimeout(() => {
        if (unit.rendered || this.stopped) return;
        const missing = [...unit.deps.keys()].filter((id) => !this.store.has(id));
        this.log.warn(
          { template: unit.config.source, destination: unit.name, missing, waitingFor: unit.waiting },
          `still waiting after ${NO_DATA_WARNING_MS / 1000} s: ${missing.length > 0 ? `no data yet for ${missing.join(', ')}` : unit.waiting.join(', ')}`,
        );
      }, NO_DATA_WARNING_MS);
      timer.unref();
      this.waitingTimers.push(timer);
    }
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
