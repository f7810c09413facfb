import { statusMatches } from '../catalog/select.js';
import { deepFreeze, type Dependency, type Instance } from '../catalog/types.js';
import type { Logger } from '../observe/log.js';
import type { Metrics } from '../observe/metrics.js';
import type { Clock } from '../util/clock.js';
import type { Config } from '../config/schema.js';
import { Prober, type ProbeStats } from './probes/prober.js';

type ServiceDependency = Extract<Dependency, { kind: 'service' }>;

/**
 * Consumer-side probing as a stage of the feed, between validity and the guards: the instances
 * of a probed service are probed from this host, and one its probe finds down is critical for
 * the templates (the query's status filter applies again, so a passing-only query drops it). A
 * panic — most of a service down from here at once — marks none down and says so. Removals it
 * causes still pass the removal guard after it.
 */
export class ProbeStage {
  /** Services in panic now (logged on entry and exit, not per answer). */
  private readonly panicking = new Set<string>();

  constructor(
    private readonly prober: Prober,
    private readonly log: Logger,
    private readonly metrics?: Metrics,
  ) {}

  probes(service: string): boolean {
    return this.prober.specFor(service) !== undefined;
  }

  /** What templates see of a service query's answer, probes fused in. */
  apply(id: string, dep: ServiceDependency, instances: readonly Instance[]): readonly Instance[] {
    if (!this.probes(dep.name)) return instances;
    this.prober.track(dep.name, instances, id);
    const fused = this.prober.fuse(dep.name, instances);
    this.reportPanic(dep.name, fused.panic, fused.probeDown, instances.length);
    if (fused.ejected.length === 0 && fused.instances.every((i, n) => i === instances[n])) return instances;
    return deepFreeze(fused.instances.filter((i) => statusMatches(i.Status, dep.status)));
  }

  /** A query no template uses any more: its instances stop being probed (unless another query lists them). */
  forget(id: string, dep: ServiceDependency): void {
    this.prober.untrack(dep.name, id);
  }

  stop(): Promise<void> {
    return this.prober.stop();
  }

  /** Probe counters (for /metrics). */
  stats(): ProbeStats {
    return this.prober.stats();
  }

  /** Per probed service, for /status: instances probed, down from here, and whether in panic. */
  status(): Record<string, { instances: number; down: number; panic: boolean; probes: number; failures: number }> {
    const out: Record<string, { instances: number; down: number; panic: boolean; probes: number; failures: number }> = {};
    for (const [service, s] of Object.entries(this.prober.stats().services)) out[service] = { instances: s.instances, down: s.down, panic: this.panicking.has(service), probes: s.probes, failures: s.failures };
    return out;
  }

  private reportPanic(service: string, panic: boolean, down: number, total: number): void {
    if (panic === this.panicking.has(service)) return;
    if (panic) {
      this.panicking.add(service);
      this.metrics?.guardDecisions.inc({ decision: 'probe_panic' });
      this.log.error({ service, probeDown: down, instances: total }, `${down} of ${total} instances of ${service} look down from this host: more than its panic threshold, so none is marked down (the fault is more likely here than in all of them)`);
    } else {
      this.panicking.delete(service);
      this.log.info({ service, probeDown: down }, `panic over for ${service}: probes mark instances down again`);
    }
  }
}

/**
 * The probe stage when some service is probed (probing is off unless configured), and never in
 * --once: there is no later for a probe's verdict there.
 */
export function createProbeStage(config: Config, log: Logger, metrics: Metrics | undefined, clock: Clock, changed: (service: string) => void): ProbeStage | undefined {
  if (config.once || Object.keys(config.probes.services).length === 0) return undefined;
  const prober = new Prober({ settings: config.probes, log, concurrency: config.probeConcurrency, clock, onChange: changed });
  return new ProbeStage(prober, log, metrics);
}
