import type { DependencyValue } from '../catalog/types.js';

interface Entry {
  value: DependencyValue;
  /** Serialized form, kept to tell a real change from the same data delivered again. */
  fingerprint: string;
}

/**
 * The latest answer per dependency. Identical data (a registry's new index with the same
 * instances, a catalog file saved unchanged) is not a change, so it triggers nothing downstream.
 */
export class Store {
  private readonly entries = new Map<string, Entry>();

  /** Stores a value; returns true when it differs from what was there. */
  set(id: string, value: DependencyValue): boolean {
    const fingerprint = JSON.stringify(value);
    const previous = this.entries.get(id);
    if (previous?.fingerprint === fingerprint) return false;
    this.entries.set(id, { value, fingerprint });
    return true;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get(id: string): DependencyValue | undefined {
    return this.entries.get(id)?.value;
  }

  delete(id: string): void {
    this.entries.delete(id);
  }
}
