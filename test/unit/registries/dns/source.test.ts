import { describe, expect, it } from 'vitest';
import { makeInstance } from '../../../../src/catalog/instance.js';
import type { RecordWithTtl, SrvRecord } from 'node:dns';
import { resolveService, type SrvResolver } from '../../../../src/registries/dns/source.js';
import { parseDnsUri } from '../../../../src/registries/dns/settings.js';

function dnsError(code: string): Error {
  return Object.assign(new Error(`query ${code}`), { code });
}

/** A resolver answering from tables; a name missing from a table is NXDOMAIN. */
function fakeResolver(srv: Record<string, SrvRecord[] | Error>, a: Record<string, RecordWithTtl[]> = {}, aaaa: Record<string, RecordWithTtl[]> = {}): SrvResolver {
  const answer = <T>(table: Record<string, T[] | Error>, name: string): Promise<T[]> => {
    const value = table[name];
    if (value instanceof Error) return Promise.reject(value);
    return value ? Promise.resolve(value) : Promise.reject(dnsError('ENOTFOUND'));
  };
  return {
    resolveSrv: (name) => answer(srv, name),
    resolve4: (name) => answer(a, name),
    resolve6: (name) => answer(aaaa, name),
  };
}

const srv = (name: string, port: number, priority = 10, weight = 5): SrvRecord => ({ name, port, priority, weight });

describe('resolving an SRV name into instances', () => {
  it('lists one instance per target address and port, sorted by target then ID, with the smallest TTL', async () => {
    const resolver = fakeResolver(
      { '_http._tcp.web': [srv('b.example', 80, 20, 1), srv('a.example', 8080)] },
      { 'a.example': [{ address: '10.0.0.1', ttl: 30 }], 'b.example': [{ address: '10.0.0.3', ttl: 10 }, { address: '10.0.0.2', ttl: 20 }] },
      { 'a.example': [{ address: '2001:db8::1', ttl: 60 }] },
    );
    const { instances, ttl } = await resolveService(resolver, '_http._tcp.web', 'dns');
    expect(instances.map((i) => `${i.Node} ${i.ID} ${i.Meta.priority}/${i.Meta.weight}`)).toEqual([
      'a.example 10.0.0.1:8080 10/5',
      'a.example 2001:db8::1:8080 10/5',
      'b.example 10.0.0.2:80 20/1',
      'b.example 10.0.0.3:80 20/1',
    ]);
    expect(instances[0]).toEqual(
      makeInstance({
        ID: '10.0.0.1:8080', Name: '_http._tcp.web', Node: 'a.example', Address: '10.0.0.1', Port: '8080', Tags: [],
        Meta: { priority: '10', weight: '5', target: 'a.example' }, Status: 'passing', Datacenter: '', Source: 'dns',
      }),
    );
    expect(ttl).toBe(10);
  });

  it('uses the target name as the address when it has no A/AAAA records', async () => {
    const { instances, ttl } = await resolveService(fakeResolver({ s: [srv('ext.example.', 443)] }), 's', 'dns');
    expect(instances.map((i) => `${i.Address}:${i.Port}`)).toEqual(['ext.example:443']);
    expect(ttl).toBeUndefined();
  });

  it('reads NXDOMAIN, no SRV records and the "." target as an empty service', async () => {
    expect((await resolveService(fakeResolver({}), 'missing', 'dns')).instances).toEqual([]);
    expect((await resolveService(fakeResolver({ s: dnsError('ENODATA') }), 's', 'dns')).instances).toEqual([]);
    expect((await resolveService(fakeResolver({ s: [srv('.', 0)] }), 's', 'dns')).instances).toEqual([]);
  });

  it('fails (so the last answer stays) when the resolver fails, never answering empty', async () => {
    await expect(resolveService(fakeResolver({ s: dnsError('ETIMEOUT') }), 's', 'dns')).rejects.toThrow(/ETIMEOUT/);
    await expect(resolveService(fakeResolver({ s: dnsError('ESERVFAIL') }), 's', 'dns')).rejects.toThrow(/ESERVFAIL/);
  });

  it('skips records whose target or port is invalid', async () => {
    const { instances } = await resolveService(fakeResolver({ s: [srv('bad name!', 80), srv('ok.example', 0), srv('10.0.0.5', 81)] }), 's', 'dns');
    expect(instances.map((i) => i.ID)).toEqual(['10.0.0.5:81']);
  });
});

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
