import type { TemplateHealthView } from '../template/health.js';
import type { ProblemView } from '../registries/health.js';

/** One template as /status shows it: its render, and whether its file is current (see TemplateHealthView). */
export interface TemplateStatus extends TemplateHealthView {
  readonly source: string;
  readonly destination: string;
  readonly rendered: boolean;
  readonly lastRenderAt: string | undefined;
  readonly waitingFor: readonly string[];
  readonly lastError: string | undefined;
}

/** One source as /status shows it. */
export interface SourceStatus {
  readonly name: string;
  readonly description: string;
  readonly failing: boolean;
  readonly failingForMs: number;
  readonly problems: readonly ProblemView[];
  readonly requests: number;
  readonly failures: number;
}

/** What /status shows and /healthz decides on: a snapshot of the pipeline, built by the runner. */
export interface PipelineStatus {
  readonly templates: readonly TemplateStatus[];
  readonly sources: readonly SourceStatus[];
  readonly dependencies: readonly string[];
  readonly guards: Readonly<Record<string, unknown>>;
  /** Probed services: instances probed, down from here, panic, probes sent and failed. */
  readonly probes: Readonly<Record<string, { readonly instances: number; readonly down: number; readonly panic: boolean; readonly probes: number; readonly failures: number }>>;
}

export interface HealthSettings {
  /** A source failing for longer than this makes /healthz unhealthy. */
  readonly sourceFailingMs: number;
  /** A template's file not current for longer than this makes /healthz unhealthy. */
  readonly templateGraceMs: number;
}

/**
 * /healthz: healthy when every template has rendered and its file is current (no failed write or
 * reload, no missing file, beyond the grace), and no source has failed for too long.
 */
export function healthVerdict(status: PipelineStatus, settings: HealthSettings, now: number = Date.now()): { healthy: boolean; reasons: string[] } {
  const reasons: string[] = [];
  for (const t of status.templates) {
    if (!t.rendered) reasons.push(`template ${t.destination} has not rendered yet${t.waitingFor.length > 0 ? ` (waiting for ${t.waitingFor.join(', ')})` : ''}`);
    const since = t.notCurrent === undefined ? undefined : Date.parse(t.notCurrent.since);
    if (t.notCurrent && since !== undefined && now - since > settings.templateGraceMs) {
      reasons.push(`${t.destination} is not current: ${t.notCurrent.reason} ${Math.round((now - since) / 1000)} s ago${t.retry ? `, retry ${t.retry.attempts} at ${t.retry.nextAt}` : ''}`);
    }
  }
  for (const s of status.sources) {
    if (s.failing && s.failingForMs > settings.sourceFailingMs) reasons.push(`source ${s.name} has been failing for ${Math.round(s.failingForMs / 1000)} s`);
  }
  return { healthy: reasons.length === 0, reasons };
}
