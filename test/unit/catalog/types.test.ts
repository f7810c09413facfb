import { describe, expect, it } from 'vitest';
import { deepFreeze, dependencyId, describeDependency, type Dependency } from '../../../src/catalog/types.js';

describe('dependencyId', () => {
  it('gives every field that changes the answer a place in the identity', () => {
    const base: Dependency = { kind: 'service', source: 'reg', name: 'web', status: ['passing'] };
    const variants: Dependency[] = [
      base,
      { ...base, source: 'other' },
      { ...base, name: 'api' },
      { ...base, tag: 'v1' },
      { ...base, dc: 'dc2' },
      { ...base, status: 'any' },
      { ...base, status: ['passing', 'warning'] },
      { ...base, near: '_agent' },
      { ...base, filter: 'Service.Meta.x == "1"' },
      { ...base, nodeMeta: 'rack:r1' },
      { kind: 'services', source: 'reg' },
      { kind: 'services', source: 'reg', dc: 'dc2' },
      { kind: 'key', source: 'reg', key: 'web' },
      { kind: 'keys', source: 'reg', prefix: 'web' },
    ];
    const ids = variants.map(dependencyId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives equal dependencies one identity', () => {
    expect(dependencyId({ kind: 'service', source: 'reg', name: 'web', status: ['passing'], tag: 'v1' })).toBe(dependencyId({ tag: 'v1', status: ['passing'], name: 'web', source: 'reg', kind: 'service' }));
    expect(dependencyId({ kind: 'service', source: 'reg', name: 'web', status: ['passing'] })).toBe('reg:service(web|passing)');
    expect(dependencyId({ kind: 'key', source: 'reg', key: 'app/x' })).toBe('reg:key(app/x)');
  });
});

describe('describeDependency', () => {
  it.each([
    [{ kind: 'service', source: 'reg', name: 'web', status: ['passing'], tag: 'v1', dc: 'dc2' }, 'service v1.web@dc2 (reg)'],
    [{ kind: 'services', source: 'reg' }, 'the service list (reg)'],
    [{ kind: 'key', source: 'file', key: 'app/x' }, 'key app/x (file)'],
    [{ kind: 'keys', source: 'file', prefix: '' }, 'keys under / (file)'],
    [{ kind: 'keys', source: 'file', prefix: 'app/' }, 'keys under app/ (file)'],
  ] as [Dependency, string][])('says %j as "%s"', (dep, text) => {
    expect(describeDependency(dep)).toBe(text);
  });
});

describe('deepFreeze', () => {
  it('freezes a value all the way down and gives it back', () => {
    const value = { a: [{ b: 'c' }], d: { e: ['f'] } };
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value.a[0])).toBe(true);
    expect(Object.isFrozen(value.d.e)).toBe(true);
    expect(() => {
      (value.d.e as string[]).push('g');
    }).toThrow(TypeError);
  });

  it('leaves primitives and null alone', () => {
    expect(deepFreeze('x')).toBe('x');
    expect(deepFreeze(null)).toBeNull();
  });
});
