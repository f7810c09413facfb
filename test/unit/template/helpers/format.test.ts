import { describe, expect, it } from 'vitest';
import { formatHelpers, goSprintf } from '../../../../src/template/helpers/format.js';
import { caller, renderText } from './call.js';

const call = caller(formatHelpers);

/**
 * printf's verbs with what consul-template v0.42.1 printed for the same call (checked with the
 * oracle in golden/). Arguments are as ctmpl's templates hold them: ints and floats as the
 * decimal text Go prints, parseJSON values as JavaScript values.
 */
const VERBS: readonly (readonly [string, readonly unknown[], string])[] = [
  ['%s', ['web-1'], 'web-1'],
  ['%-8s|', ['web'], 'web     |'],
  ['%8s|', ['web'], '     web|'],
  ['%.2s', ['héllo'], 'hé'],
  ['%05s', ['ab'], '000ab'],
  ['%q', ['a"b\n'], '"a\\"b\\n"'],
  ['%+q', ['é'], '"\\u00e9"'],
  ['%#q', ['a'], '`a`'],
  ['%#q', ['a`b'], '"a`b"'],
  ['%d', ['42'], '42'],
  ['%5d|', ['42'], '   42|'],
  ['%-5d|', ['42'], '42   |'],
  ['%05d', ['-42'], '-0042'],
  ['%+d', ['42'], '+42'],
  ['% d', ['42'], ' 42'],
  ['%.3d', ['7'], '007'],
  ['%.0d', ['0'], ''],
  ['%x', ['255'], 'ff'],
  ['%X', ['255'], 'FF'],
  ['%#x', ['255'], '0xff'],
  ['%#08x', ['255'], '0x000000ff'],
  ['%x', ['-255'], '-ff'],
  ['%x', ['hi'], '6869'],
  ['% x', ['hi'], '68 69'],
  ['%# X', ['hi'], '0X68 0X69'],
  ['%f', ['3.14159'], '3.141590'],
  ['%.2f', ['3.14159'], '3.14'],
  ['%8.3f|', ['-3.14159'], '  -3.142|'],
  ['%08.3f', ['-3.14159'], '-003.142'],
  ['%+.1f', ['2'], '+2.0'],
  ['%.0f', ['0.5'], '0'],
  ['%.0f', ['1.5'], '2'],
  ['%.0f', ['2.5'], '2'],
  ['%.2f', ['0.125'], '0.12'],
  ['%f', ['1e+21'], '1000000000000000000000.000000'],
  ['%v', ['text'], 'text'],
  ['%v', ['1.5'], '1.5'],
  ['%v', [1e6], '1e+06'],
  ['%v', ['1e-05'], '1e-05'],
  ['%v', [true], 'true'],
  ['%v', [null], '<nil>'],
  ['%5v|', ['ab'], '   ab|'],
  ['%v', [['a', 1.5, null]], '[a 1.5 <nil>]'],
  ['%v', [{ z: 1, a: [true] }], 'map[a:[true] z:1]'],
  ['%4v', [[1, 2]], '[   1    2]'],
  ['%t', [true], 'true'],
  ['%6t|', [false], ' false|'],
  ['%d', [true], '%!d(bool=true)'],
  ['%s', [null], '%!s(<nil>)'],
  ['%d', ['abc'], '%!d(string=abc)'],
  ['%t', ['true'], '%!t(string=true)'],
  ['%d %s', ['1'], '1 %!s(MISSING)'],
  ['100%%', [], '100%'],
  ['%', [], '%!(NOVERB)'],
];

describe('printf', () => {
  it.each(VERBS)('printf %j with %j is %j', (format, args, expected) => {
    expect(call('printf', format, ...args)).toBe(expected);
  });

  it('formats a catalog port and id the way converted templates do', () => {
    expect(renderText('{{printf "%-8s|%5d|" "web-1" "8080"}}')).toBe('web-1   | 8080|');
    expect(renderText('{{printf "%d" (add 1 2)}}{{printf "%d" 4}}')).toBe('34');
  });

  it('prints a Handlebars number literal as Go prints a float64 with %v (parseJSON numbers are float64)', () => {
    expect(goSprintf('%v|%d', [1000000, 1000000])).toBe('1e+06|1000000');
  });

  it('formats a string that reads as a number as that number when a flag or precision would show it', () => {
    expect(goSprintf('%05v|%.2v|%v', ['-42', '3.14159', '1.50'])).toBe('-0042|3.1|1.50');
  });

  it('refuses what ctmpl cannot reproduce, naming printf', () => {
    expect(() => call('printf', '%s', 'a', 'b')).toThrow('printf: 2 arguments for 1 verbs in "%s"');
    expect(() => call('printf', '%e', 1.5)).toThrow('printf: the verb %e is not supported');
    expect(() => call('printf', '%[1]d', '1')).toThrow(/^printf: argument indexes/);
    expect(() => call('printf', '%*d', '5', '1')).toThrow(/^printf: argument indexes \(\[n\]\) and \* widths/);
    expect(() => call('printf', '%#v', 'a')).toThrow('printf: %#v is not supported');
    expect(() => call('printf', '%d', '2.5')).toThrow('printf: %d needs an integer, got "2.5"');
    expect(() => call('printf')).toThrow('printf: expected a format');
    expect(() => call('printf', 5)).toThrow('printf: the format (argument 1) must be a string');
  });

  it('refuses to print a catalog record (consul-template would print Go internals)', () => {
    const instance = { ID: 'a', Name: 'web', Node: 'n', Address: '10.0.0.1', Port: '80', Tags: [], Checks: [], Status: 'passing', Source: 'file' };
    expect(() => call('printf', '%v', instance)).toThrow(/^printf: cannot print a catalog structure/);
  });
});
