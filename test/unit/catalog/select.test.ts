import { describe, expect, it } from 'vitest';
import { makeInstance } from '../../../src/catalog/instance.js';
import { compareInstances, compareStrings, keysUnder, selectInstances, statusMatches, summarizeServices } from '../../../src/catalog/select.js';
import type { HealthStatus, Instance } from '../../../src/catalog/types.js';

const instance = (id: string, node: string, over: { tags?: string[]; dc?: string; status?: HealthStatus } = {}): Instance =>
  makeInstance({ ID: id, Name: 'web', Node: node, Address: '10.0.0.1', Port: '80', Status: over.status ?? 'passing', Source: 'r', Tags: over.tags ?? [], Datacenter: over.dc ?? 'dc1' });

describe('ordering', () => {
  it("sorts instances as Consul does: by node, then ID, byte-wise (stable output means stable files)", () => {
    const sorted = [instance('b', 'n1'), instance('a', 'n2'), instance('a', 'n1'), instance('a', 'N3')].sort(compareInstances);
    expect(sorted.map((i) => `${i.Node}/${i.ID}`)).toEqual(['N3/a', 'n1/a', 'n1/b', 'n2/a']);
    expect(compareStrings('a', 'a')).toBe(0);
  });

  it('orders strings as Go does (by UTF-8 bytes): U+FF5A before an emoji, a prefix first', () => {
    const words = ['😀', 'ｚ', 'é', 'Z', 'a', 'ab', ''];
    expect([...words].sort(compareStrings)).toEqual(['', 'Z', 'a', 'ab', 'é', 'ｚ', '😀']);
    const bytes = (w: string): Buffer => Buffer.from(w, 'utf8');
    for (const a of words) for (const b of words) expect(Math.sign(compareStrings(a, b)), `${a} vs ${b}`).toBe(Math.sign(Buffer.compare(bytes(a), bytes(b))));
  });
});

describe('selectInstances', () => {
  const all = [instance('3', 'n3', { tags: ['v2'], dc: 'dc2' }), instance('1', 'n1', { tags: ['v1'] }), instance('2', 'n2', { tags: ['v1', 'v2'], status: 'critical' })];

  it('keeps the instances with the tag, in the datacenter, with a wanted status, sorted', () => {
    expect(selectInstances(all, { kind: 'service', source: 'r', name: 'web', status: ['passing'] }).map((i) => i.ID)).toEqual(['1', '3']);
    expect(selectInstances(all, { kind: 'service', source: 'r', name: 'web', status: 'any', tag: 'v2' }).map((i) => i.ID)).toEqual(['2', '3']);
    expect(selectInstances(all, { kind: 'service', source: 'r', name: 'web', status: ['passing', 'critical'], dc: 'dc1' }).map((i) => i.ID)).toEqual(['1', '2']);
  });

  it('leaves the given list alone', () => {
    const copy = [...all];
    selectInstances(all, { kind: 'service', source: 'r', name: 'web', status: 'any' });
    expect(all).toEqual(copy);
  });

  it('matches statuses: any, or one of a list', () => {
    expect(statusMatches('warning', 'any')).toBe(true);
    expect(statusMatches('warning', ['passing'])).toBe(false);
    expect(statusMatches('warning', ['passing', 'warning'])).toBe(true);
  });
});

describe('summarizeServices', () => {
  const services = new Map([
    ['web', [instance('1', 'n1', { tags: ['v2', 'v1'] }), instance('2', 'n2', { tags: ['v1'], dc: 'dc2' })]],
    ['api', []],
  ]);

  it("lists every service by name with the union of its instances' tags, a service without instances included", () => {
    expect(summarizeServices(services)).toEqual([{ Name: 'api', Tags: [] }, { Name: 'web', Tags: ['v1', 'v2'] }]);
  });

  it('lists only the services present in a datacenter, with their tags there', () => {
    expect(summarizeServices(services, 'dc2')).toEqual([{ Name: 'web', Tags: ['v1'] }]);
  });
});

describe('keysUnder', () => {
  it('gives every key under a prefix, at any depth, sorted', () => {
    const kv = new Map([['app/b', '2'], ['app/a/x', '1'], ['apple', '3'], ['other', '4']]);
    expect(keysUnder(kv, 'app/')).toEqual([{ Key: 'app/a/x', Value: '1' }, { Key: 'app/b', Value: '2' }]);
    expect(keysUnder(kv, '').map((p) => p.Key)).toEqual(['app/a/x', 'app/b', 'apple', 'other']);
  });
});
