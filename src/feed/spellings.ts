import { compareStrings } from '../catalog/select.js';

/**
 * Which spelling owns a service name, per source and datacenter, when several differ only in
 * case (`web`, `Web`, `WEB`). Ownership goes by time of arrival, never by sort order (uppercase
 * sorts first, so "first in the listing" would hand any name to a newcomer): the spelling seen
 * first keeps it for as long as it is listed. Spellings that arrive together are settled by
 * fewer capital letters, then by text, so the outcome does not depend on a registry's order.
 */
export class NameSpellings {
  /** scope → lower-case name → owning spelling. */
  private readonly owners = new Map<string, Map<string, string>>();

  /**
   * A listing's names: which are kept and, for each refused one, its owner. Owners no longer
   * listed are forgotten, so a name that left can be taken by another spelling later.
   */
  settle(source: string, dc: string | undefined, names: readonly string[]): { kept: Set<string>; refused: Map<string, string> } {
    const owners = this.scope(source, dc);
    const groups = new Map<string, string[]>();
    for (const name of names) {
      const folded = name.toLowerCase();
      groups.set(folded, [...(groups.get(folded) ?? []), name]);
    }
    for (const folded of [...owners.keys()]) if (!groups.has(folded)) owners.delete(folded);
    const kept = new Set<string>();
    const refused = new Map<string, string>();
    for (const [folded, spellings] of groups) {
      const owner = this.ownerAmong(owners, folded, spellings);
      kept.add(owner);
      for (const name of spellings) if (name !== owner) refused.set(name, owner);
    }
    return { kept, refused };
  }

  /**
   * Which spelling a service answer for `asked` may hold, when it holds spellings that differ
   * from it only in case (registries whose lookups ignore case answer `web` with `Web` too): the
   * owner on record, even when it is not in this answer (a newcomer does not inherit a name whose
   * owner has no instance right now); else `asked` when present; else the settled choice.
   */
  ownerFor(source: string, dc: string | undefined, asked: string, names: readonly string[]): string {
    const owners = this.scope(source, dc);
    const folded = asked.toLowerCase();
    const recorded = owners.get(folded);
    if (recorded !== undefined) return recorded;
    return this.ownerAmong(owners, folded, names.includes(asked) ? [asked] : names);
  }

  private ownerAmong(owners: Map<string, string>, folded: string, spellings: readonly string[]): string {
    const recorded = owners.get(folded);
    if (recorded !== undefined && spellings.includes(recorded)) return recorded;
    const owner = [...spellings].sort((a, b) => capitals(a) - capitals(b) || compareStrings(a, b))[0] as string;
    owners.set(folded, owner);
    return owner;
  }

  private scope(source: string, dc: string | undefined): Map<string, string> {
    const key = `${source}\u0000${dc ?? ''}`;
    let owners = this.owners.get(key);
    if (!owners) this.owners.set(key, (owners = new Map()));
    return owners;
  }
}

const capitals = (name: string): number => [...name].filter((c) => c !== c.toLowerCase()).length;
