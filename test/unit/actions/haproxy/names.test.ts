import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeServerName, haproxyServerName } from '../../../../src/actions/haproxy/names.js';

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
