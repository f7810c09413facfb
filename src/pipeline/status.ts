import type { GuardStatus } from '../feed/guards/guards.js';
import type { SourceStatsView } from '../observe/metrics.js';
import type { PipelineStatus } from '../observe/status.js';
import type { Source } from '../registries/source.js';
import type { TemplateUnit } from '../template/unit.js';

/** The pipeline as /status shows it and /healthz judges it. */
export function pipelineStatus(units: readonly TemplateUnit[], sources: ReadonlyMap<string, Source>, dependencies: readonly string[], guardStatus: (id: string) => GuardStatus | undefined, now: number): PipelineStatus {
  return {
    templates: units.map((u) => ({
      source: u.config.source,
      destination: u.name,
      rendered: u.rendered,
      lastRenderAt: u.lastRenderAt === undefined ? undefined : new Date(u.lastRenderAt).toISOString(),
      waitingFor: u.waiting,
      lastError: u.lastError,
    })),
    sources: [...sources.values()].map((s) => {
      const since = s.health.failingSince;
      return {
        name: s.name,
        description: s.description,
        failing: s.health.failing,
        failingForMs: since === undefined ? 0 : now - since,
        problems: s.health.problems(),
        requests: s.stats.requests,
        failures: s.stats.failures,
      };
    }),
    dependencies,
    guards: Object.fromEntries(
      dependencies.flatMap((id) => {
        const status = guardStatus(id);
        return status ? [[id, status]] : [];
      }),
    ),
  };
}

/** Per-source figures for metrics. */
export function sourceStats(sources: ReadonlyMap<string, Source>): SourceStatsView[] {
  return [...sources.values()].map((s) => ({ name: s.name, requests: s.stats.requests, failures: s.stats.failures, failing: s.health.failing }));
}
