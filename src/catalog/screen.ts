import type { Logger } from '../observe/log.js';
import type { Metrics } from '../observe/metrics.js';
import { instanceProblem, keyPairProblem, servicesProblem } from './validate.js';
import { deepFreeze, type Dependency, type DependencyValue, type Instance, type KeyPair, type ServiceSummary } from './types.js';

/**
 * Applies the catalog validation rules to every answer from a source, before the guards and the
 * templates: a refused item is dropped, logged once (safely) and counted. Sources named in
 * `relaxed` skip the rules (an operator's explicit choice for a registry it controls).
 */
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
      case 'service':
        return this.keep(dep, value as readonly Instance[], instanceProblem, (i) => `${i.Node}/${i.ID}`);
      case 'services':
        return this.keep(dep, value as readonly ServiceSummary[], servicesProblem, (s) => s.Name);
      case 'keys':
        return this.keep(dep, value as readonly KeyPair[], keyPairProblem, (p) => p.Key);
      case 'key':
        return value;
    }
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
      const id = `${dep.source}|${dep.kind}|${key(item)}|${why}`;
      if (this.reported.has(id)) return;
      this.reported.add(id);
      this.rejected += 1;
      this.metrics?.catalogRejected.inc({ source: dep.source });
      this.log.warn({ source: dep.source, kind: dep.kind, reason: why }, `catalog data refused: ${why}; it is not rendered`);
    });
    return kept === undefined ? items : deepFreeze(kept);
  }
}
