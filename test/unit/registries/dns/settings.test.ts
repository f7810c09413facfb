import { describe, expect, it } from 'vitest';
import { describeDns, parseDnsUri } from '../../../../src/registries/dns/settings.js';

describe('DNS source URI', () => {
  it('is the system resolver without a server, or one server with a default port 53', () => {
    expect(parseDnsUri('', '--source')).toEqual({ server: undefined, minTtlMs: 5000, maxTtlMs: 300_000, timeoutMs: 2000 });
    expect(parseDnsUri('//', '--source').server).toBeUndefined();
    expect(parseDnsUri('//10.0.0.53?min_ttl=1s&max_ttl=1m&timeout=500ms', '--source')).toEqual({ server: '10.0.0.53:53', minTtlMs: 1000, maxTtlMs: 60_000, timeoutMs: 500 });
  });

  it.each([['//a:53,b:53', /one DNS server/], ['//a:53/zone', /no user, no path/], ['//a?min_ttl=2m&max_ttl=1m', /min_ttl/], ['//a?x=1', /unknown option/]])('refuses %s', (rest, message) => {
    expect(() => parseDnsUri(rest, '--source')).toThrow(message);
  });
});

describe('describeDns', () => {
  it('names the server, or the system resolver', () => {
    expect(describeDns(parseDnsUri('//10.0.0.53', '--source'))).toBe('dns://10.0.0.53:53');
    expect(describeDns(parseDnsUri('', '--source'))).toBe('dns: (system resolver)');
  });
});
