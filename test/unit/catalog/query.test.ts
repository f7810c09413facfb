import { describe, expect, it } from 'vitest';
import { parseServiceQuery, QueryError } from '../../../src/catalog/query.js';

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
    ['we b', /not a service name/],
    ['', /not a service name/],
    ['web@d c', /bad datacenter/],
  ])('rejects %j', (text, message) => {
    expect(() => parseServiceQuery(text, { source: 's' })).toThrow(QueryError);
    expect(() => parseServiceQuery(text, { source: 's' })).toThrow(message);
  });
});
