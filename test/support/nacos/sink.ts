import { dependencyId, type Dependency, type DependencyValue, type Instance } from '../../../src/catalog/types.js';
import type { SourceSink } from '../../../src/registries/source.js';
import { waitFor } from '../ctmpl.js';

export interface Delivery {
  readonly id: string;
  readonly value: DependencyValue;
  readonly at: number;
}

/** A SourceSink that records everything, with waits (deadlines, no sleeps) on what it saw. */
export class RecordingSink implements SourceSink {
  readonly deliveries: Delivery[] = [];
  readonly errors: string[] = [];
  readonly infos: string[] = [];

  data(dep: Dependency, value: DependencyValue): void {
    this.deliveries.push({ id: dependencyId(dep), value, at: Date.now() });
  }

  error(message: string): void {
    this.errors.push(message);
  }

  info(message: string): void {
    this.infos.push(message);
  }

  warn(message: string): void {
    this.infos.push(message);
  }

  /** Every value delivered for `dep`, oldest first. */
  valuesOf(dep: Dependency): DependencyValue[] {
    const id = dependencyId(dep);
    return this.deliveries.filter((d) => d.id === id).map((d) => d.value);
  }

  latest(dep: Dependency): DependencyValue | undefined {
    return this.valuesOf(dep).at(-1);
  }

  /** Waits until the latest instances of `dep` satisfy `check`; returns them. */
  async instances(dep: Dependency, check: (instances: readonly Instance[]) => boolean, what: string, timeoutMs = 5000): Promise<readonly Instance[]> {
    return waitFor(
      () => {
        const value = this.latest(dep) as readonly Instance[] | undefined;
        return value !== undefined && check(value) ? value : undefined;
      },
      { timeoutMs, what },
    );
  }

  /** Waits for a logged error containing `text`. */
  async errorContaining(text: string, timeoutMs = 5000): Promise<string> {
    return waitFor(() => this.errors.find((e) => e.includes(text)), { timeoutMs, what: `an error containing "${text}" (errors so far: ${this.errors.join(' | ')})` });
  }
}

/** A service dependency as a template helper makes it. */
export function serviceDep(source: string, name: string, options: { status?: Extract<Dependency, { kind: 'service' }>['status']; tag?: string; dc?: string } = {}): Extract<Dependency, { kind: 'service' }> {
  return { kind: 'service', source, name, status: options.status ?? 'any', ...(options.tag ? { tag: options.tag } : {}), ...(options.dc ? { dc: options.dc } : {}) };
}

/** Addresses and ports of instances, sorted: what a test compares. */
export function endpoints(instances: readonly Instance[]): string[] {
  return instances.map((i) => `${i.Address}:${i.Port}`).sort();
}
