import type { GuardStatus } from '../feed/guards/guards.js';
import type { RegistryCapabilities } from '../registries/definition.js';
import { dependencyId, type Dependency, type DependencyValue, type DependencyValues } from '../catalog/types.js';

/** What a render may read: the store's latest data, the configured sources, the sandbox. */
export interface RenderInputs {
  readonly defaultSource: string;
  /** Configured sources: name → its registry and what it can answer. */
  readonly sources: ReadonlyMap<string, { readonly registry: string; readonly capabilities: RegistryCapabilities }>;
  lookup(id: string): DependencyValue | undefined;
  /** True while a source reports a problem: a union does not wait for its missing answers. */
  unavailable?(source: string): boolean;
  /** Guard counts for a service query (healthy, held, filtered, damped), when it has any. */
  guardStatus?(id: string): GuardStatus | undefined;
  /** Real path of the directory `file` may read from. */
  readonly sandbox: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * The state of one render pass. Handlebars helpers are synchronous, so a pass both renders and
 * discovers: every catalog helper records the dependency it needs; a helper whose data has not
 * arrived records it as missing. Only a pass with nothing missing produces a file.
 */
export class RenderContext {
  readonly used = new Map<string, Dependency>();
  /** Why this pass is incomplete (dependencies without data, keys that do not exist yet). */
  readonly waiting = new Set<string>();
  /** Local files read through the `file` helper; the runner watches them. */
  readonly files = new Set<string>();
  /** The answer this pass rendered, per dependency: what a commit makes the guards' reference. */
  readonly seen = new Map<string, DependencyValue>();

  constructor(readonly inputs: RenderInputs) {}

  /** Resolves a helper's `source=` argument to a configured source name. */
  source(name: unknown): string {
    if (name === undefined || name === null || name === '') return this.inputs.defaultSource;
    const text = String(name);
    if (!this.inputs.sources.has(text)) {
      throw new Error(`unknown source "${text}" (configured: ${[...this.inputs.sources.keys()].join(', ')})`);
    }
    return text;
  }

  /**
   * The sources a helper asks: the one named by `source=`, else every configured source whose
   * registry is `capable` (a union). Throws when the named source cannot answer.
   */
  sourcesFor(name: unknown, capable: (c: RegistryCapabilities) => boolean, what: string): string[] {
    if (name !== undefined && name !== null && name !== '') {
      const source = this.source(name);
      if (!capable(this.capabilitiesOf(source))) throw new Error(`source "${source}" (${this.inputs.sources.get(source)?.registry ?? '?'}) has no ${what}`);
      return [source];
    }
    const all = [...this.inputs.sources].filter(([, s]) => capable(s.capabilities)).map(([source]) => source);
    if (all.length === 0) throw new Error(`no configured source has ${what} (configured: ${[...this.inputs.sources.keys()].join(', ')})`);
    return all;
  }

  /**
   * Like need, for one member of a union: while its source reports a problem and has not
   * answered, the render goes on without it instead of waiting.
   */
  needInUnion<D extends Dependency>(dep: D): DependencyValues[D['kind']] | undefined {
    const id = dependencyId(dep);
    if (this.inputs.lookup(id) === undefined && this.inputs.unavailable?.(dep.source) === true) {
      this.used.set(id, dep);
      return undefined;
    }
    return this.need(dep);
  }

  /** What a configured source's registry can answer (options only some registries have). */
  capabilitiesOf(source: string): RegistryCapabilities {
    const known = this.inputs.sources.get(source);
    if (!known) throw new Error(`unknown source "${source}"`);
    return known.capabilities;
  }

  /** The latest data for a dependency, or undefined (recorded as missing) when none has arrived. */
  need<D extends Dependency>(dep: D): DependencyValues[D['kind']] | undefined {
    const id = dependencyId(dep);
    this.used.set(id, dep);
    const value = this.inputs.lookup(id);
    if (value === undefined) {
      this.waiting.add(id);
      return undefined;
    }
    this.seen.set(id, value);
    return value as DependencyValues[D['kind']];
  }

  get complete(): boolean {
    return this.waiting.size === 0;
  }
}
