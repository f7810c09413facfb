import type { Instance } from '../../catalog/types.js';
import { probeKey } from './probe.js';
import type { ProbeView } from './state.js';

/** An instance as templates see it when its service is probed: `Probe` holds this host's view. */
export type ProbedInstance = Instance;

export interface FusedService {
  /** Same order as given; `Status` is critical where the probe ejected it. */
  readonly instances: readonly ProbedInstance[];
  /** Keys of the instances marked critical because of their probe (the registry had them up). */
  readonly ejected: readonly string[];
  /** True when so many looked down from here that none was marked down. */
  readonly panic: boolean;
  /** Instances the registry calls up (passing, warning) and the probe calls critical. */
  readonly probeDown: number;
}

const registryUp = (instance: Instance): boolean => instance.Status === 'passing' || instance.Status === 'warning';

/**
 * Fuses the registry's view with this host's: an instance is critical if either says so. Panic
 * mode (Envoy's panic threshold): when more than `panicPct` percent of the instances the registry
 * calls up look down from here, the fault is more likely here (a network partition, a firewall)
 * than in all of them — every instance keeps its registry status, and `panic` says so. Pure.
 */
export function fuseProbes(
  instances: readonly Instance[],
  viewOf: (key: string) => ProbeView | undefined,
  panicPct: number,
  keyOf: (instance: Instance) => string = probeKey,
): FusedService {
  const views = instances.map((instance) => viewOf(keyOf(instance)));
  const up = instances.filter(registryUp).length;
  const downKeys = instances.filter((instance, i) => registryUp(instance) && views[i]?.Status === 'critical').map(keyOf);
  const panic = downKeys.length > 0 && downKeys.length * 100 > panicPct * up;
  const ejected = panic ? [] : downKeys;
  const ejectedSet = new Set(ejected);
  const fused = instances.map((instance, i): ProbedInstance => {
    const view = views[i];
    if (view === undefined) return instance;
    return { ...instance, Status: ejectedSet.has(keyOf(instance)) ? 'critical' : instance.Status, Probe: view };
  });
  return { instances: fused, ejected, panic, probeDown: downKeys.length };
}
