/**
 * Validation at the source edge (README "Security"), checked against the README's own rules:
 * - nothing outside the documented character sets is ever accepted (the direction that matters
 *   for injection);
 * - ordinary valid data is accepted;
 * - a refusal is reported safely (no control character, bounded length) however hostile the value;
 * - (that refusing one instance's tag never takes its whole service out of `(services)` is the
 *   screen's part: feed/screen.test.ts).
 */
import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeInstance } from '../../../src/catalog/instance.js';
import type { Instance } from '../../../src/catalog/types.js';
import { instanceProblem, keyPairProblem, visible } from '../../../src/feed/validate.js';
import { EDGE_RULES, metaValueOk } from '../../support/hostile-rules.js';
import { addressArb, hostileText, metaArb, portArb, tagArb } from '../../support/hostile-values.js';

/** Control characters: C0, DEL and C1 (U+0080–U+009F, where U+009B is an 8-bit CSI to a terminal). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const identArb = fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^[a-z0-9][A-Za-z0-9._:-]{0,12}$/) }, { weight: 2, arbitrary: hostileText }, { weight: 1, arbitrary: fc.constant('') });
const nameArb = fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9._-]{0,12}$/) }, { weight: 2, arbitrary: hostileText });

/** Instances with hostile values anywhere, as any source could deliver them. */
const instanceArb: fc.Arbitrary<Instance> = fc
  .record({
  ID: identArb,
  Name: nameArb,
  Node: identArb,
  Address: addressArb.map((a) => a.value),
  Port: portArb.map((p) => String(p.value)),
  Tags: fc.array(tagArb, { maxLength: 3 }),
  Meta: metaArb.map((entries) => Object.fromEntries(entries.filter(([k]) => k !== '__proto__'))),
  Status: fc.constant('passing' as const),
  Datacenter: fc.constant('dc1'),
  Source: fc.constant('consul'),
  })
  .map(makeInstance);

/** What the README allows, field by field (an address: an IP, or a name of host-name characters). */
function readmeValid(i: Instance): boolean {
  const hostLike = /^[A-Za-z0-9._-]+$/.test(i.Address) && !i.Address.startsWith('-');
  const port = Number(i.Port);
  return (
    EDGE_RULES.name.test(i.Name) &&
    EDGE_RULES.id.test(i.ID) &&
    EDGE_RULES.id.test(i.Node) &&
    (isIP(i.Address) !== 0 || hostLike) &&
    /^\d+$/.test(i.Port) &&
    port >= 1 &&
    port <= 65535 &&
    i.Tags.every((t) => EDGE_RULES.tag.test(t)) &&
    Object.entries(i.Meta).every(([k, v]) => EDGE_RULES.metaKey.test(k) && metaValueOk(v))
  );
}

describe('instance validation against the README rules', () => {
  it('accepts nothing the README does not allow', () => {
    fc.assert(
      fc.property(instanceArb, (instance) => {
        if (instanceProblem(instance) === undefined) expect(readmeValid(instance), JSON.stringify(instance)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts ordinary valid instances (IPv4, IPv6, host names; tags, meta)', () => {
    const valid = fc.record({
      ID: fc.stringMatching(/^[a-z0-9][A-Za-z0-9._:-]{0,30}$/),
      Name: fc.stringMatching(/^[a-z][a-z0-9._-]{0,30}$/),
      Node: fc.stringMatching(/^[a-z0-9][A-Za-z0-9._:-]{0,30}$/),
      Address: fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain()),
      Port: fc.integer({ min: 1, max: 65535 }).map(String),
      Tags: fc.array(fc.stringMatching(/^[a-z0-9][A-Za-z0-9._:=/@+-]{0,20}$/), { maxLength: 3 }),
      Meta: fc.dictionary(fc.stringMatching(/^[a-z][A-Za-z0-9_-]{0,20}$/), fc.string({ maxLength: 60 }), { maxKeys: 3 }),
      Status: fc.constant('passing' as const),
      Datacenter: fc.constant('dc1'),
      Source: fc.constant('consul'),
    }).map(makeInstance);
    fc.assert(
      fc.property(valid, (instance) => {
        expect(instanceProblem(instance), JSON.stringify(instance)).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('describes every refusal with control characters escaped (C0, DEL, C1) and in bounded length, however long the value', () => {
    fc.assert(
      fc.property(instanceArb, (instance) => {
        const why = instanceProblem(instance);
        if (why === undefined) return;
        expect(why).not.toMatch(CONTROL);
        expect(why.length).toBeLessThan(400);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses a KV key with control characters, and leaves KV values to the escaping helpers', () => {
    expect(keyPairProblem({ Key: 'app/x\n', Value: 'ok' })).toMatch(/control characters/);
    expect(keyPairProblem({ Key: 'app/cert', Value: '-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----\n' })).toBeUndefined();
  });
});

describe('catalog validation', () => {
  const good: Instance = makeInstance({ ID: 'web-1', Name: 'web', Node: 'n1', Address: '10.0.0.1', Port: '80', Tags: ['v1', 'version=1.2'], Meta: { zone: 'eu west "a"' }, Status: 'passing', Datacenter: 'dc1', Source: 'consul' });

  it('accepts ordinary instances, IPv6 and host names', () => {
    expect(instanceProblem(good)).toBeUndefined();
    expect(instanceProblem({ ...good, Address: '2001:db8::1' })).toBeUndefined();
    expect(instanceProblem({ ...good, Address: 'web-1.service.consul' })).toBeUndefined();
  });

  it.each([
    [{ Address: '10.0.0.1;\n  server evil:80' }, /address/],
    [{ Address: '' }, /address/],
    [{ Port: '0' }, /port/],
    [{ Port: '8080;' }, /port/],
    [{ Name: 'web}' }, /service name/],
    [{ ID: 'a b' }, /ID/],
    [{ Node: 'n1\n' }, /node/],
    [{ Tags: ['ok', 'bad tag'] }, /tag/],
    [{ Meta: { 'bad key': 'x' } }, /meta key/],
    [{ Meta: { note: 'line\nbreak' } }, /meta note/],
  ])('refuses %j', (change, reason) => {
    expect(instanceProblem({ ...good, ...change } as Instance)).toMatch(reason);
  });

  it('shows refused values with control characters escaped', () => {
    expect(visible('a\nb\u0000')).toBe('a\\nb\\u0000');
  });
});
