/**
 * NameSpellings: which spelling owns a service name when several differ only in case
 * (docs/security.md, "Names that differ only in case"): the one seen first, for as long as it is
 * listed; spellings seen first together go by fewer capital letters, then text order — never by
 * a registry's order or by sort order (uppercase sorts first: "first in a sorted listing" would
 * hand any name to a newcomer).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NameSpellings } from '../../../src/feed/spellings.js';
import { ownersAtFirstSight } from '../../support/hostile-rules.js';

const keptOf = (spellings: NameSpellings, names: readonly string[], source = 'consul', dc?: string): string[] => [...spellings.settle(source, dc, names).kept].sort();

describe('NameSpellings.settle', () => {
  it('keeps the spelling there first, whatever comes later and however it sorts', () => {
    const spellings = new NameSpellings();
    expect(keptOf(spellings, ['web'])).toEqual(['web']);
    const { kept, refused } = spellings.settle('consul', undefined, ['WEB', 'Web', 'api', 'web']);
    expect([...kept].sort()).toEqual(['api', 'web']);
    expect([...refused]).toEqual([
      ['WEB', 'web'],
      ['Web', 'web'],
    ]);
  });

  it('settles spellings seen first together by fewer capitals, then text order, in any order they come', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(['WEB', 'Web', 'wEb', 'web', 'API', 'Api', 'db', 'ÉTÉ', 'été', 'Été'], { minLength: 1 }), (names) => {
        const expected = [...ownersAtFirstSight(names)].filter(([, owner]) => owner).map(([n]) => n).sort();
        expect(keptOf(new NameSpellings(), names)).toEqual(expected);
      }),
    );
    expect(keptOf(new NameSpellings(), ['WEB', 'wEb', 'Web'])).toEqual(['Web']);
  });

  it('forgets an owner no longer listed: another spelling may take the name after it has gone', () => {
    const spellings = new NameSpellings();
    keptOf(spellings, ['web']);
    expect(keptOf(spellings, ['api'])).toEqual(['api']);
    expect(keptOf(spellings, ['Web', 'api'])).toEqual(['Web', 'api']);
    expect(keptOf(spellings, ['Web', 'web'])).toEqual(['Web']);
  });

  it('keeps one record per source and datacenter', () => {
    const spellings = new NameSpellings();
    keptOf(spellings, ['web'], 'consul');
    expect(keptOf(spellings, ['Web', 'web'], 'etcd')).toEqual(['web']);
    keptOf(spellings, ['WEB'], 'consul', 'dc2');
    expect(keptOf(spellings, ['web', 'WEB'], 'consul', 'dc2')).toEqual(['WEB']);
    expect(keptOf(spellings, ['WEB', 'web'], 'consul')).toEqual(['web']);
  });

  it('follows the model over any sequence of listings: an owner keeps its name while it is listed; a group re-settles only when its owner is gone', () => {
    const pool = ['web', 'Web', 'WEB', 'api', 'API', 'db'];
    fc.assert(
      fc.property(fc.array(fc.subarray(pool), { minLength: 1, maxLength: 8 }), (listings) => {
        const spellings = new NameSpellings();
        const model = new Map<string, string>();
        for (const names of listings) {
          const groups = new Map<string, string[]>();
          for (const n of names) groups.set(n.toLowerCase(), [...(groups.get(n.toLowerCase()) ?? []), n]);
          for (const folded of [...model.keys()]) if (!groups.has(folded)) model.delete(folded);
          for (const [folded, group] of groups) {
            const owner = model.get(folded);
            if (owner === undefined || !group.includes(owner)) model.set(folded, [...ownersAtFirstSight(group)].find(([, o]) => o)?.[0] as string);
          }
          expect(keptOf(spellings, names), JSON.stringify(listings)).toEqual([...model.values()].sort());
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('NameSpellings.ownerFor (a service answer holding several spellings)', () => {
  it('gives the owner on record, even when it has no instance in this answer', () => {
    const spellings = new NameSpellings();
    spellings.settle('consul', undefined, ['web']);
    expect(spellings.ownerFor('consul', undefined, 'web', ['Web'])).toBe('web');
    expect(spellings.ownerFor('consul', undefined, 'WEB', ['WEB', 'web'])).toBe('web');
  });

  it('without a record: the name asked for when the answer has it, else the settled choice, which it then records', () => {
    const spellings = new NameSpellings();
    expect(spellings.ownerFor('consul', undefined, 'WEB', ['web', 'WEB'])).toBe('WEB');
    expect(spellings.ownerFor('consul', undefined, 'api', ['API', 'Api'])).toBe('Api');
    expect(keptOf(spellings, ['API', 'Api'])).toEqual(['Api']);
  });
});
