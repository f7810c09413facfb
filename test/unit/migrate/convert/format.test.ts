import { describe, expect, it } from 'vitest';
import { checkFormatArgs, formatGoFloat, parseFormat } from '../../../../src/migrate/convert/format.js';
import { ANY, INT, STRING, listOf } from '../../../../src/migrate/convert/types.js';

describe('Go formatting', () => {
  it('prints float constants as Go does (checked against go1.26)', () => {
    const cases: [number, string][] = [[123456, '123456'], [1e5, '100000'], [0.0001, '0.0001'], [0.00001, '1e-05'], [1e20, '1e+20'], [1.5e300, '1.5e+300'], [999999, '999999'], [1234567.5, '1.2345675e+06'], [-0, '-0'], [12.5, '12.5'], [2e6, '2e+06']];
    expect(cases.map(([f]) => formatGoFloat(f))).toEqual(cases.map(([, s]) => s));
  });

  it('accepts printf formats whose verbs fit their arguments', () => {
    const verbs = parseFormat('%-8s|%5d|%q %%');
    expect(verbs).toEqual([{ verb: 's', spec: '%-8s' }, { verb: 'd', spec: '%5d' }, { verb: 'q', spec: '%q' }]);
    expect(checkFormatArgs(verbs as never, [STRING, INT, ANY])).toBeUndefined();
  });

  it('refuses formats Go would print with %! markers, and verbs ctmpl lacks', () => {
    expect(checkFormatArgs(parseFormat('%d') as never, [STRING])).toMatch(/%d with a string/);
    expect(checkFormatArgs(parseFormat('%s %s') as never, [STRING])).toMatch(/2 verbs for 1 arguments/);
    expect(checkFormatArgs(parseFormat('%v') as never, [listOf(STRING)])).toBeUndefined();
    expect(parseFormat('%e')).toMatch(/%e is not one/);
    expect(parseFormat('%*d')).toMatch(/not supported/);
  });
});
