import { describe, expect, it } from 'vitest';
import { collectionHelpers } from '../../../../src/template/helpers/collections.js';
import { caller, renderText } from './call.js';

const call = caller(collectionHelpers);

describe('index', () => {
  it('reads list positions, map keys and a string\'s bytes, key after key', () => {
    expect(call('index', ['a', 'b'], '1')).toBe('b');
    expect(call('index', ['a', 'b'], 0)).toBe('a');
    expect(call('index', { a: { b: 'c' } }, 'a', 'b')).toBe('c');
    expect(call('index', [['x', 'y']], '0', '1')).toBe('y');
    expect(call('index', 'abc', '1')).toBe('98');
    expect(call('index', ['a'])).toEqual(['a']);
  });

  it('gives nothing for a missing map key, an error for a list position out of range', () => {
    expect(call('index', { a: 1 }, 'z')).toBeUndefined();
    expect(call('index', { a: 1 }, 'constructor')).toBeUndefined();
    expect(() => call('index', ['a', 'b'], '2')).toThrow('index: index out of range: 2');
    expect(() => call('index', ['a'], '-1')).toThrow('index: index out of range: -1');
    expect(() => call('index', ['a'], 'x')).toThrow('index: "x" is not a number');
    expect(() => call('index', null, 'a')).toThrow('index of null');
    expect(() => call('index')).toThrow('index: expected a list or a map');
  });
});

describe('loop', () => {
  it('counts from 0 to n-1, or from a to b-1, as decimal strings', () => {
    expect(call('loop', 3)).toEqual(['0', '1', '2']);
    expect(call('loop', '5', '8')).toEqual(['5', '6', '7']);
    expect(call('loop', '5', '2')).toEqual([]);
    expect(call('loop', '')).toEqual([]);
    expect(renderText('{{#each (loop 5 8)}}stanza-{{this}}\n{{/each}}')).toBe('stanza-5\nstanza-6\nstanza-7\n');
  });

  it('refuses floats, other types and lists longer than ctmpl allows', () => {
    expect(() => call('loop', '1.5')).toThrow('loop: expected an integer, got "1.5"');
    expect(() => call('loop', 'x')).toThrow('loop: "x" is not a number');
    expect(() => call('loop', 1, 2, 3)).toThrow('loop: expected 1 or 2 arguments, got 3');
    expect(() => call('loop', '10000000')).toThrow(/^loop: 10000000 iterations is more than ctmpl allows/);
  });
});

describe('entries', () => {
  it('gives a map\'s pairs in Go\'s order (UTF-8 bytes), so #each walks it as Go\'s range does', () => {
    expect(call('entries', { b: 1, a: 2, B: 3, é: 4, 10: 5, 9: 6 })).toEqual([
      { Key: '10', Value: 5 },
      { Key: '9', Value: 6 },
      { Key: 'B', Value: 3 },
      { Key: 'a', Value: 2 },
      { Key: 'b', Value: 1 },
      { Key: 'é', Value: 4 },
    ]);
    expect(renderText('{{#each (entries (parseJSON "{\\"b\\":\\"2\\",\\"a\\":\\"1\\"}")) as |e|}}{{e.Key}}={{e.Value}};{{/each}}')).toBe('a=1;b=2;');
  });

  it('gives a list\'s items with their positions as decimal strings, and nothing for nothing', () => {
    expect(call('entries', ['x', 'y'])).toEqual([
      { Key: '0', Value: 'x' },
      { Key: '1', Value: 'y' },
    ]);
    expect(call('entries', null)).toEqual([]);
    expect(() => call('entries', 'abc')).toThrow('entries: expected a map or a list, got "abc"');
  });
});
