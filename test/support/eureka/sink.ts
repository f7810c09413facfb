import { dependencyId, type Dependency, type DependencyValue, type Instance } from '../../../src/catalog/types.js';
import type { SourceSink } from '../../../src/registries/source.js';

/** One answer a source sent, with when it arrived (performance.now()). */
export interface Delivery {
  readonly at: number;
  readonly value: DependencyValue;
}

/** A SourceSink that records everything a source says, for assertions. */
export class RecordingSink {
  readonly deliveries = new Map<string, Delivery[]>();
  readonly errors: string[] = [];
  readonly infos: string[] = [];
  readonly sink: SourceSink = {
    data: (dep, value) => {
      const id = dependencyId(dep);
      this.deliveries.set(id, [...(this.deliveries.get(id) ?? []), { at: performance.now(), value }]);
    },
    error: (message) => this.errors.push(message),
    info: (message) => this.infos.push(message),
    warn: (message) => this.infos.push(message),
  };

  /** Every answer sent for a dependency. */
  values(dep: Dependency): DependencyValue[] {
    return (this.deliveries.get(dependencyId(dep)) ?? []).map((d) => d.value);
  }

  /** Every answer sent for a service, each as `ID:Status` strings. */
  answers(dep: Dependency): string[][] {
    return this.values(dep).map((v) => (v as readonly Instance[]).map((i) => `${i.ID}:${i.Status}`));
  }

  /** The last answer for a service as `ID:Status` strings, or undefined before the first. */
  last(dep: Dependency): string[] | undefined {
    return this.answers(dep).at(-1);
  }

  /** The last answer for a service. */
  instances(dep: Dependency): readonly Instance[] | undefined {
    return this.values(dep).at(-1) as readonly Instance[] | undefined;
  }
}
