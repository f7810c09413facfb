import type { ProblemView } from '../registries/health.js';

/** One template as /status shows it. */
export interface TemplateStatus {
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
}

export interface HealthSettings {
  /** A source failing for longer than this makes /healthz unhealthy. */
  readonly sourceFailingMs: number;
}

/** /healthz: healthy when every template has rendered and no source has failed for too long. */
export function healthVerdict(status: PipelineStatus, settings: HealthSettings): { healthy: boolean; reasons: string[] } {
  const reasons: string[] = [];
  for (const t of status.templates) {
    if (!t.rendered) reasons.push(`template ${t.destination} has not rendered yet${t.waitingFor.length > 0 ? ` (waiting for ${t.waitingFor.join(', ')})` : ''}`);
  }
  for (const s of status.sources) {
    if (s.failing && s.failingForMs > settings.sourceFailingMs) reasons.push(`source ${s.name} has been failing for ${Math.round(s.failingForMs / 1000)} s`);
  }
  return { healthy: reasons.length === 0, reasons };
}
