import type { Logger } from '../observe/log.js';
import type { Metrics } from '../observe/metrics.js';
import { canonicalAddress } from '../util/address.js';
import { NameSpellings } from './spellings.js';
import { hasControl, instanceProblem, keyPairProblem, servicesProblem, tagProblem, visible, withoutControlValues } from './validate.js';
import { deepFreeze, type CatalogNode, type Dependency, type DependencyValue, type Instance, type KeyPair, type NodeInfo, type ServiceSummary } from '../catalog/types.js';

const nodeNameProblem = (name: string): string | undefined => (hasControl(name) ? `node "${visible(name)}" holds a control character` : undefined);

/**
 * Applies the catalog rules (see validate.ts) to every answer from a source, before the guards
 * and the templates. What is refused is logged once (safely) and counted; everything else reaches
 * templates as the registry holds it. A source named in `relaxed` keeps instances whose address
 * is not an IP or a host name (a registry of unix sockets, say); control characters are refused
 * from every source, as nothing can put them into a config line safely.
 */
export class CatalogScreen {
  private readonly reported = new Set<string>();
  private readonly spellings = new NameSpellings();
  rejected = 0;

  constructor(
    private readonly relaxed: ReadonlySet<string>,
    private readonly log: Logger,
    private readonly metrics?: Metrics,
  ) {}

  apply(dep: Dependency, value: DependencyValue): DependencyValue {
    switch (dep.kind) {
      case 'service':
        return this.instances(dep, value as readonly Instance[]);
      case 'services':
        return this.listing(dep, value as readonly ServiceSummary[]);
      case 'keys':
        return this.keep(dep, value as readonly KeyPair[], keyPairProblem, (p) => p.Key);
      case 'key':
      case 'datacenters':
        return value;
      // Nodes pass as the registry holds them, but for a node name with a control character.
      case 'nodes':
        return this.keep(dep, value as readonly NodeInfo[], (n) => nodeNameProblem(n.Node), (n) => n.Node);
      case 'node': {
        const why = value === null ? undefined : nodeNameProblem((value as CatalogNode).Node.Node);
        if (why === undefined) return value;
        this.report(dep, (value as CatalogNode).Node.Node, why);
        return null;
      }
    }
  }

  private instances(dep: Extract<Dependency, { kind: 'service' }>, instances: readonly Instance[]): readonly Instance[] {
    const relaxed = this.relaxed.has(dep.source);
    const usable = this.keep(dep, instances, (i) => instanceProblem(i, relaxed), (i) => `${i.Node}/${i.ID}`);
    const named = this.oneSpelling(dep, usable);
    let changed = named !== instances;
    const out = named.map((i) => {
      const clean = withoutControlValues(i, (why) => this.report(dep, `${i.Node}/${i.ID}`, why));
      const address = canonicalAddress(clean.Address);
      const next = address === clean.Address ? clean : { ...clean, Address: address };
      if (next !== i) changed = true;
      return next;
    });
    return changed ? deepFreeze(out) : instances;
  }

  /**
   * A registry whose lookups ignore case (Consul's, Eureka's) answers `web` with the instances of
   * `Web` and `WEB` too: one spelling stays (see NameSpellings.ownerFor), so a newcomer can never
   * add itself to another service's upstream. Names that are not case variants of the query
   * (a registry's own naming) are left alone.
   */
  private oneSpelling(dep: Extract<Dependency, { kind: 'service' }>, instances: readonly Instance[]): readonly Instance[] {
    const folded = dep.name.toLowerCase();
    const variants = new Set(instances.map((i) => i.Name).filter((name) => name.toLowerCase() === folded));
    if (variants.size === 0) return instances;
    const owner = this.spellings.ownerFor(dep.source, dep.dc, dep.name, [...variants]);
    if (variants.size === 1 && variants.has(owner)) return instances;
    const kept = instances.filter((i) => {
      if (i.Name === owner || i.Name.toLowerCase() !== folded) return true;
      this.report(dep, i.Name, `service name "${i.Name}" differs from "${owner}", which was there first, only in case; its instances are not rendered for "${dep.name}"`);
      return false;
    });
    return kept.length === instances.length ? instances : kept;
  }

  private listing(dep: Extract<Dependency, { kind: 'services' }>, services: readonly ServiceSummary[]): readonly ServiceSummary[] {
    const usable = this.keep(dep, services, servicesProblem, (s) => s.Name);
    const clean = usable.map((s) => this.withoutRefusedTags(dep, s));
    return clean.every((s, i) => s === usable[i]) ? usable : deepFreeze(clean);
  }

  /**
   * Of names in a listing that differ only in case (nginx upstream names and DNS names ignore
   * case, so both would break or take over a config), the one there first stays and the others
   * are refused. Applied to the listing as templates see it, after the removal guard: a held
   * service still owns its name, so a newcomer cannot take it over by waiting for a deploy.
   */
  settleListing(dep: Extract<Dependency, { kind: 'services' }>, listing: readonly ServiceSummary[]): readonly ServiceSummary[] {
    const { kept, refused } = this.spellings.settle(dep.source, dep.dc, listing.map((s) => s.Name));
    if (refused.size === 0) return listing;
    for (const [name, owner] of refused) {
      this.report(dep, name, `service name "${name}" differs from "${owner}", which was there first, only in case (nginx and DNS would take one for the other); "${name}" is not rendered`);
    }
    return deepFreeze(listing.filter((s) => kept.has(s.Name)));
  }

  private withoutRefusedTags(dep: Dependency, summary: ServiceSummary): ServiceSummary {
    const tags = summary.Tags.filter((tag) => {
      const why = tagProblem(summary.Name, tag);
      if (why !== undefined) this.report(dep, `${summary.Name}#${tag}`, why);
      return why === undefined;
    });
    return tags.length === summary.Tags.length ? summary : { ...summary, Tags: tags };
  }

  private report(dep: Dependency, key: string, why: string): void {
    const id = `${dep.source}|${dep.kind}|${key}|${why}`;
    if (this.reported.has(id)) return;
    this.reported.add(id);
    this.rejected += 1;
    this.metrics?.catalogRejected.inc({ source: dep.source });
    this.log.warn({ source: dep.source, kind: dep.kind, reason: why }, `catalog data refused: ${why}`);
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
    return kept ? deepFreeze(kept) : items;
  }
}
