import type { RecordWithTtl, SrvRecord } from 'node:dns';
import { describe, expect, it, vi } from 'vitest';
import { makeInstance } from '../../../../src/catalog/instance.js';
import { dependencyId, type Dependency, type DependencyValue, type Instance } from '../../../../src/catalog/types.js';
import { parseDnsUri } from '../../../../src/registries/dns/settings.js';
import { DnsSource, resolveService, type SrvResolver } from '../../../../src/registries/dns/source.js';
import { registerCleanup } from '../../../support/tmp.js';
import { quietFor, until } from '../../../support/until.js';

/**
 * DnsSource builds its own resolver (node:dns/promises Resolver): replaced by one answering from
 * `zone`, a table the tests edit (SRV answers by name, or a DNS error code).
 */
const zone = vi.hoisted(() => ({ srv: new Map<string, { name: string; port: number; priority: number; weight: number }[] | string>(), asked: [] as string[], servers: [] as string[][] }));
vi.mock('node:dns/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:dns/promises')>();
  class ScriptedResolver {
    setServers(servers: string[]): void {
      zone.servers.push(servers);
    }
    cancel(): void {}
    async resolveSrv(name: string) {
      zone.asked.push(name);
      const answer = zone.srv.get(name);
      if (answer === undefined) throw Object.assign(new Error(`querySrv ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      if (typeof answer === 'string') throw Object.assign(new Error(`querySrv ${answer} ${name}`), { code: answer });
      return answer;
    }
    async resolve4(): Promise<never> {
      throw Object.assign(new Error('ENODATA'), { code: 'ENODATA' });
    }
    async resolve6(): Promise<never> {
      throw Object.assign(new Error('ENODATA'), { code: 'ENODATA' });
    }
  }
  return { ...real, Resolver: ScriptedResolver };
});

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

describe('DnsSource', () => {
  const WEB: Dependency = { kind: 'service', source: 'dns', name: '_http._tcp.web', status: ['passing'] };
  const API: Dependency = { kind: 'service', source: 'dns', name: '_http._tcp.api', status: ['passing'] };

  /** Names are resolved again every `ttl` (the scripted records carry none); failures retried after 10 ms. */
  async function started(ttl = '100ms') {
    zone.srv.clear();
    zone.asked.length = 0;
    const source = new DnsSource('dns', parseDnsUri(`//10.0.0.53?min_ttl=${ttl}&max_ttl=${ttl}`, '--source'), { baseMs: 10, capMs: 20, jitter: 'none' });
    const latest = new Map<string, DependencyValue>();
    const errors: string[] = [];
    await source.start({ data: (dep, value) => void latest.set(dependencyId(dep), value), error: (m) => void errors.push(m), info: () => undefined, warn: () => undefined });
    registerCleanup(() => source.stop());
    const ids = (dep: Dependency): string[] | undefined => (latest.get(dependencyId(dep)) as Instance[] | undefined)?.map((i) => i.ID);
    return { source, latest, errors, ids };
  }

  it('asks its own server, resolves each watched name, and again after the TTL', async () => {
    const { source, ids } = await started();
    zone.srv.set('_http._tcp.web', [srv('10.0.0.1', 80)]);
    source.watch(WEB);
    await until(() => ids(WEB)?.length === 1, 'web resolved');
    expect(zone.servers.at(-1)).toEqual(['10.0.0.53:53']);
    zone.srv.set('_http._tcp.web', [srv('10.0.0.1', 80), srv('10.0.0.2', 80)]);
    await until(() => ids(WEB)?.length === 2, 'resolved again');
  });

  it('reads a name without SRV records as an empty service, not a failure', async () => {
    const { source, ids } = await started();
    source.watch(WEB);
    await until(() => ids(WEB) !== undefined, 'web answered');
    expect(ids(WEB)).toEqual([]);
    expect(source.health.failing).toBe(false);
  });

  it('keeps health per name: one that fails to resolve stays a problem while another answers', async () => {
    const { source, latest, ids } = await started();
    zone.srv.set('_http._tcp.web', 'ESERVFAIL');
    zone.srv.set('_http._tcp.api', [srv('10.0.0.2', 80)]);
    source.watch(WEB);
    source.watch(API);
    await until(() => source.health.failing && ids(API) !== undefined, 'web failing, api answering');
    expect(source.health.affects('_http._tcp.web')).toBe(true);
    expect(source.health.affects('_http._tcp.api')).toBe(false);
    const asked = zone.asked.filter((n) => n === '_http._tcp.api').length;
    await until(() => zone.asked.filter((n) => n === '_http._tcp.api').length > asked, 'api resolved again');
    expect(source.health.failing, "api's answer does not clear web's problem").toBe(true);
    expect(latest.has(dependencyId(WEB)), 'never an empty service for a failure').toBe(false);
    zone.srv.set('_http._tcp.web', [srv('10.0.0.1', 80)]);
    await until(() => !source.health.failing, 'web resolves again');
    expect(ids(WEB)).toEqual(['10.0.0.1:80']);
  });

  it('resolves a name once for every query on it', async () => {
    const { source, ids } = await started('1m');
    zone.srv.set('_http._tcp.web', [srv('10.0.0.1', 80), srv('10.0.0.2', 80)]);
    const first: Dependency = { ...WEB, status: 'any' };
    source.watch(WEB);
    source.watch(first);
    await until(() => ids(WEB) !== undefined && ids(first) !== undefined, 'both answered');
    expect(zone.asked).toEqual(['_http._tcp.web']);
  });

  it('stops resolving a name with its last query, forgetting its problem', async () => {
    const { source } = await started();
    zone.srv.set('_http._tcp.web', 'ETIMEOUT');
    const other: Dependency = { ...WEB, status: 'any' };
    source.watch(WEB);
    source.watch(other);
    await until(() => source.health.failing, 'web failing');
    source.unwatch(WEB);
    expect(source.health.failing, 'another query still uses the name').toBe(true);
    source.unwatch(other);
    expect(source.health.failing).toBe(false);
    const asked = zone.asked.length;
    await quietFor(100);
    expect(zone.asked.length - asked, 'at most the lookup already in flight').toBeLessThanOrEqual(1);
  });

  it('refuses what DNS cannot answer (keys, the services list)', async () => {
    const { source, errors } = await started();
    source.watch({ kind: 'key', source: 'dns', key: 'x' });
    expect(errors).toEqual(['DNS dns://10.0.0.53:53: only service lookups are supported (no services list, no keys)']);
  });
});
