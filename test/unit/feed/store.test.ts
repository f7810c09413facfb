import { describe, expect, it } from 'vitest';
import { makeInstance } from '../../../src/catalog/instance.js';
import { Store } from '../../../src/feed/store.js';

const web = (address: string) => [makeInstance({ ID: address, Name: 'web', Address: address, Port: '80', Status: 'passing', Source: 'file' })];

describe('Store', () => {
  it('keeps the latest answer per dependency', () => {
    const store = new Store();
    expect(store.has('a')).toBe(false);
    expect(store.get('a')).toBeUndefined();
    store.set('a', 'one');
    store.set('b', web('10.0.0.1'));
    store.set('a', 'two');
    expect(store.get('a')).toBe('two');
    expect(store.get('b')).toEqual(web('10.0.0.1'));
  });

  it('says a value is a change the first time and whenever it differs', () => {
    const store = new Store();
    expect(store.set('web', web('10.0.0.1'))).toBe(true);
    expect(store.set('web', web('10.0.0.2'))).toBe(true);
    expect(store.set('key', null)).toBe(true);
    expect(store.set('key', 'now set')).toBe(true);
  });

  it('does not count identical data delivered again (a new object, a new registry index) as a change', () => {
    const store = new Store();
    store.set('web', web('10.0.0.1'));
    expect(store.set('web', web('10.0.0.1'))).toBe(false);
    store.set('key', null);
    expect(store.set('key', null)).toBe(false);
  });

  it('forgets a dependency: the same data afterwards is a change again', () => {
    const store = new Store();
    store.set('web', web('10.0.0.1'));
    store.delete('web');
    expect(store.has('web')).toBe(false);
    expect(store.set('web', web('10.0.0.1'))).toBe(true);
  });
});
