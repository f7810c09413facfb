import { describe, expect, it } from 'vitest';
import { Arrivals } from '../../../src/pipeline/arrivals.js';

describe('Arrivals', () => {
  it('says complete once every dependency the last render lacked has data, looking each one up once', () => {
    const present = new Set<string>();
    const lookups: string[] = [];
    const arrivals = new Arrivals((id) => {
      lookups.push(id);
      return present.has(id);
    });
    const waiting = ['a', 'b', 'c'];
    const deps = new Map(waiting.map((id) => [id, {}]));
    expect(arrivals.complete(waiting, deps)).toBe(false);
    present.add('a');
    present.add('c');
    expect(arrivals.complete(waiting, deps)).toBe(false);
    present.add('b');
    expect(arrivals.complete(waiting, deps)).toBe(true);
    // 'a' and 'b' were looked up until they arrived, never after.
    expect(lookups).toEqual(['a', 'a', 'b', 'b', 'c']);
    expect(arrivals.complete(waiting, deps)).toBe(true);
    expect(lookups).toHaveLength(5);
  });

  it('starts over for the list of a new render, and does not wait on what is not a dependency', () => {
    const arrivals = new Arrivals((id) => id === 'key:cfg');
    expect(arrivals.complete([], new Map())).toBe(true);
    const deps = new Map([['key:cfg', {}]]);
    expect(arrivals.complete(['key:cfg', 'key "cfg" does not exist'], deps)).toBe(true);
    expect(arrivals.complete(['svc:web'], new Map([['svc:web', {}]]))).toBe(false);
  });
});
