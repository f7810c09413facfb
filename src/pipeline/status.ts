import type { GuardStatus } from '../feed/guards/guards.js';
import type { SourceStatsView } from '../observe/metrics.js';
import type { PipelineStatus } from '../observe/status.js';
import type { Source } from '../registries/source.js';
import type { TemplateUnit } from '../template/unit.js';
import type { ProbeStage } from '../feed/probe-stage.js';
import type { Metrics } from '../observe/metrics.js';

/** The pipeline as /status shows it and /healthz judges it. */
export function pipelineStatus(
  units: readonly TemplateUnit[],
  sources: ReadonlyMap<string, Source>,
  dependencies: readonly string[],
  guardStatus: (id: string) => GuardStatus | undefined,
  now: number,
  probes: PipelineStatus['probes'] = {},
): PipelineStatus {
  return {
    templates: units.map((u) => ({
      source: u.config.source,
      destination: u.name,
      rendered: u.rendered,
      lastRenderAt: u.lastRenderAt === undefined ? undefined : new Date(u.lastRenderAt).toISOString(),
      waitingFor: u.waiting,
      lastError: u.lastError,
      ...u.health.view(),
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
    probes,
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
  return [...sources.values()].map((s) => ({ name: s.name, requests: s.stats.requests, failures: s.stats.failures, failing: s.health.failing, ...(s.queryBackends ? { queryBackends: s.queryBackends() } : {}) }));
}

/** /metrics reads the running pipeline at scrape time: its sources, probes and templates. */
export function observeInMetrics(metrics: Metrics, units: readonly TemplateUnit[], sources: ReadonlyMap<string, Source>, probes: ProbeStage | undefined): void {
  metrics.watchSources(() => sourceStats(sources));
  if (probes) metrics.watchProbes(() => probes.stats());
  metrics.knowDestinations(units.map((u) => u.name));
  metrics.watchTemplates(() =>
    units.map((u) => {
      const view = u.health.view();
      return { destination: u.name, current: view.current, retrying: view.retry !== undefined };
    }),
  );
}
