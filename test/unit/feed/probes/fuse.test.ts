import { describe, expect, it } from 'vitest';
import type { HealthStatus, Instance } from '../../../../src/catalog/types.js';
import { fuseProbes } from '../../../../src/feed/probes/fuse.js';
import { probeKey } from '../../../../src/feed/probes/probe.js';
import type { ProbeStatus, ProbeView } from '../../../../src/feed/probes/state.js';
import { testInstance } from './instance.js';

const instance = (n: number, status: HealthStatus = 'passing'): Instance => testInstance(`web-${n}`, `10.0.0.${n}`, 80, status);
const view = (Status: ProbeStatus, Failures = Status === 'critical' ? '3' : '0'): ProbeView => ({ Status, Since: '2024-01-01T00:00:00.000Z', Failures, LastError: Status === 'critical' ? 'connect ECONNREFUSED' : '' });

/** Instances 1..n passing in the registry; the probe says critical for those in `down`. */
function service(n: number, down: readonly number[], registry: Partial<Record<number, HealthStatus>> = {}) {
  const instances = Array.from({ length: n }, (_, i) => instance(i + 1, registry[i + 1] ?? 'passing'));
  const views = new Map(instances.map((inst, i) => [probeKey(inst), view(down.includes(i + 1) ? 'critical' : 'passing')]));
  return { instances, viewOf: (key: string) => views.get(key) };
}
const statuses = (list: readonly Instance[]) => list.map((i) => i.Status);

describe('fusing probe results into catalog data', () => {
  it('marks an instance critical when its probe is, and says which', () => {
    const { instances, viewOf } = service(4, [2]);
    const fused = fuseProbes(instances, viewOf, 50);
    expect(statuses(fused.instances)).toEqual(['passing', 'critical', 'passing', 'passing']);
    expect(fused.ejected).toEqual([probeKey(instance(2))]);
    expect(fused.panic).toBe(false);
    expect(fused.probeDown).toBe(1);
  });

  it('gives every probed instance its Probe view, and keeps everything else', () => {
    const { instances, viewOf } = service(2, [1]);
    const [first, second] = fuseProbes(instances, viewOf, 50).instances;
    expect(first?.Probe).toEqual(view('critical'));
    expect(second?.Probe).toEqual(view('passing'));
    expect({ ...first, Status: 'passing', Probe: undefined }).toEqual({ ...instances[0], Probe: undefined });
  });

  it('keeps the registry critical whatever the probe says, and never revives maintenance', () => {
    const { instances, viewOf } = service(3, [], { 1: 'critical', 2: 'maintenance', 3: 'warning' });
    expect(statuses(fuseProbes(instances, viewOf, 50).instances)).toEqual(['critical', 'maintenance', 'warning']);
  });

  it('turns a warning down when the probe fails', () => {
    const { instances, viewOf } = service(4, [1], { 1: 'warning' });
    expect(fuseProbes(instances, viewOf, 50).instances[0]?.Status).toBe('critical');
  });

  it('leaves an instance without a view as it is (no Probe field)', () => {
    const { instances } = service(2, []);
    const fused = fuseProbes(instances, () => undefined, 50);
    expect(fused.instances).toEqual(instances);
    expect('Probe' in (fused.instances[0] as object)).toBe(false);
  });

  it('panics when more than the threshold share looks down from here: nothing is marked down', () => {
    const { instances, viewOf } = service(10, [1, 2, 3, 4, 5, 6]);
    const fused = fuseProbes(instances, viewOf, 50);
    expect(fused.panic).toBe(true);
    expect(fused.ejected).toEqual([]);
    expect(fused.probeDown).toBe(6);
    expect(statuses(fused.instances).every((s) => s === 'passing')).toBe(true);
    // The probe's own view still tells the truth.
    expect(fused.instances[0]?.Probe?.Status).toBe('critical');
  });

  it('does not panic at exactly the threshold', () => {
    const { instances, viewOf } = service(10, [1, 2, 3, 4, 5]);
    const fused = fuseProbes(instances, viewOf, 50);
    expect(fused.panic).toBe(false);
    expect(fused.ejected).toHaveLength(5);
  });

  it('measures the share against what the registry calls up, not against instances already down', () => {
    // 4 of 10 critical in the registry; the probe fails 4 of the 6 up: 67% of the up ones.
    const { instances, viewOf } = service(10, [5, 6, 7, 8], { 1: 'critical', 2: 'critical', 3: 'critical', 4: 'critical' });
    const fused = fuseProbes(instances, viewOf, 50);
    expect(fused.panic).toBe(true);
    expect(statuses(fused.instances).filter((s) => s === 'critical')).toHaveLength(4);
  });

  it('never panics at 100 and always at 0 (with anything down)', () => {
    const { instances, viewOf } = service(4, [1, 2, 3, 4]);
    expect(fuseProbes(instances, viewOf, 100)).toMatchObject({ panic: false, probeDown: 4 });
    const one = service(4, [1]);
    expect(fuseProbes(one.instances, one.viewOf, 0).panic).toBe(true);
    const none = service(4, []);
    expect(fuseProbes(none.instances, none.viewOf, 0).panic).toBe(false);
  });

  it('ejects the single instance of a one-instance service only when panic allows it', () => {
    const { instances, viewOf } = service(1, [1]);
    expect(fuseProbes(instances, viewOf, 50).panic).toBe(true);
    expect(fuseProbes(instances, viewOf, 100).ejected).toHaveLength(1);
  });

  it('accepts a key function of the caller', () => {
    const { instances } = service(2, []);
    const fused = fuseProbes(instances, (key) => (key === 'web-2' ? view('critical') : view('passing')), 50, (i) => i.ID);
    expect(fused.ejected).toEqual(['web-2']);
  });
});
