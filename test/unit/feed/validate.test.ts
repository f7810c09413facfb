/**
 * The catalog rules (docs/security.md, "What reaches templates"), checked against the oracle
 * written from the docs (test/support/hostile-rules.ts) in both directions: nothing the docs
 * refuse is accepted, and nothing they let through is refused — real catalogs (Fabio and Traefik
 * tags, names with spaces, port 0) must reach templates unchanged.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeInstance } from '../../../src/catalog/instance.js';
import type { Instance } from '../../../src/catalog/types.js';
import { instanceProblem, keyPairProblem, servicesProblem, tagProblem, visible, withoutControlValues } from '../../../src/feed/validate.js';
import { CONTROL, hasControlChar, hostAddressOk, instanceRefusal, keptMeta, keptTags, nameOk, nodeOk, portOk } from '../../support/hostile-rules.js';
import { addressArb, identArb, metaArb, portArb, REAL_WORLD_TAGS, serviceNameArb, tagArb } from '../../support/hostile-values.js';

/** Instances with hostile or odd values anywhere, as any source could deliver them. */
const instanceArb: fc.Arbitrary<Instance> = fc
  .record({
    ID: identArb,
    Name: serviceNameArb,
    Node: fc.oneof(identArb, fc.constant('')),
    Address: addressArb.map((a) => a.value),
    Port: fc.oneof(portArb.map((p) => String(p.value)), fc.constantFrom('0', '00', '080', ' 80', '65535', '65536', '1e3')),
    Tags: fc.array(tagArb, { maxLength: 3 }),
    Meta: metaArb.map((entries) => Object.fromEntries(entries)),
    Status: fc.constant('passing' as const),
    Datacenter: fc.constantFrom('dc1', 'dc 1', 'dc\n1', ''),
    Source: fc.constant('consul'),
  })
  .map(makeInstance);

const factsOf = (i: Instance) => ({ name: i.Name, id: i.ID, node: i.Node, address: i.Address, port: i.Port, tags: i.Tags, meta: Object.entries(i.Meta) });

const good: Instance = makeInstance({ ID: 'web-1', Name: 'web', Node: 'n1', Address: '10.0.0.1', Port: '80', Tags: ['v1'], Meta: { zone: 'eu west "a"' }, Status: 'passing', Datacenter: 'dc1', Source: 'consul' });

describe('which instances are refused, against the rules in docs/security.md', () => {
  it('refuses exactly what the docs refuse: a control character or nothing in a name or ID, a control character in a node, a bad address, a bad port', () => {
    fc.assert(
      fc.property(instanceArb, (instance) => {
        const expected = instanceRefusal(factsOf(instance));
        const actual = instanceProblem(instance);
        expect(actual === undefined, `${JSON.stringify(instance)}: ctmpl says ${String(actual)}, the docs say ${String(expected)}`).toBe(expected === undefined);
        if (expected !== undefined) expect(actual?.startsWith(expected), `${String(actual)} names the ${expected}`).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('for a relaxed source, lets any address through that is not empty and holds no control character, and nothing else changes', () => {
    fc.assert(
      fc.property(instanceArb, (instance) => {
        const facts = factsOf(instance);
        const relaxedOk = nameOk(facts.name) && nameOk(facts.id) && nodeOk(facts.node) && facts.address !== '' && !hasControlChar(facts.address) && portOk(facts.port);
        expect(instanceProblem(instance, true) === undefined, JSON.stringify(instance)).toBe(relaxedOk);
      }),
      { numRuns: 3000 },
    );
    expect(instanceProblem({ ...good, Address: 'unix:/run/app.sock' }, true)).toBeUndefined();
    expect(instanceProblem({ ...good, Address: 'unix:/run/app.sock' })).toMatch(/^address/);
    expect(instanceProblem({ ...good, Address: '/run/app\n.sock' }, true)).toMatch(/^address/);
    expect(instanceProblem({ ...good, Name: 'a\u0085b' }, true)).toMatch(/^service name/);
  });

  it('lets real catalogs through unchanged: Fabio and Traefik tags, names with spaces, dots, "=", "/", backticks, unicode, port 0, an empty node', () => {
    const names = ['a b', 'x.', 'v1.api', 'x|y', 'k=v', 'a/b', '(x)', '`x`', 'café', '漢字 🙂', '\u202eevil', "o'neil"];
    for (const Name of names) {
      const odd: Instance = { ...good, Name, ID: Name, Node: Name, Tags: [...REAL_WORLD_TAGS], Meta: { [Name]: Name } };
      expect(instanceProblem(odd), Name).toBeUndefined();
      expect(withoutControlValues(odd, () => expect.fail('nothing to refuse'))).toBe(odd);
    }
    expect(instanceProblem({ ...good, Port: '0' })).toBeUndefined();
    expect(instanceProblem({ ...good, Port: '65535' })).toBeUndefined();
    expect(instanceProblem({ ...good, Node: '' })).toBeUndefined();
    for (const Address of ['2001:db8::1', '::ffff:10.0.0.1', 'web-1.service.consul', 'web-1.service.consul.', '_srv.example', 'localhost', '1.2.3.4a']) {
      expect(instanceProblem({ ...good, Address }), Address).toBeUndefined();
    }
  });

  it.each([
    [{ Address: '999.1.1.1' }, /^address "999\.1\.1\.1"/],
    [{ Address: '1.2.3' }, /^address/],
    [{ Address: '10.0.0.1.5' }, /^address/],
    [{ Address: 'fe80::1%eth0' }, /^address/],
    [{ Address: '-bad.example' }, /^address/],
    [{ Address: `${'a'.repeat(64)}.example` }, /^address/],
    [{ Address: '10.0.0.1;\n  server evil:80' }, /^address/],
    [{ Address: '' }, /^address/],
    [{ Port: '65536' }, /^port/],
    [{ Port: '080' }, /^port/],
    [{ Port: ' 80' }, /^port/],
    [{ Port: '' }, /^port/],
    [{ Name: '' }, /^service name is empty/],
    [{ Name: 'web\n' }, /^service name/],
    [{ ID: '' }, /^ID is empty/],
    [{ ID: 'a\u009bb' }, /^ID/],
    [{ Node: 'n1\t' }, /^node/],
    [{ Node: 'n\u007f' }, /^node/],
  ])('refuses %j', (change, reason) => {
    expect(instanceProblem({ ...good, ...change })).toMatch(reason);
  });

  it('agrees with the docs on host names: labels of letters, digits, "-" and "_", 63 characters each, 253 in all', () => {
    fc.assert(
      fc.property(fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6(), fc.stringMatching(/^[0-9a-z._-]{1,12}$/), addressArb.map((a) => a.value)), (Address) => {
        expect(instanceProblem({ ...good, Address }) === undefined, Address).toBe(hostAddressOk(Address));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('values with a control character are left out one by one; the instance stays', () => {
  it('drops exactly the tags and meta entries the docs refuse, blanks such a datacenter, reports each one, and keeps everything else', () => {
    fc.assert(
      fc.property(instanceArb, (instance) => {
        const reasons: string[] = [];
        const clean = withoutControlValues(instance, (why) => reasons.push(why));
        expect(clean.Tags).toEqual(keptTags(instance.Tags));
        expect(Object.entries(clean.Meta)).toEqual(keptMeta(Object.entries(instance.Meta)));
        expect(clean.ServiceMeta).toEqual(clean.Meta);
        expect(clean.Datacenter).toBe(hasControlChar(instance.Datacenter) ? '' : instance.Datacenter);
        const dropped = instance.Tags.length - clean.Tags.length + Object.keys(instance.Meta).length - Object.keys(clean.Meta).length + (clean.Datacenter === instance.Datacenter ? 0 : 1);
        expect(reasons).toHaveLength(dropped);
        for (const why of reasons) expect(why).not.toMatch(CONTROL);
        if (dropped === 0) expect(clean).toBe(instance);
        expect({ ...clean, Tags: instance.Tags, Meta: instance.Meta, ServiceMeta: instance.ServiceMeta, Datacenter: instance.Datacenter }).toEqual(instance);
      }),
      { numRuns: 3000 },
    );
  });

  it('describes every refusal with control characters escaped (C0, DEL, C1) and in bounded length, however long the value', () => {
    fc.assert(
      fc.property(instanceArb, (instance) => {
        const reasons = [instanceProblem(instance), ...(() => { const r: string[] = []; withoutControlValues(instance, (why) => r.push(why)); return r; })()];
        for (const why of reasons) {
          if (why === undefined) continue;
          expect(why).not.toMatch(CONTROL);
          expect(why.length).toBeLessThan(600);
        }
      }),
      { numRuns: 3000 },
    );
    expect(visible('a\nb\u0000\u007f\u0085')).toBe('a\\nb\\u0000\\u007f\\u0085');
    expect(visible('x'.repeat(500)).length).toBeLessThan(130);
  });
});

describe('service listings and keys', () => {
  it('refuses a listed service name only when empty or holding a control character', () => {
    fc.assert(
      fc.property(serviceNameArb, (Name) => {
        expect(servicesProblem({ Name, Tags: [] }) === undefined, JSON.stringify(Name)).toBe(nameOk(Name));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a listed tag only when it holds a control character', () => {
    fc.assert(
      fc.property(tagArb, (tag) => {
        expect(tagProblem('web', tag) === undefined, JSON.stringify(tag)).toBe(!hasControlChar(tag));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a KV key with a control character, and never screens KV values (certificates are multi-line)', () => {
    expect(keyPairProblem({ Key: 'app/x\n', Value: 'ok' })).toMatch(/control character/);
    expect(keyPairProblem({ Key: 'app/a b=(c)', Value: 'ok' })).toBeUndefined();
    expect(keyPairProblem({ Key: 'app/cert', Value: '-----BEGIN CERTIFICATE-----\nMIIB…\n-----END CERTIFICATE-----\n\u0000' })).toBeUndefined();
  });
});
