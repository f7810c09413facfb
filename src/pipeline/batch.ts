import type { Dependency } from '../catalog/types.js';
import type { ExecSupervisor } from '../actions/exec.js';
import type { ChangedFile, Reloader } from '../actions/reload.js';
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
  readonly log: Logger;
  readonly metrics: Metrics | undefined;
  readonly signal: AbortSignal;
  /** Files a render read with `file`, to watch. */
  readonly watchFiles: (paths: ReadonlySet<string>) => void;
  readonly exec: () => ExecSupervisor | undefined;
}

/** What a batch did, for the scheduler (retries) and the runner (readiness, --once, systemd). */
export interface BatchResult {
  readonly changed: readonly string[];
  /** Templates whose files were put back after a failed reload: they go again later. */
  readonly retry: readonly TemplateUnit[];
  /** A reload ran and nothing was rolled back. */
  readonly reloadedCleanly: boolean;
}

/**
 * One batch: render each due template with the latest data, put each text in place (staged,
 * checked, committed), watch what the templates use now, then run each distinct command once
 * (rolling back on failure) and signal the exec child.
 */
export async function runBatch(units: readonly TemplateUnit[], all: readonly TemplateUnit[], parts: BatchParts): Promise<BatchResult> {
  const { log, metrics, once } = parts;
  const changed: ChangedFile[] = [];
  for (const unit of units) {
    const outcome = unit.render(parts.inputs(unit));
    if (outcome.kind === 'failed') {
      metrics?.renderErrors.inc({ template: unit.name });
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
    metrics?.renders.inc({ template: unit.name });
    metrics?.lastRender.set({ template: unit.name }, (unit.lastRenderAt ?? Date.now()) / 1000);
    log.debug({ template: unit.config.source, renderMs: outcome.ms }, 'rendered');
    const written = await parts.output.apply(unit.config, outcome.text);
    if (written.kind === 'written') changed.push(written.file);
    if (written.kind === 'check-failed' || written.kind === 'write-failed') {
      unit.lastError = written.error;
      once?.failure(unit);
    }
  }
  const wanted = new Map<string, Dependency>();
  for (const unit of all) for (const [id, dep] of unit.deps) wanted.set(id, dep);
  parts.subscriptions.sync(wanted);
  metrics?.dependencies.set(parts.subscriptions.size);
  parts.waiting.report(units);
  if (changed.length === 0) return { changed: [], retry: [], reloadedCleanly: false };
  const { ok, rolledBack } = await parts.reloader.run(changed, parts.signal);
  if (!ok) once?.commandFailure();
  const exec = parts.exec();
  if (exec?.running) await exec.reload();
  return { changed: changed.map((f) => f.destination), retry: all.filter((u) => rolledBack.includes(u.name)), reloadedCleanly: rolledBack.length === 0 };
}
