import { describe, expect, it } from 'vitest';
import { hasQuerySyntax, parseServiceQuery, QueryError } from '../../../src/catalog/query.js';

describe('parseServiceQuery', () => {
  it('defaults to passing instances of the named service on the given source', () => {
    expect(parseServiceQuery('web', { source: 'file' })).toEqual({ kind: 'service', source: 'file', name: 'web', status: ['passing'] });
  });

  it("accepts consul-template's string form tag.name@dc|statuses", () => {
    expect(parseServiceQuery('v1.web@dc2|passing,warning', { source: 'file' })).toEqual({
      kind: 'service',
      source: 'file',
      name: 'web',
      tag: 'v1',
      dc: 'dc2',
      status: ['passing', 'warning'],
    });
  });

  it('keeps dots in tags: the name is the last dotted part', () => {
    expect(parseServiceQuery('release.2024.web', { source: 's' })).toMatchObject({ tag: 'release.2024', name: 'web' });
  });

  it('lets hash arguments win over the string form', () => {
    expect(parseServiceQuery('v1.web@dc1|passing', { source: 's', tag: 'v2', dc: 'dc3', status: 'any' })).toMatchObject({
      tag: 'v2',
      dc: 'dc3',
      status: 'any',
    });
  });

  it('orders statuses canonically so equal filters share one dependency', () => {
    expect(parseServiceQuery('web|warning,passing', { source: 's' }).status).toEqual(['passing', 'warning']);
  });

  it.each([
    ['web|healthy', /unknown status "healthy"/],
    ['web|', /empty status filter/],
    ['', /not a service name/],
    ['x.', /"" is not a service name/],
    ['v1.', /not a service name/],
    ['we\nb', /not a service name/],
    ['web@d c', /bad datacenter/],
    ['web~n 1', /bad near node/],
  ])('rejects %j', (text, message) => {
    expect(() => parseServiceQuery(text, { source: 's' })).toThrow(QueryError);
    expect(() => parseServiceQuery(text, { source: 's' })).toThrow(message);
  });

  it('takes any registered name: spaces, "=", "/", parentheses, backticks, unicode', () => {
    for (const name of ['a b', 'k=v', 'a/b', '(x)', '`x`', 'café', '漢字 🙂']) {
      expect(parseServiceQuery(name, { source: 's' }).name, name).toBe(name);
    }
    expect(parseServiceQuery('v1.a b@dc2', { source: 's' })).toMatchObject({ tag: 'v1', name: 'a b', dc: 'dc2' });
  });

  it('reads a string with syntax characters as consul-template does: "v1.api" is tag v1 of api, the tag runs to the last dot', () => {
    expect(parseServiceQuery('v1.api', { source: 's' })).toMatchObject({ name: 'api', tag: 'v1' });
    expect(parseServiceQuery('api.v1.internal', { source: 's' })).toMatchObject({ name: 'internal', tag: 'api.v1' });
    expect(parseServiceQuery('x|passing', { source: 's' })).toMatchObject({ name: 'x', status: ['passing'] });
  });

  it('with exactName, takes the whole text as the name: nothing in it is syntax, and it is never trimmed', () => {
    for (const name of ['x.', 'v1.api', 'x|y', 'a@b', 'a~b', ' padded ', '.x', 'v1.api@dc1|any']) {
      expect(parseServiceQuery(name, { source: 's', exactName: true }), name).toEqual({ kind: 'service', source: 's', name, status: ['passing'] });
    }
    expect(parseServiceQuery('v1.api', { source: 's', exactName: true, tag: 'v2', dc: 'dc2', status: 'any' })).toMatchObject({ name: 'v1.api', tag: 'v2', dc: 'dc2', status: 'any' });
    expect(() => parseServiceQuery('a\u0000b', { source: 's', exactName: true })).toThrow(QueryError);
    expect(() => parseServiceQuery('', { source: 's', exactName: true })).toThrow(/not a service name/);
  });

  it('keeps dots in names for sources whose names hold them (dottedNames): only @, ~ and | are syntax', () => {
    expect(parseServiceQuery('com.example.Api@dc1', { source: 's', dottedNames: true })).toEqual({ kind: 'service', source: 's', name: 'com.example.Api', dc: 'dc1', status: ['passing'] });
  });

  it('says which characters the string form reads as syntax', () => {
    expect(['x.', 'a@b', 'a~b', 'x|y'].every((t) => hasQuerySyntax(t, false))).toBe(true);
    expect(hasQuerySyntax('a b=(c)', false)).toBe(false);
    expect(hasQuerySyntax('a.b', true)).toBe(false);
    expect(hasQuerySyntax('a.b|any', true)).toBe(true);
  });
});
