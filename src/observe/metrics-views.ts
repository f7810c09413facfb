import { Counter, Gauge, type Registry } from 'prom-client';
import type { ProbeStats } from '../feed/probes/prober.js';

/** Per-source counters a source keeps itself (read at scrape time). */
export interface SourceStatsView {
  readonly name: string;
  readonly requests: number;
  readonly failures: number;
  readonly failing: boolean;
  /** Consul: watched health queries per answering backend (X-Consul-Query-Backend). */
  readonly queryBackends?: Readonly<Record<string, number>>;
}

/** Whether a template's file is current, read at scrape time. */
export interface TemplateStatsView {
  readonly destination: string;
  readonly current: boolean;
  readonly retrying: boolean;
}

interface Views {
  readonly sources: () => readonly SourceStatsView[];
  readonly probes: () => ProbeStats | undefined;
  readonly templates: () => readonly TemplateStatsView[];
}

type ServiceProbes = ProbeStats['services'][string];

/** Metrics computed at scrape time from the running pipeline's own counters (sources, probes, templates). */
export function watchedGauges(registry: Registry, views: Views): void {
  const registers = [registry];
  const sources = (): readonly SourceStatsView[] => views.sources();
  const services = (): [string, ServiceProbes][] => Object.entries(views.probes()?.services ?? {});
  new Counter({ name: 'ctmpl_source_requests_total', help: 'Requests sent to a source (registry)', labelNames: ['source'], registers, collect() { this.reset(); for (const s of sources()) this.inc({ source: s.name }, s.requests); } });
  new Counter({ name: 'ctmpl_source_errors_total', help: 'Failed requests to a source', labelNames: ['source'], registers, collect() { this.reset(); for (const s of sources()) this.inc({ source: s.name }, s.failures); } });
  new Gauge({ name: 'ctmpl_source_failing', help: '1 while a source has a problem open (retrying with backoff)', labelNames: ['source'], registers, collect() { this.reset(); for (const s of sources()) this.set({ source: s.name }, s.failing ? 1 : 0); } });
  new Gauge({
    name: 'ctmpl_consul_watches',
    help: 'Watched Consul health queries by the backend answering them (streaming, or blocking-query: one server RPC per answer through a client agent)',
    labelNames: ['source', 'backend'],
    registers,
    collect() {
      this.reset();
      for (const s of sources()) for (const [backend, count] of Object.entries(s.queryBackends ?? {})) this.set({ source: s.name, backend }, count);
    },
  });
  const serviceCounter = (name: string, help: string, value: (s: ServiceProbes) => number): void =>
    void new Counter({ name, help, labelNames: ['service'], registers, collect() { this.reset(); for (const [service, s] of services()) this.inc({ service }, value(s)); } });
  serviceCounter('ctmpl_probes_total', 'Probes sent from this host, per service', (s) => s.probes);
  serviceCounter('ctmpl_probe_failures_total', 'Probes that failed, per service', (s) => s.failures);
  new Gauge({ name: 'ctmpl_probe_instances_down', help: 'Instances this host finds down, per service', labelNames: ['service'], registers, collect() { this.reset(); for (const [service, s] of services()) this.set({ service }, s.down); } });
  new Gauge({ name: 'ctmpl_probes_in_flight', help: 'Probes running now', registers, collect() { this.set(views.probes()?.inFlight ?? 0); } });
  new Gauge({ name: 'ctmpl_probes_queued', help: 'Probes waiting for a slot (the concurrency bound)', registers, collect() { this.set(views.probes()?.queued ?? 0); } });
  new Gauge({ name: 'ctmpl_template_current', help: '1 while a template\'s file holds its last render, loaded by its command', labelNames: ['destination'], registers, collect() { this.reset(); for (const t of views.templates()) this.set({ destination: t.destination }, t.current ? 1 : 0); } });
  new Gauge({ name: 'ctmpl_template_retrying', help: '1 while a template waits to be rendered and reloaded again after a failure', labelNames: ['destination'], registers, collect() { this.reset(); for (const t of views.templates()) this.set({ destination: t.destination }, t.retrying ? 1 : 0); } });
}
