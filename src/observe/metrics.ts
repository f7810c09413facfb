import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Per-source counters a source keeps itself (read at scrape time). */
export interface SourceStatsView {
  readonly name: string;
  readonly requests: number;
  readonly failures: number;
  readonly failing: boolean;
}

/**
 * The Prometheus metrics (all prefixed ctmpl_). One registry per process, so counters keep
 * counting across SIGHUP reloads. Label values are template destinations, source names and
 * fixed words — never catalog data or commands, which could carry secrets or explode cardinality.
 */
export class Metrics {
  readonly registry = new Registry();
  private sourceView: () => readonly SourceStatsView[] = () => [];

  readonly renders = new Counter({ name: 'ctmpl_renders_total', help: 'Complete renders of a template', labelNames: ['template'], registers: [this.registry] });
  readonly renderErrors = new Counter({ name: 'ctmpl_render_errors_total', help: 'Renders that failed (the last good file stays)', labelNames: ['template'], registers: [this.registry] });
  readonly writes = new Counter({ name: 'ctmpl_writes_total', help: 'Destination files written', labelNames: ['template'], registers: [this.registry] });
  readonly checkFailures = new Counter({ name: 'ctmpl_check_failures_total', help: 'Staged files refused by their check command', labelNames: ['template'], registers: [this.registry] });
  readonly lastRender = new Gauge({ name: 'ctmpl_last_render_timestamp_seconds', help: 'Time of the last complete render of a template', labelNames: ['template'], registers: [this.registry] });
  readonly commands = new Counter({ name: 'ctmpl_reload_commands_total', help: 'Reload commands run, by result', labelNames: ['result'], registers: [this.registry] });
  readonly commandDuration = new Histogram({
    name: 'ctmpl_reload_duration_seconds',
    help: 'Duration of reload commands',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly rollbacks = new Counter({ name: 'ctmpl_rollbacks_total', help: 'Batches rolled back after a failed reload', registers: [this.registry] });
  readonly dependencies = new Gauge({ name: 'ctmpl_dependencies_watched', help: 'Dependencies (queries) being watched', registers: [this.registry] });
  readonly catalogRejected = new Counter({ name: 'ctmpl_catalog_rejected_total', help: 'Catalog items refused by validation (never rendered)', labelNames: ['source'], registers: [this.registry] });
  readonly guardDecisions = new Counter({ name: 'ctmpl_guard_decisions_total', help: 'Guard decisions: held, released, filtered, kept_from_empty, damped', labelNames: ['decision'], registers: [this.registry] });

  constructor() {
    const view = (): readonly SourceStatsView[] => this.sourceView();
    new Counter({
      name: 'ctmpl_source_requests_total',
      help: 'Requests sent to a source (registry)',
      labelNames: ['source'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const s of view()) this.inc({ source: s.name }, s.requests);
      },
    });
    new Counter({
      name: 'ctmpl_source_errors_total',
      help: 'Failed requests to a source',
      labelNames: ['source'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const s of view()) this.inc({ source: s.name }, s.failures);
      },
    });
    new Gauge({
      name: 'ctmpl_source_failing',
      help: '1 while a source is failing (retrying with backoff)',
      labelNames: ['source'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const s of view()) this.set({ source: s.name }, s.failing ? 1 : 0);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'ctmpl_' });
  }

  /** Where scrape-time source figures come from (the running pipeline; replaced on SIGHUP). */
  watchSources(view: () => readonly SourceStatsView[]): void {
    this.sourceView = view;
  }
}
