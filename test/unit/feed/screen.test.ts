/**
 * The screen applies the catalog rules (docs/security.md) to every answer: refused data is
 * logged once and counted, the rest reaches templates as the registry holds it, and of service
 * names that differ only in case the one there first keeps the name (NameSpellings itself:
 * spellings.test.ts).
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { makeInstance } from '../../../src/catalog/instance.js';
import type { Dependency, Instance, KeyPair, ServiceSummary } from '../../../src/catalog/types.js';
import { CatalogScreen } from '../../../src/feed/screen.js';

type ServiceDep = Extract<Dependency, { kind: 'service' }>;
type ListingDep = Extract<Dependency, { kind: 'services' }>;

const instance = (fields: Partial<Instance> & { ID: string }): Instance =>
  makeInstance({ Name: 'web', Node: 'n1', Address: '10.0.0.1', Port: '80', Tags: [], Meta: {}, Status: 'passing', Datacenter: 'dc1', Source: 'consul', ...fields });
const good = instance({ ID: 'web-1', Tags: ['v1'], Meta: { zone: 'eu west "a"' } });
const serviceDep = (name = 'web', source = 'consul'): ServiceDep => ({ kind: 'service', source, name, status: ['passing'] });
const listingDep: ListingDep = { kind: 'services', source: 'consul' };
const listing = (...names: string[]): ServiceSummary[] => names.map((Name) => ({ Name, Tags: [] }));
const names = (value: readonly ServiceSummary[] | readonly Instance[]): string[] => value.map((s) => s.Name);

/** A screen whose warnings are collected (their `reason` fields). */
function screenWithLog(relaxed: readonly string[] = []): { screen: CatalogScreen; reasons: string[] } {
  const reasons: string[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => reasons.push(String((JSON.parse(line) as { reason?: unknown }).reason)) });
  return { screen: new CatalogScreen(new Set(relaxed), log), reasons };
}

describe('CatalogScreen over service answers', () => {
  it('drops an instance that cannot be used, reports it once however often it comes, and keeps the rest as they are', () => {
    const { screen, reasons } = screenWithLog();
    const bad = instance({ ID: 'web-2', Address: '999.1.1.1' });
    expect(screen.apply(serviceDep(), [good, bad])).toEqual([good]);
    expect(screen.apply(serviceDep(), [good, bad])).toEqual([good]);
    expect(reasons).toEqual(['address "999.1.1.1" is not an IP address or a host name']);
    expect(screen.rejected).toBe(1);
  });

  it('gives back the very same answer when there is nothing to refuse (real-world tags, odd names, port 0)', () => {
    const { screen, reasons } = screenWithLog();
    const answer = [
      instance({ ID: 'a b', Tags: ['urlprefix-/app strip=/app', 'traefik.http.routers.app.rule=Host(`app.example.com`)'], Meta: { 'a b': 'c=d' } }),
      instance({ ID: 'web-2', Node: 'n2', Port: '0' }),
    ];
    expect(screen.apply(serviceDep(), answer)).toBe(answer);
    expect(reasons).toEqual([]);
  });

  it('leaves out only the tag or meta entry that holds a control character; the instance still renders', () => {
    const { screen, reasons } = screenWithLog();
    const mixed = instance({ ID: 'web-2', Tags: ['v1', "x'\n    server evil 6.6.6.6:80 check"], Meta: { ok: 'yes', 'bad\tkey': 'v', note: 'line\nbreak' } });
    const [kept] = screen.apply(serviceDep(), [mixed]) as readonly Instance[];
    expect(kept).toMatchObject({ ID: 'web-2', Tags: ['v1'], Meta: { ok: 'yes' }, ServiceMeta: { ok: 'yes' } });
    expect(reasons).toHaveLength(3);
    expect(reasons.join('\n')).toMatch(/^tag "x'\\n {4}server evil/m);
    expect(reasons.every((r) => !/[\n\t]/.test(r))).toBe(true);
  });

  it('writes IPv6 addresses in canonical form', () => {
    const { screen } = screenWithLog();
    expect((screen.apply(serviceDep(), [instance({ ID: 'a', Address: '2001:DB8:0::1' })]) as readonly Instance[])[0]?.Address).toBe('2001:db8::1');
  });

  it('keeps, for a relaxed source only, an address that is not an IP or a host name, and still refuses control characters there', () => {
    const { screen, reasons } = screenWithLog(['sockets']);
    const socket = instance({ ID: 's', Address: 'unix:/run/app.sock', Source: 'sockets' });
    const broken = instance({ ID: 't', Address: 'unix:/run/x\n.sock', Source: 'sockets' });
    expect(screen.apply(serviceDep('web', 'sockets'), [socket, broken])).toEqual([socket]);
    expect(screen.apply(serviceDep('web', 'consul'), [{ ...socket, Source: 'consul' }])).toEqual([]);
    expect(reasons).toHaveLength(2);
  });
});

describe('CatalogScreen over (services) and keys', () => {
  it('drops a listed name that is empty or holds a control character, and keeps names with spaces, dots, "|" or unicode', () => {
    const { screen } = screenWithLog();
    const listed = screen.apply(listingDep, listing('a b', 'v1.api', 'x.', 'x|y', 'café', '', 'evil\n}')) as readonly ServiceSummary[];
    expect(names(listed)).toEqual(['a b', 'v1.api', 'x.', 'x|y', 'café']);
  });

  it('keeps a service one of whose tags holds a control character: only that tag is left out', () => {
    const { screen } = screenWithLog();
    const listed = screen.apply(listingDep, [
      { Name: 'web', Tags: ['v1', 'urlprefix-/app strip=/app', "x'\n    server evil 6.6.6.6:80 check"] },
      { Name: 'api', Tags: ['grpc'] },
    ]);
    expect(listed).toEqual([
      { Name: 'web', Tags: ['v1', 'urlprefix-/app strip=/app'] },
      { Name: 'api', Tags: ['grpc'] },
    ]);
  });

  it('drops KV pairs whose key holds a control character and never looks at values', () => {
    const { screen } = screenWithLog();
    const pairs: KeyPair[] = [
      { Key: 'app/ok', Value: 'multi\nline\u0000' },
      { Key: 'app/bad\n', Value: 'x' },
    ];
    expect(screen.apply({ kind: 'keys', source: 'consul', prefix: 'app/' }, pairs)).toEqual([pairs[0]]);
  });
});

describe('names that differ only in case: the one there first keeps the name', () => {
  it('refuses a newcomer in the listing even when it sorts first ("Web" after "web"), and says which name it yields to', () => {
    const { screen, reasons } = screenWithLog();
    expect(names(screen.settleListing(listingDep, listing('web')))).toEqual(['web']);
    expect(names(screen.settleListing(listingDep, listing('Web', 'WEB', 'api', 'web')))).toEqual(['api', 'web']);
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toMatch(/"Web" differs from "web", which was there first, only in case/);
  });

  it('keeps the name for a service the removal guard still holds, and lets it go once it is gone from what templates see', () => {
    const { screen } = screenWithLog();
    screen.settleListing(listingDep, listing('web'));
    const held: ServiceSummary[] = [{ Name: 'web', Tags: [], Held: 'true' }, { Name: 'Web', Tags: [] }];
    expect(names(screen.settleListing(listingDep, held))).toEqual(['web']);
    expect(names(screen.settleListing(listingDep, listing('Web')))).toEqual(['Web']);
    // "Web" owns the name now: "web" coming back is the newcomer.
    expect(names(screen.settleListing(listingDep, listing('Web', 'web')))).toEqual(['Web']);
  });

  it('gives back the same listing when no names clash', () => {
    const { screen } = screenWithLog();
    const plain = listing('api', 'web');
    expect(screen.settleListing(listingDep, plain)).toBe(plain);
  });

  it('leaves the instances of a case variant out of a service answer (Consul looks names up ignoring case), whether or not the owner has instances in it', () => {
    const { screen, reasons } = screenWithLog();
    screen.settleListing(listingDep, listing('web', 'Web'));
    const own = instance({ ID: 'w1' });
    const intruder = instance({ ID: 'w2', Name: 'Web', Node: 'n2' });
    const loud = instance({ ID: 'w3', Name: 'WEB', Node: 'n3' });
    expect(screen.apply(serviceDep('web'), [own, intruder, loud])).toEqual([own]);
    expect(screen.apply(serviceDep('web'), [intruder])).toEqual([]);
    expect(reasons.filter((r) => /only in case/.test(r))).toHaveLength(3);
  });

  it('renders a case variant under its own query only if nothing else has the name (no listing, only "WEB" registered)', () => {
    const { screen } = screenWithLog();
    const loud = instance({ ID: 'w3', Name: 'WEB' });
    expect(screen.apply(serviceDep('web'), [loud])).toEqual([loud]);
  });

  it('leaves names that are not case variants of the query alone (a registry’s own naming)', () => {
    const { screen } = screenWithLog();
    const other = [instance({ ID: 'a', Name: 'web-canary' })];
    expect(screen.apply(serviceDep('web'), other)).toBe(other);
  });

  it('keeps ownership per source and datacenter', () => {
    const { screen } = screenWithLog();
    screen.settleListing(listingDep, listing('web'));
    expect(names(screen.settleListing({ kind: 'services', source: 'etcd' }, listing('Web')))).toEqual(['Web']);
    expect(names(screen.settleListing({ kind: 'services', source: 'consul', dc: 'dc2' }, listing('Web')))).toEqual(['Web']);
    expect(names(screen.settleListing(listingDep, listing('Web', 'web')))).toEqual(['web']);
  });
});
