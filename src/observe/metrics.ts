import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ProbeStats } from '../feed/probes/prober.js';
import { packageVersion } from '../util/version.js';
import { watchedGauges, type SourceStatsView, type TemplateStatsView } from './metrics-views.js';

export type { SourceStatsView, TemplateStatsView } from './metrics-views.js';

const DECISIONS = ['held', 'released', 'filtered', 'kept_from_empty', 'damped', 'probe_panic'] as const;
const COMMAND_RESULTS = ['success', 'failure', 'timeout'] as const;

/**
 * The Prometheus metrics: ctmpl's own prefixed ctmpl_, the process and Node.js ones under their
 * standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes…). One registry per
 * process, so counters keep counting across SIGHUP reloads; counters start at 0 for every label
 * value known up front, so increase() sees the first failure. Label values are destinations,
 * source names and fixed words — never catalog data or commands (secrets, cardinality).
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly views: { sources: () => readonly SourceStatsView[]; probes: () => ProbeStats | undefined; templates: () => readonly TemplateStatsView[] } = {
    sources: () => [],
    probes: () => undefined,
    templates: () => [],
  };
  private readonly registers = [this.registry];

  readonly renders = this.perDestination('ctmpl_renders_total', 'Complete renders of a template');
  readonly renderErrors = this.perDestination('ctmpl_render_errors_total', 'Renders that failed (the last good file stays)');
  readonly writes = this.perDestination('ctmpl_writes_total', 'Destination files written');
  readonly writeFailures = this.perDestination('ctmpl_write_failures_total', 'Writes that failed (the previous file is left as it was; retried with backoff)');
  readonly checkFailures = this.perDestination('ctmpl_check_failures_total', 'Staged files refused by their check command');
  readonly lastRender = new Gauge({ name: 'ctmpl_last_render_timestamp_seconds', help: 'Time of the last complete render of a template', labelNames: ['destination'], registers: this.registers });
  readonly commands = new Counter({ name: 'ctmpl_reload_commands_total', help: 'Reload commands run, by result', labelNames: ['result'], registers: this.registers });
  readonly commandDuration = new Histogram({
    name: 'ctmpl_reload_duration_seconds',
    help: 'Duration of reload commands',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: this.registers,
  });
  readonly rollbacks = new Counter({ name: 'ctmpl_rollbacks_total', help: 'Batches rolled back after a failed reload', registers: this.registers });
  readonly dependencies = new Gauge({ name: 'ctmpl_dependencies_watched', help: 'Dependencies (queries) being watched', registers: this.registers });
  readonly catalogRejected = new Counter({ name: 'ctmpl_catalog_rejected_total', help: 'Catalog items refused by validation (never rendered)', labelNames: ['source'], registers: this.registers });
  readonly haproxyResults = new Counter({ name: 'ctmpl_haproxy_runtime_results_total', help: 'haproxy Runtime API applies and reconciles, by step and result: applied (no reload) or reload', labelNames: ['destination', 'step', 'result'], registers: this.registers });
  readonly haproxyCommands = new Counter({ name: 'ctmpl_haproxy_runtime_commands_total', help: 'Commands sent to haproxy through its Runtime API, by kind', labelNames: ['kind'], registers: this.registers });
  readonly haproxyDrift = new Counter({ name: 'ctmpl_haproxy_drift_total', help: 'Differences between haproxy and its file found and put right by a reconcile', labelNames: ['destination'], registers: this.registers });
  readonly guardDecisions = new Counter({ name: 'ctmpl_guard_decisions_total', help: `Guard decisions: ${DECISIONS.join(', ')}`, labelNames: ['decision'], registers: this.registers });

  constructor() {
    new Gauge({ name: 'ctmpl_build_info', help: 'ctmpl version and the Node.js it runs on (always 1)', labelNames: ['version', 'node'], registers: this.registers }).set({ version: packageVersion(), node: process.version }, 1);
    for (const result of COMMAND_RESULTS) this.commands.inc({ result }, 0);
    for (const decision of DECISIONS) this.guardDecisions.inc({ decision }, 0);
    this.rollbacks.inc(0);
    watchedGauges(this.registry, this.views);
    collectDefaultMetrics({ register: this.registry });
  }

  /** Starts the per-destination counters at 0 (a template's first failure is then an increase). */
  knowDestinations(destinations: readonly string[]): void {
    for (const destination of destinations) for (const counter of [this.renders, this.renderErrors, this.writes, this.writeFailures, this.checkFailures]) counter.inc({ destination }, 0);
  }

  /** Where scrape-time figures come from (the running pipeline; replaced on SIGHUP). */
  watchSources(view: () => readonly SourceStatsView[]): void {
    this.views.sources = view;
  }

  watchProbes(view: () => ProbeStats | undefined): void {
    this.views.probes = view;
  }

  watchTemplates(view: () => readonly TemplateStatsView[]): void {
    this.views.templates = view;
  }

  private perDestination(name: string, help: string): Counter<'destination'> {
    return new Counter({ name, help, labelNames: ['destination'], registers: this.registers });
  }
}
