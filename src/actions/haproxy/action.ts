import { readFile } from 'node:fs/promises';
import type { Logger } from '../../observe/log.js';
import type { Metrics } from '../../observe/metrics.js';
import type { TemplateConfig } from '../../template/settings.js';
import { systemClock, type Clock, type Timer } from '../../util/clock.js';
import type { ChangedFile } from '../reload.js';
import { HaproxyRuntime, type RuntimeResult } from './runtime.js';
import type { HaproxyTemplateSettings } from './settings.js';

interface Managed {
  readonly runtime: HaproxyRuntime;
  readonly settings: HaproxyTemplateSettings;
}

/**
 * The haproxy runtime action next to the reload command: a changed file of a template with an
 * `haproxy` socket is applied through the Runtime API first — servers added, removed, moved,
 * re-weighted, enabled or disabled, no connection reset — and only what the API cannot do goes
 * on to the reload (with its check and rollback). The two paths stay consistent by reconciling:
 * after every reload (haproxy may restore a saved server state over the new file's), at start,
 * and every `reconcile_every` (finishing removals that were still draining).
 */
export class HaproxyActions {
  private readonly managed = new Map<string, Managed>();
  private timer: Timer | undefined;
  private stopped = false;

  constructor(
    templates: readonly TemplateConfig[],
    private readonly log: Logger,
    private readonly metrics?: Metrics,
    private readonly clock: Clock = systemClock,
  ) {
    for (const t of templates) {
      if (!t.haproxy) continue;
      const settings = t.haproxy;
      this.managed.set(t.destination, { settings, runtime: new HaproxyRuntime({ socket: settings.socket, timeoutMs: settings.timeoutMs, budgetMs: settings.budgetMs, drainWaitMs: settings.drainWaitMs, log }) });
    }
  }

  get active(): boolean {
    return this.managed.size > 0;
  }

  /**
   * Applies what it can of a batch's written files at run time; returns the files that still need
   * their reload, and the worker each managed haproxy runs now (to wait for its successor).
   */
  async apply(changed: readonly ChangedFile[], signal: AbortSignal): Promise<{ reload: ChangedFile[]; applied: string[]; workers: Map<string, number | undefined> }> {
    const reload: ChangedFile[] = [];
    const applied: string[] = [];
    const workers = new Map<string, number | undefined>();
    for (const file of changed) {
      const managed = this.managed.get(file.destination);
      if (!managed) {
        reload.push(file);
        continue;
      }
      const text = await readFile(file.destination, 'utf8');
      const result = await managed.runtime.apply(text, file.file.previous, signal);
      this.count(file.destination, result, 'apply');
      if (result.kind === 'applied') {
        applied.push(file.destination);
        this.log.info({ destination: file.destination, commands: result.commands, durationMs: result.durationMs, pendingRemovals: result.pendingRemovals.length > 0 ? result.pendingRemovals : undefined }, `applied ${result.differences.length} change(s) to haproxy through its Runtime API; no reload`);
      } else {
        this.log.info({ destination: file.destination, reason: result.reason }, `haproxy needs a reload for this change: ${result.reason}`);
        workers.set(file.destination, await managed.runtime.workerPid().catch(() => undefined));
        reload.push(file);
      }
    }
    return { reload, applied, workers };
  }

  /** After a batch's reload: each managed file is reconciled with what it holds now (new, or rolled back). */
  async afterReload(reloaded: readonly ChangedFile[], workers: ReadonlyMap<string, number | undefined>, signal: AbortSignal): Promise<void> {
    for (const file of reloaded) {
      const previousWorker = workers.get(file.destination);
      await this.reconcile(file.destination, signal, previousWorker);
    }
  }

  /** Reconciles every managed file now, then every `reconcile_every` (the shortest of them). */
  start(signal: AbortSignal): void {
    if (!this.active) return;
    const every = Math.min(...[...this.managed.values()].map((m) => m.settings.reconcileEveryMs));
    const tick = async (): Promise<void> => {
      for (const destination of this.managed.keys()) await this.reconcile(destination, signal);
      if (!this.stopped) this.timer = this.clock.setTimeout(() => void tick(), every);
    };
    void tick();
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
  }

  private async reconcile(destination: string, signal: AbortSignal, previousWorker?: number): Promise<void> {
    const managed = this.managed.get(destination);
    if (!managed || signal.aborted) return;
    let text: string;
    try {
      text = await readFile(destination, 'utf8');
    } catch {
      return; // not rendered yet
    }
    const result = await managed.runtime.reconcile(text, { signal, ...(previousWorker === undefined ? {} : { previousWorker }) });
    this.count(destination, result, 'reconcile');
    if (result.kind === 'applied' && result.differences.length > 0) {
      this.metrics?.haproxyDrift.inc({ destination }, result.differences.length);
      this.log.warn({ destination, differences: result.differences }, `haproxy differed from ${destination} in ${result.differences.length} place(s); put right through its Runtime API`);
    } else if (result.kind === 'reload') {
      // Reloading from here could loop (a reload, then the same difference): it is reported instead.
      this.log.error({ destination, reason: result.reason }, `haproxy cannot be brought in line with ${destination} at run time (${result.reason}); its next reload will`);
    }
  }

  private count(destination: string, result: RuntimeResult, step: 'apply' | 'reconcile'): void {
    this.metrics?.haproxyResults.inc({ destination, step, result: result.kind });
    for (const [kind, n] of Object.entries(result.byKind)) if (n > 0) this.metrics?.haproxyCommands.inc({ kind }, n);
  }
}
