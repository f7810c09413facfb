import { describe, expect, it } from 'vitest';
import { dependencyId, type Dependency } from '../../../src/catalog/types.js';
import { RenderContext } from '../../../src/template/render-context.js';
import { inputs, sourceMap } from './fixtures.js';

const SOURCES = sourceMap({ cat: 'file', dns: 'dns', reg: 'consul' });
const web = (source: string): Dependency => ({ kind: 'service', source, name: 'web', status: ['passing'] });

function context(data: Record<string, unknown> = {}, unavailable: (source: string) => boolean = () => false): RenderContext {
  return new RenderContext(inputs(new Map(Object.entries(data)), { sources: SOURCES, defaultSource: 'cat', unavailable }));
}

describe('RenderContext', () => {
  it('resolves source= to a configured source, the first one when absent', () => {
    const ctx = context();
    expect(ctx.source(undefined)).toBe('cat');
    expect(ctx.source('')).toBe('cat');
    expect(ctx.source(null)).toBe('cat');
    expect(ctx.source('dns')).toBe('dns');
    expect(() => ctx.source('nope')).toThrow('unknown source "nope" (configured: cat, dns, reg)');
  });

  it('asks the named source, or every source able to answer (a union)', () => {
    const ctx = context();
    const keys = (c: { keys: boolean }): boolean => c.keys;
    expect(ctx.sourcesFor('reg', keys, 'keys')).toEqual(['reg']);
    expect(ctx.sourcesFor(undefined, keys, 'keys')).toEqual(['cat', 'reg']);
    expect(ctx.sourcesFor(undefined, (c) => c.services, 'services')).toEqual(['cat', 'dns', 'reg']);
  });

  it('refuses a question the named source cannot answer, or one no source can', () => {
    const ctx = context();
    expect(() => ctx.sourcesFor('dns', (c) => c.keys, 'keys')).toThrow('source "dns" (dns) has no keys');
    expect(() => ctx.sourcesFor(undefined, () => false, 'magic')).toThrow('no configured source has magic (configured: cat, dns, reg)');
    expect(ctx.capabilitiesOf('reg').queryOptions).toContain('near');
    expect(() => ctx.capabilitiesOf('nope')).toThrow('unknown source "nope"');
  });

  it('records every dependency it is asked for, and those without data as missing', () => {
    const ctx = context({ [dependencyId(web('cat'))]: [] });
    expect(ctx.need(web('cat'))).toEqual([]);
    expect(ctx.complete).toBe(true);
    expect(ctx.need(web('reg'))).toBeUndefined();
    expect(ctx.complete).toBe(false);
    expect([...ctx.used.keys()]).toEqual([dependencyId(web('cat')), dependencyId(web('reg'))]);
    expect([...ctx.waiting]).toEqual([dependencyId(web('reg'))]);
  });

  it('in a union, goes on without a source that is failing and has not answered, still watching it', () => {
    const ctx = context({}, (source) => source === 'reg');
    expect(ctx.needInUnion(web('reg'))).toBeUndefined();
    expect(ctx.complete).toBe(true);
    expect(ctx.used.has(dependencyId(web('reg')))).toBe(true);
    expect(ctx.needInUnion(web('dns'))).toBeUndefined();
    expect([...ctx.waiting], 'a healthy source is waited for').toEqual([dependencyId(web('dns'))]);
  });

  it('in a union, uses the data a failing source had already given', () => {
    const ctx = context({ [dependencyId(web('reg'))]: ['old'] }, () => true);
    expect(ctx.needInUnion(web('reg'))).toEqual(['old']);
  });
});
