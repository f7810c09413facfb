import type { Logger } from '../observe/log.js';
import type { Metrics } from '../observe/metrics.js';
import { canonicalAddress, instanceProblem, keyPairProblem, servicesProblem, tagProblem } from './validate.js';
import { deepFreeze, type Dependency, type DependencyValue, type Instance, type KeyPair, type ServiceSummary } from '../catalog/types.js';

/**
 * Applies the catalog validation rules to every answer from a source, before the guards and the
 * templates: a refused item is dropped, logged once (safely) and counted. Sources named in
 * `relaxed` skip the rules (an operator's explicit choice for a registry it controls).
 */
/** The same instance with its IPv6 address in canonical form (frozen, as all catalog data). */
function withCanonicalAddress(instance: Instance): Instance {
  const address = canonicalAddress(instance.Address);
  return address === instance.Address ? instance : deepFreeze({ ...instance, Address: address });
}

export class CatalogScreen {
  private readonly reported = new Set<string>();
  rejected = 0;

  constructor(
    private readonly relaxed: ReadonlySet<string>,
    private readonly log: Logger,
    private readonly metrics?: Metrics,
  ) {}

  apply(dep: Dependency, value: DependencyValue): DependencyValue {
    if (this.relaxed.has(dep.source)) return value;
    switch (dep.kind) {
      case 'service': {
        const kept = this.keep(dep, value as readonly Instance[], instanceProblem, (i) => `${i.Node}/${i.ID}`);
        return kept.some((i) => canonicalAddress(i.Address) !== i.Address) ? deepFreeze(kept.map(withCanonicalAddress)) : kept;
      }
      case 'services':
        return this.oneCasePerName(dep, this.keep(dep, (value as readonly ServiceSummary[]).map((s) => this.withoutRefusedTags(dep, s)), servicesProblem, (s) => s.Name));
      case 'keys':
        return this.keep(dep, value as readonly KeyPair[], keyPairProblem, (p) => p.Key);
      case 'key':
        return value;
    }
  }

  /**
   * nginx upstream names (and DNS names) ignore case: of services whose names differ only in
   * case, the first in the listing stays and the others are refused, or one would break the config.
   */
  private oneCasePerName(dep: Dependency, services: readonly ServiceSummary[]): readonly ServiceSummary[] {
    const seen = new Map<string, string>();
    const kept = services.filter((s) => {
      const first = seen.get(s.Name.toLowerCase());
      if (first === undefined) {
        seen.set(s.Name.toLowerCase(), s.Name);
        return true;
      }
      this.report(dep, s.Name, `service name "${s.Name}" differs from "${first}" only in case`);
      return false;
    });
    return kept.length === services.length ? services : deepFreeze(kept);
  }

  private withoutRefusedTags(dep: Dependency, summary: ServiceSummary): ServiceSummary {
    const tags = summary.Tags.filter((tag) => {
      const why = tagProblem(summary.Name, tag);
      if (why !== undefined) this.report(dep, `${summary.Name}#${tag}`, why);
      return why === undefined;
    });
    return tags.length === summary.Tags.length ? summary : { Name: summary.Name, Tags: tags };
  }

  private report(dep: Dependency, key: string, why: string): void {
    const id = `${dep.source}|${dep.kind}|${key}|${why}`;
    if (this.reported.has(id)) return;
    this.reported.add(id);
    this.rejected += 1;
    this.metrics?.catalogRejected.inc({ source: dep.source });
    this.log.warn({ source: dep.source, kind: dep.kind, reason: why }, `catalog data refused: ${why}; it is not rendered`);
  }

  private keep<T>(dep: Dependency, items: readonly T[], problem: (item: T) => string | undefined, key: (item: T) => string): readonly T[] {
    let kept: T[] | undefined;
    items.forEach((item, index) => {
      const why = problem(item);
      if (why === undefined) {
        kept?.push(item);
        return;
      }
      kept ??= items.slice(0, index);
      this.report(dep, key(item), why);
    });
    return deepFreeze(kept ?? items);
  }
}
