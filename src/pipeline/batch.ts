import type { Dependency, DependencyValue } from '../catalog/types.js';
import type { ExecSupervisor } from '../actions/exec.js';
import type { HaproxyActions } from '../actions/haproxy/action.js';
import type { ChangedFile, Reloader, ReloadResult } from '../actions/reload.js';
import type { Subscriptions } from '../feed/subscriptions.js';
import type { Logger } from '../observe/log.js';
import type { Metrics } from '../observe/metrics.js';
import type { OutputStep } from '../output/output-step.js';
import type { RenderInputs } from '../template/render-context.js';
import type { TemplateUnit } from '../template/unit.js';
import type { OnceTracker } from './once.js';
import type { WaitingReporter } from './waiting.js';

/** Everything one batch goes through, wired by the runner. */
export interface BatchParts {
  readonly inputs: (unit: TemplateUnit) => RenderInputs;
  readonly output: OutputStep;
  readonly subscriptions: Subscriptions;
  readonly reloader: Reloader;
  readonly waiting: WaitingReporter;
  readonly once: OnceTracker | undefined;
  /** What committed templates rendered becomes the guards' reference. */
  readonly commit: (rendered: ReadonlyMap<string, DependencyValue>) => void;
  /** Templates that failed go again with backoff; the step and the attempt it is. */
  readonly retry: (units: readonly TemplateUnit[]) => { delayMs: number; attempts: number } | undefined;
  /** A batch whose commands all succeeded: the retry backoff starts over. */
  readonly succeeded: () => void;
  readonly log: Logger;
  readonly metrics: Metrics | undefined;
  readonly signal: AbortSignal;
  /** Files a render read with `file`, to watch. */
  readonly watchFiles: (paths: ReadonlySet<string>) => void;
  readonly exec: () => ExecSupervisor | undefined;
  /** The haproxy Runtime API action, when a template has one. */
  readonly haproxy: () => HaproxyActions | undefined;
}

/** What a batch did, for the scheduler (retries), the feed (commits) and the runner (readiness, --once, systemd). */
export interface BatchResult {
  /** Destinations written. */
  readonly changed: readonly string[];
  /** Templates whose files hold their render, loaded by their command if they have one: what they used is committed. */
  readonly committed: readonly TemplateUnit[];
  /** Templates to go again: their write failed, or their reload (rolled back, or kept when there was nothing to roll back to). */
  readonly retry: readonly TemplateUnit[];
}

/**
 * One batch: render each due template with the latest data, put each text in place (staged,
 * checked, committed), watch what the templates use now, then run each distinct command once
 * (rolling back where there is something to roll back to) and signal the exec child.
 */
export async function runBatch(units: readonly TemplateUnit[], all: readonly TemplateUnit[], parts: BatchParts): Promise<BatchResult> {
  const { log, metrics, once } = parts;
  const changed = new Map<string, { file: ChangedFile; unit: TemplateUnit }>();
  const committed: TemplateUnit[] = [];
  const retry: TemplateUnit[] = [];
  for (const unit of units) {
    const outcome = unit.render(parts.inputs(unit));
    if (outcome.kind === 'failed') {
      metrics?.renderErrors.inc({ destination: unit.name });
      log.error({ template: unit.config.source, destination: unit.name, err: outcome.error }, 'render failed; the last good file stays');
      once?.failure(unit);
      continue;
    }
    if (outcome.kind === 'waiting') {
      log.debug({ template: unit.config.source, waiting: outcome.waiting }, 'waiting for data');
      continue;
    }
    once?.success(unit);
    parts.watchFiles(unit.files);
    metrics?.renders.inc({ destination: unit.name });
    metrics?.lastRender.set({ destination: unit.name }, (unit.lastRenderAt ?? Date.now()) / 1000);
    log.debug({ template: unit.config.source, renderMs: outcome.ms }, 'rendered');
    const health = unit.health;
    const written = await parts.output.apply(unit.config, outcome.text, health.view().notCurrent?.reason === 'reload failed, nothing to roll back to');
    const now = Date.now();
    switch (written.kind) {
      case 'written':
        changed.set(unit.name, { file: written.file, unit });
        health.wrote(now, 'written');
        if (written.checked) health.checked(now, true);
        break;
      case 'unchanged':
      case 'dry':
        health.wrote(now, written.kind);
        committed.push(unit);
        break;
      case 'check-failed':
        health.checked(now, false, written.error);
        unit.lastError = written.error;
        once?.failure(unit);
        break;
      case 'write-failed':
        metrics?.writeFailures.inc({ destination: unit.name });
        health.writeFailed(now, written.error);
        unit.lastError = written.error;
        once?.failure(unit);
        retry.push(unit);
        break;
    }
  }
  const wanted = new Map<string, Dependency>();
  for (const unit of all) for (const [id, dep] of unit.deps) wanted.set(id, dep);
  parts.subscriptions.sync(wanted);
  metrics?.dependencies.set(parts.subscriptions.size);
  parts.waiting.report(units);
  if (changed.size > 0) {
    const files = [...changed.values()].map((c) => c.file);
    // What haproxy's Runtime API applies needs no reload; the rest reloads (checked, rolled back).
    const haproxy = parts.haproxy();
    const split = haproxy ? await haproxy.apply(files, parts.signal) : { reload: files, applied: [], workers: new Map<string, number | undefined>() };
    const result = await parts.reloader.run(split.reload, parts.signal);
    if (haproxy && split.reload.length > 0) await haproxy.afterReload(split.reload, split.workers, parts.signal);
    if (!result.ok) once?.commandFailure();
    settle(changed, result, split.applied, committed, retry);
    const exec = parts.exec();
    if (exec?.running) await exec.reload();
  }
  // Guards take what was committed as their reference; failures go again with backoff.
  parts.commit(new Map(committed.flatMap((u) => [...u.seen])));
  for (const unit of committed) unit.health.committed();
  const step = parts.retry(retry);
  if (step) for (const unit of retry) unit.health.retrying(step.attempts, Date.now() + step.delayMs);
  else if (changed.size > 0) parts.succeeded();
  return { changed: [...changed.keys()], committed, retry };
}

/** Each written file's fate after the commands: committed, or to go again. */
function settle(changed: ReadonlyMap<string, { unit: TemplateUnit }>, result: ReloadResult, applied: readonly string[], committed: TemplateUnit[], retry: TemplateUnit[]): void {
  for (const [destination, { unit }] of changed) {
    if (applied.includes(destination)) {
      committed.push(unit);
      continue;
    }
    const report = result.reports.find((r) => r.destinations.includes(destination));
    const fate = result.rolledBack.includes(destination) ? 'rolled back' : result.kept.includes(destination) ? 'kept' : 'ok';
    if (report) unit.health.commandRan(report, fate);
    if (fate === 'ok') committed.push(unit);
    else retry.push(unit);
  }
}
