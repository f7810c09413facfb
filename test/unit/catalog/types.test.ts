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
      { kind: 'node', source: 'reg' },
      { kind: 'node', source: 'reg', name: 'web' },
      { kind: 'node', source: 'reg', name: 'web', dc: 'dc2' },
      { kind: 'nodes', source: 'reg' },
      { kind: 'nodes', source: 'reg', dc: 'dc2' },
      { kind: 'nodes', source: 'reg', near: '_agent' },
      { kind: 'datacenters', source: 'reg', ignoreFailing: false },
      { kind: 'datacenters', source: 'reg', ignoreFailing: true },
    ];
    const ids = variants.map(dependencyId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never gives a name holding syntax the identity of a tag and a name (service "canary.web" is not canary.web)', () => {
    const service = (name: string, extra: Partial<Extract<Dependency, { kind: 'service' }>> = {}): string => dependencyId({ kind: 'service', source: 'reg', name, status: ['passing'], ...extra });
    expect(service('canary.web')).not.toBe(service('web', { tag: 'canary' }));
    expect(service('web@dc2')).not.toBe(service('web', { dc: 'dc2' }));
    expect(service('web|any')).not.toBe(dependencyId({ kind: 'service', source: 'reg', name: 'web', status: 'any' }));
    expect(service('web', { filter: 'a;node-meta=b:c' })).not.toBe(service('web', { filter: 'a', nodeMeta: 'b:c' }));
    expect(dependencyId({ kind: 'node', source: 'reg', name: 'n1@dc2' })).not.toBe(dependencyId({ kind: 'node', source: 'reg', name: 'n1', dc: 'dc2' }));
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
    [{ kind: 'node', source: 'consul' }, "the agent's node (consul)"],
    [{ kind: 'node', source: 'consul', name: 'n1', dc: 'dc2' }, 'node n1@dc2 (consul)'],
    [{ kind: 'nodes', source: 'consul', dc: 'dc2', near: '_agent' }, 'the node list of dc2 near _agent (consul)'],
    [{ kind: 'datacenters', source: 'consul', ignoreFailing: true }, 'the datacenter list (reachable only) (consul)'],
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

  it('freezes what a registry sends under any key, "__proto__" included, and leaves the prototype alone', () => {
    const value = JSON.parse('{"__proto__": {"x": ["y"]}, "list": [[{"z": 1}]]}') as Record<string, unknown>;
    deepFreeze(value);
    const own = Object.getOwnPropertyDescriptor(value, '__proto__')?.value as { x: string[] };
    expect(Object.isFrozen(own)).toBe(true);
    expect(Object.isFrozen(own.x)).toBe(true);
    expect(Object.isFrozen((value.list as object[][])[0]?.[0])).toBe(true);
    expect(Object.isFrozen(Object.prototype)).toBe(false);
  });

  it('leaves primitives and null alone', () => {
    expect(deepFreeze('x')).toBe('x');
    expect(deepFreeze(null)).toBeNull();
  });
});
