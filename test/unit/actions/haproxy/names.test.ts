import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { configName, decodeServerName, haproxyServerName, MAX_CONFIG_NAME } from '../../../../src/actions/haproxy/names.js';

describe('haproxyServerName', () => {
  it('keeps the usual node and ID characters readable', () => {
    expect(haproxyServerName('node-1.dc', 'web:8080')).toBe('node-1.dc_-web:8080');
    expect(haproxyServerName('a_b', 'c')).toBe('a__b_-c');
  });

  it('gives two names where Node_ID collides (node a_b / ID c vs node a / ID b_c)', () => {
    expect(haproxyServerName('a_b', 'c')).not.toBe(haproxyServerName('a', 'b_c'));
  });

  it('escapes what haproxy refuses in a server name (@, blanks, ;, newlines, non-ASCII)', () => {
    expect(haproxyServerName('n@x', 'a b;c\nd')).toBe('n_40x_-a_20b_3bc_0ad');
    expect(haproxyServerName('é', '')).toBe('_c3_a9_-');
  });

  it('is injective and haproxy-valid for any node and ID, and reads back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 }), (n1, i1, n2, i2) => {
        const a = haproxyServerName(n1, i1);
        expect(a).toMatch(/^[A-Za-z0-9_.:-]+$/);
        expect(decodeServerName(a)).toEqual({ node: n1, id: i1 });
        if (n1 !== n2 || i1 !== i2) expect(haproxyServerName(n2, i2)).not.toBe(a);
      }),
      { numRuns: 100 },
    );
  });

  it('decodes only names it can have made', () => {
    expect(decodeServerName('plain')).toBeUndefined();
    expect(decodeServerName('a_-b_-c')).toBeUndefined();
    expect(decodeServerName('a_zz_-b')).toBeUndefined();
  });
});

/**
 * docs/security.md, "Names in configs": plain names stay, any other becomes `ctmpl--` + escaped
 * text, a result over 200 characters is shortened with a SHA-256 digest.
 */
describe('configName (nginxName, haproxyName)', () => {
  const proxies = ['nginx', 'haproxy'] as const;
  const anyName = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({ unit: fc.constantFrom('a', 'A', 'b', '_', '-', '.', ':', ' ', '/', 'é', '🙂', 'c', 't', 'm', 'p', 'l'), maxLength: 16 }),
    fc.constantFrom('ctmpl--web', 'CTMPL--web', 'ctmpl--', 'ctmpl-', 'x.', 'v1.api', 'a b', 'x|y'),
    fc.tuple(fc.constantFrom('a', '_', 'é', ' '), fc.integer({ min: 60, max: 400 })).map(([c, n]) => c.repeat(n)),
  );

  it('keeps plain names as they are (what consul-template users already write)', () => {
    for (const name of ['web', 'web-1', 'api_v2', 'v1.api', 'x.', 'A.b-C_d']) {
      expect(configName(name, 'nginx')).toBe(name);
      expect(configName(name, 'haproxy')).toBe(name);
    }
    expect(configName('db:5432', 'haproxy')).toBe('db:5432');
  });

  it('escapes any other name: _ as __, every other byte as _ and two hex digits', () => {
    expect(configName('a b', 'nginx')).toBe('ctmpl--a_20b');
    expect(configName('db:5432', 'nginx')).toBe('ctmpl--db_3a5432');
    expect(configName('a_b c', 'haproxy')).toBe('ctmpl--a__b_20c');
    expect(configName('é/(x)', 'nginx')).toBe('ctmpl--_c3_a9_2f_28x_29');
    expect(configName('urlprefix-/app strip=/app', 'haproxy')).toBe('ctmpl--urlprefix-_2fapp_20strip_3d_2fapp');
  });

  it('escapes a plain name that starts with the escape marker in any case, so no plain name equals an escaped one', () => {
    expect(configName('ctmpl--a_20b', 'nginx')).toBe('ctmpl--ctmpl--a__20b');
    expect(configName('CTMPL--x', 'haproxy')).toBe('ctmpl--CTMPL--x');
    expect(configName('ctmpl--a_20b', 'nginx')).not.toBe(configName('a b', 'nginx'));
  });

  it('shortens a name over 200 characters to a readable start and a SHA-256 digest', () => {
    const long = 'a'.repeat(5000);
    const digest = createHash('sha256').update(long).digest('hex');
    expect(configName(long, 'nginx')).toBe(`ctmpl--${'a'.repeat(120)}_h${digest}`);
    expect(configName('a'.repeat(MAX_CONFIG_NAME), 'nginx')).toBe('a'.repeat(MAX_CONFIG_NAME));
    // Never cut inside an escape: 40 × "é" is 240 escaped characters; 120 is a whole number of escapes.
    expect(configName('é'.repeat(40), 'haproxy')).toMatch(/^ctmpl--(_c3_a9){20}_h[0-9a-f]{64}$/);
    expect(configName(`${'a'.repeat(119)}${'é'.repeat(40)}`, 'nginx')).toMatch(/^ctmpl--a{119}_h[0-9a-f]{64}$/);
  });

  /** Pairs of names that are near each other, where a careless escape would collide. */
  const nearPair = fc.tuple(anyName, fc.constantFrom<(n: string) => string>(
    (n) => n.toUpperCase(),
    (n) => n.replace(/_/g, '__'),
    (n) => n.replace(/ /g, '_20'),
    (n) => `ctmpl--${n}`,
    (n) => `${n}_`,
    (n) => n.slice(0, -1),
    (n) => configName(n, 'nginx'),
    (n) => configName(n, 'haproxy'),
  )).map(([a, change]) => [a, change(a)] as const);

  it('gives every name a valid identifier of at most 200 characters, never the same for two names', () => {
    fc.assert(
      fc.property(fc.oneof(fc.tuple(anyName, anyName), nearPair), fc.constantFrom(...proxies), ([a, b], proxy) => {
        const ca = configName(a, proxy);
        expect(ca).toMatch(proxy === 'nginx' ? /^[A-Za-z0-9._-]+$/ : /^[A-Za-z0-9._:-]+$/);
        expect(ca.length).toBeLessThanOrEqual(MAX_CONFIG_NAME);
        if (a !== b) expect(configName(b, proxy)).not.toBe(ca);
      }),
      { numRuns: 2000 },
    );
  });

  it('never gives two names the same nginx upstream name ignoring case unless the names differ only in case (nginx compares upstream names case-insensitively)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.tuple(anyName, anyName), nearPair), ([a, b]) => {
        if (configName(a, 'nginx').toLowerCase() === configName(b, 'nginx').toLowerCase()) expect(a.toLowerCase()).toBe(b.toLowerCase());
      }),
      { numRuns: 2000 },
    );
    expect(configName('Web', 'nginx').toLowerCase()).toBe(configName('web', 'nginx').toLowerCase());
  });

  it('gives the empty name an identifier too', () => {
    expect(configName('', 'nginx')).toBe('ctmpl--');
  });
});
