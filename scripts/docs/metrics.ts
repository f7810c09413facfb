import { collectDefaultMetrics, Registry } from 'prom-client';
import { Metrics } from '../../src/observe/metrics.js';
import { banner, code, page, table } from './markdown.js';

/** One metric as the reference lists it. */
export interface MetricDoc {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly labels: readonly string[];
  /** Histogram bucket bounds, in seconds. */
  readonly buckets: readonly number[];
}

interface MetricShape {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly labelNames?: readonly string[];
  readonly upperBounds?: readonly number[];
}

/**
 * prom-client's default process metrics, under their standard names and with ctmpl's prefix (the
 * one ctmpl uses is found in its registry): those are set apart from ctmpl's own.
 */
function defaultMetricNames(): Set<string> {
  const names = new Set<string>();
  for (const prefix of ['', 'ctmpl_']) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix });
    for (const m of registry.getMetricsAsArray()) names.add(m.name);
  }
  return names;
}

/**
 * ctmpl's own metrics, read from the registry a real `new Metrics()` fills — the object /metrics
 * serves — with prom-client's default process metrics set apart (which of those exist depends on
 * the platform, so they are not listed one by one).
 */
export function metricDocs(): { own: MetricDoc[]; defaults: string[] } {
  const defaultNames = defaultMetricNames();
  const all = new Metrics().registry.getMetricsAsArray().map((m) => m as unknown as MetricShape);
  const own = all
    .filter((m) => !defaultNames.has(m.name))
    .map((m) => ({ name: m.name, type: String(m.type), help: m.help, labels: m.labelNames ?? [], buckets: m.upperBounds ?? [] }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { own, defaults: all.filter((m) => defaultNames.has(m.name)).map((m) => m.name) };
}

/** A few default metrics worth knowing by name (standard names; shown as ctmpl registers them). */
const NOTABLE_DEFAULTS = ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes'];

export function metricsPage(): string {
  const { own, defaults } = metricDocs();
  const notable = NOTABLE_DEFAULTS.flatMap((n) => defaults.filter((d) => d === n || d === `ctmpl_${n}`));
  return page([
    banner('Metrics', ['src/observe/metrics.ts (the registry `new Metrics()` fills)']),
    [
      'Served at `/metrics` in the Prometheus text format when `--listen` (config `listen`) is set;',
      'without it ctmpl does not load the metrics library at all. Counters keep counting across',
      'SIGHUP reloads. Label values are template destinations, source names and fixed words, never',
      'catalog data or commands. More on scraping and alerting: [operations/metrics.md](../operations/metrics.md).',
    ].join('\n'),
    table(
      ['Metric', 'Type', 'Labels', 'Meaning'],
      own.map((m) => [
        code(m.name),
        m.type,
        m.labels.length === 0 ? '—' : m.labels.map(code).join(', '),
        m.buckets.length === 0 ? m.help : `${m.help} (buckets, seconds: ${m.buckets.join(', ')})`,
      ]),
    ),
    notable.length === 0
      ? ''
      : [
          "Besides these, prom-client's default Node.js process metrics",
          `(${notable.map(code).join(', ')}, …; which ones exist depends on the platform).`,
        ].join('\n'),
  ]);
}
