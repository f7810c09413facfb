import { isDeepStrictEqual } from 'node:util';
import type { DependencyValue } from '../catalog/types.js';

/**
 * The latest answer per dependency. Identical data (a registry's new index with the same
 * instances, a catalog file saved unchanged) is not a change, so it triggers nothing downstream.
 * Compared structurally with the value held: no serialized copy is built or kept (at 10,000
 * instances that copy was ~10 MiB of strings held for nothing but this comparison).
 */
export class Store {
  private readonly entries = new Map<string, DependencyValue>();

  /** Stores a value; returns true when it differs from what was there. */
  set(id: string, value: DependencyValue): boolean {
    if (this.entries.has(id)) {
      const previous = this.entries.get(id);
      if (previous === value || isDeepStrictEqual(previous, value)) return false;
    }
    this.entries.set(id, value);
    return true;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get(id: string): DependencyValue | undefined {
    return this.entries.get(id);
  }

  delete(id: string): void {
    this.entries.delete(id);
  }
}
