import { describe, expect, it } from 'vitest';
import { durationOption, parseRegistryUri, pathOption } from '../../../src/registries/uri.js';
import { inputErrorOf } from '../../support/input-error.js';

const OPTIONS = ['timeout', 'ca_cert'];
const parse = (rest: string, defaultPort?: number) => parseRegistryUri(rest, '--source', 'reg://h:1/p', OPTIONS, defaultPort);

describe('parseRegistryUri', () => {
  it('splits user, hosts in the order given, path and options', () => {
    const uri = parse('//app@h1:2379,10.0.0.2:2380/services/x?timeout=2s&ca_cert=ca.pem');
    expect(uri).toEqual({ user: 'app', hosts: ['h1:2379', '10.0.0.2:2380'], path: 'services/x', options: new Map([['timeout', '2s'], ['ca_cert', 'ca.pem']]) });
  });

  it('adds the default port to a host without one, IPv6 included', () => {
    expect(parse('//zk1,zk2:2182,[::1]/dubbo', 2181).hosts).toEqual(['zk1:2181', 'zk2:2182', '[::1]:2181']);
  });

  it('takes a URI without hosts, path or options', () => {
    expect(parse('//')).toEqual({ user: undefined, hosts: [], path: '', options: new Map() });
  });

  it('decodes a percent-encoded user', () => {
    expect(parse('//app%40corp@h:1/p').user).toBe('app@corp');
  });

  it('refuses a password before "@" without showing it', () => {
    const err = inputErrorOf(() => parse('//app:s3cret@h:1/p'));
    expect(err.message).toBe('--source: put only a user name before "@", never a password');
    expect(err.describe()).not.toContain('s3cret');
  });

  it('refuses what is not //HOST:PORT…, without the credentials it may hold', () => {
    const err = inputErrorOf(() => parse('app:s3cret@h:1'));
    expect(err.message).toMatch(/^--source: "…@h:1" is not \/\/HOST:PORT/);
    expect(err.hint).toBe('for example reg://h:1/p');
  });

  it('names a host that is not HOST:PORT, unless the URI holds an "@" (a misplaced password)', () => {
    expect(inputErrorOf(() => parse('//h1:1,bad host:2/p')).message).toBe('--source: "bad host:2" is not HOST:PORT');
    const hidden = inputErrorOf(() => parse('//u:p/w@h:1/p'));
    expect(hidden.describe()).not.toContain('p/w');
  });

  it('refuses an unknown option, listing the known ones', () => {
    const err = inputErrorOf(() => parse('//h:1/p?tiemout=2s'));
    expect(err.message).toBe('--source: unknown option "tiemout"');
    expect(err.hint).toBe('known options: timeout, ca_cert');
    expect(inputErrorOf(() => parseRegistryUri('//h:1?x=1', '--source', 'e', [])).hint).toBe('this source takes no options');
  });
});

describe('URI options', () => {
  it('reads a duration option, or the default', () => {
    expect(durationOption(parse('//h:1?timeout=1m30s'), 'timeout', 5000, '--source')).toBe(90_000);
    expect(durationOption(parse('//h:1'), 'timeout', 5000, '--source')).toBe(5000);
    expect(inputErrorOf(() => durationOption(parse('//h:1?timeout=soon'), 'timeout', 5000, '--source')).message).toMatch(/^--source option timeout: "soon" is not a duration/);
  });

  it('resolves a path option against the directory the URI was written in; empty is none', () => {
    expect(pathOption(parse('//h:1?ca_cert=certs/ca.pem'), 'ca_cert', '/conf')).toBe('/conf/certs/ca.pem');
    expect(pathOption(parse('//h:1?ca_cert=/etc/ca.pem'), 'ca_cert', '/conf')).toBe('/etc/ca.pem');
    expect(pathOption(parse('//h:1?ca_cert='), 'ca_cert', '/conf')).toBeUndefined();
    expect(pathOption(parse('//h:1'), 'ca_cert', '/conf')).toBeUndefined();
  });
});
