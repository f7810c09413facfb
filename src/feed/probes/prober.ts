import type { Instance } from '../../catalog/types.js';
import { systemClock, type Clock, type Timer } from '../../util/clock.js';
import { fuseProbes, type FusedService } from './fuse.js';
import { failed, failureText, probeKey, probeTarget, targetText, type ProbeFunction, type ProbeTarget } from './probe.js';
import { probeHttp } from './probe-http.js';
import { probeTcp } from './probe-tcp.js';
import { DEFAULT_PROBE_CONCURRENCY, probeSpecFor, type ProbeSettings, type ProbeSpec, type ProbeType } from './settings.js';
import type { ProbeLogger, ProbeStats, ServiceProbeStats } from './prober-types.js';
import { Slots } from './slots.js';
import { initialProbeState, nextProbeState, probeView, type ProbeOutcome, type ProbeState, type ProbeView, type Transition } from './state.js';

export interface ProberOptions {
  readonly settings: ProbeSettings;
  readonly log: ProbeLogger;
  /** Called once per status transition of any instance of `service` (never per probe); errors are logged. */
  readonly onChange?: (service: string) => void;
  /** Most probes in flight at once, over all services (default 64); the rest wait in a queue. */
  readonly concurrency?: number;
  /** Time and timers (default the system clock; vitest's fake timers drive it, or pass a fake one). */
  readonly clock?: Clock;
  /** [0, 1), for jitter. */
  readonly random?: () => number;
  readonly probes?: Partial<Record<ProbeType, ProbeFunction>>;
  /** Identity of an instance within its service (default `${Node}/${ID}`). */
  readonly keyOf?: (instance: Instance) => string;
}

export type { ProbeLogger, ProbeStats, ServiceProbeStats };

interface Counters {
  probes: number;
  failures: number;
}

interface ServiceEntry {
  readonly spec: ProbeSpec;
  readonly counters: Counters;
  readonly instances: Map<string, Probed>;
  /** Instances by key, per origin (the caller's dependency): an instance is probed while any origin lists it. */
  readonly origins: Map<string, ReadonlyMap<string, Instance>>;
}

interface Run {
  readonly controller: AbortController;
  deadline: Timer | undefined;
  finished: boolean;
}

interface Probed {
  readonly service: ServiceEntry & { readonly name: string };
  readonly key: string;
  readonly target: ProbeTarget | undefined;
  /** Why the instance is not probed, when it is not. */
  readonly skip: string | undefined;
  readonly identity: string;
  state: ProbeState;
  timer: Timer | undefined;
  run: Run | undefined;
  gone: boolean;
}

/**
 * Probes the instances of configured services from this host and keeps a rise/fall state per
 * instance. Fire-and-forget: nothing waits on it, and every error is caught. Each instance has one
 * loop — probe, wait interval ± jitter, probe — so an instance is never probed twice at once; a
 * global queue keeps at most `concurrency` probes in flight, whatever the number of instances.
 */
export class Prober {
  private readonly services = new Map<string, ServiceEntry & { readonly name: string }>();
  private readonly counters = new Map<string, Counters>();
  private readonly slots: Slots<Probed>;
  private stopped = false;
  private readonly pending = new Set<Promise<void>>();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly probes: Record<ProbeType, ProbeFunction>;
  private readonly keyOf: (instance: Instance) => string;

  constructor(private readonly options: ProberOptions) {
    this.slots = new Slots(Math.max(1, options.concurrency ?? DEFAULT_PROBE_CONCURRENCY), (probed) => this.start(probed));
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.probes = { tcp: probeTcp, http: probeHttp, https: probeHttp, ...options.probes };
    this.keyOf = options.keyOf ?? probeKey;
  }

  /** The spec a service is probed with, or undefined when it is not probed. */
  specFor(service: string): ProbeSpec | undefined {
    return probeSpecFor(this.options.settings, service);
  }

  /**
   * The instances of `service` that `origin` (say, a dependency id) lists now, replacing what it
   * listed before. New instances start being probed; instances no origin lists any more stop at once
   * (a probe in flight is aborted); an instance whose address or port changed starts over.
   */
  track(service: string, instances: readonly Instance[], origin = ''): void {
    if (this.stopped) return;
    const spec = this.specFor(service);
    if (spec === undefined) {
      this.untrack(service);
      return;
    }
    let entry = this.services.get(service);
    if (entry === undefined) {
      entry = { name: service, spec, counters: this.countersOf(service), instances: new Map(), origins: new Map() };
      this.services.set(service, entry);
    }
    entry.origins.delete(origin);
    entry.origins.set(origin, new Map(instances.map((i) => [this.keyOf(i), i])));
    this.reconcile(entry);
  }

  /** Stops probing what `origin` listed for `service` (every origin when none is given). */
  untrack(service: string, origin?: string): void {
    const entry = this.services.get(service);
    if (entry === undefined) return;
    if (origin === undefined) entry.origins.clear();
    else entry.origins.delete(origin);
    this.reconcile(entry);
    if (entry.origins.size === 0) this.services.delete(service);
  }

  /** What templates see of an instance's probe; undefined when it is not tracked. */
  view(service: string, key: string): ProbeView | undefined {
    const probed = this.services.get(service)?.instances.get(key);
    if (probed === undefined) return undefined;
    const view = probeView(probed.state);
    return probed.skip === undefined ? view : { ...view, LastError: probed.skip };
  }

  /** The instances templates see, with probe results fused in (see fuseProbes); as given when not probed. */
  fuse(service: string, instances: readonly Instance[]): FusedService {
    const spec = this.specFor(service);
    if (spec === undefined) return { instances, ejected: [], panic: false, probeDown: 0 };
    return fuseProbes(instances, (key) => this.view(service, key), spec.panicPct, this.keyOf);
  }

  stats(): ProbeStats {
    const services: Record<string, ServiceProbeStats> = {};
    for (const [name, counters] of this.counters) {
      const probed = [...(this.services.get(name)?.instances.values() ?? [])];
      services[name] = {
        instances: probed.length,
        probes: counters.probes,
        failures: counters.failures,
        down: probed.filter((p) => p.state.status === 'critical').length,
        skipped: probed.filter((p) => p.skip !== undefined).length,
      };
    }
    return { services, inFlight: this.slots.running, queued: this.slots.queued, maxInFlight: this.slots.maxRunning };
  }

  /** Stops every probe: timers cleared, probes in flight aborted (their sockets destroyed). Resolves when they have settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const entry of this.services.values()) for (const probed of entry.instances.values()) this.retire(probed);
    this.services.clear();
    this.slots.clear();
    await Promise.allSettled([...this.pending]);
  }

  private countersOf(service: string): Counters {
    let counters = this.counters.get(service);
    if (counters === undefined) this.counters.set(service, (counters = { probes: 0, failures: 0 }));
    return counters;
  }

  private reconcile(entry: ServiceEntry & { readonly name: string }): void {
    const wanted = new Map<string, Instance>();
    // The most recent origin (last in the map) wins when two list the same key differently.
    for (const listed of entry.origins.values()) for (const [key, instance] of listed) wanted.set(key, instance);
    for (const [key, probed] of entry.instances) {
      if (wanted.has(key)) continue;
      this.retire(probed);
      entry.instances.delete(key);
    }
    for (const [key, instance] of wanted) {
      const found = probeTarget(instance, entry.spec);
      const identity = 'target' in found ? targetText(found.target) : found.skip;
      const existing = entry.instances.get(key);
      if (existing?.identity === identity) continue;
      if (existing !== undefined) this.retire(existing);
      entry.instances.set(key, this.begin(entry, key, found, identity));
    }
  }

  private begin(service: Probed['service'], key: string, found: ReturnType<typeof probeTarget>, identity: string): Probed {
    const target = 'target' in found ? found.target : undefined;
    const skip = 'skip' in found ? found.skip : undefined;
    const probed: Probed = { service, key, target, skip, identity, state: initialProbeState(this.clock.now()), timer: undefined, run: undefined, gone: false };
    if (skip !== undefined) this.options.log.warn({ service: service.name, instance: key }, `probe: instance ${key} of ${service.name} is ${skip}`);
    // The first probe of each instance lands anywhere in the first interval, so that a thousand
    // instances tracked at once are not probed at once.
    else this.schedule(probed, this.random() * service.spec.intervalMs);
    return probed;
  }

  private retire(probed: Probed): void {
    probed.gone = true;
    this.clock.clearTimeout(probed.timer);
    probed.timer = undefined;
    this.slots.cancel(probed);
    probed.run?.controller.abort();
  }

  private schedule(probed: Probed, delay: number): void {
    probed.timer = this.clock.setTimeout(() => {
      probed.timer = undefined;
      if (!probed.gone && !this.stopped) this.slots.enqueue(probed);
    }, Math.max(0, Math.round(delay)));
  }

  private start(probed: Probed): void {
    const { spec } = probed.service;
    const run: Run = { controller: new AbortController(), deadline: undefined, finished: false };
    probed.run = run;
    run.deadline = this.clock.setTimeout(() => this.finish(probed, run, failed(`timeout after ${spec.timeoutMs} ms`)), spec.timeoutMs);
    let outcome: Promise<ProbeOutcome>;
    try {
      outcome = this.probes[spec.type](probed.target as ProbeTarget, spec, run.controller.signal);
    } catch (err) {
      outcome = Promise.resolve(failed(failureText(err)));
    }
    const settled = outcome.then(
      (result) => this.finish(probed, run, result),
      (err: unknown) => this.finish(probed, run, failed(failureText(err))),
    );
    this.pending.add(settled);
    const forget = (): void => void this.pending.delete(settled);
    settled.then(forget, forget);
  }

  /** The end of a probe: its result, or its timeout, whichever comes first. */
  private finish(probed: Probed, run: Run, outcome: ProbeOutcome): void {
    if (run.finished) return;
    run.finished = true;
    this.clock.clearTimeout(run.deadline);
    // On timeout this destroys the socket; after a result it is a no-op.
    run.controller.abort();
    if (probed.run === run) probed.run = undefined;
    if (!probed.gone && !this.stopped) {
      try {
        this.record(probed, outcome);
      } catch {
        // A throwing logger must not stop this instance's probes.
      }
      const { intervalMs, jitterMs } = probed.service.spec;
      this.schedule(probed, intervalMs + (this.random() * 2 - 1) * jitterMs);
    }
    this.slots.release();
  }

  private record(probed: Probed, outcome: ProbeOutcome): void {
    const { counters, spec, name } = probed.service;
    counters.probes += 1;
    if (!outcome.ok) counters.failures += 1;
    const { state, transition } = nextProbeState(probed.state, outcome, spec, this.clock.now());
    probed.state = state;
    if (transition === undefined) return;
    this.report(probed, transition);
    try {
      this.options.onChange?.(name);
    } catch (err) {
      this.options.log.warn({ service: name, err: failureText(err) }, `probe: the change handler for ${name} failed: ${failureText(err)}`);
    }
  }

  private report(probed: Probed, transition: Transition): void {
    const name = probed.service.name;
    const address = probed.target === undefined ? '' : targetText(probed.target);
    const fields = { service: name, instance: probed.key, address, from: transition.from, to: transition.to, reason: transition.reason };
    const message = `probe: ${name} instance ${probed.key} (${address}) ${transition.from} → ${transition.to}: ${transition.reason}`;
    if (transition.to === 'critical') this.options.log.warn(fields, message);
    else if (transition.from === 'unknown') this.options.log.debug?.(fields, message);
    else this.options.log.info(fields, message);
  }
}
