import { describe, expect, it } from 'vitest';
import { mathHelpers } from '../../../../src/template/helpers/math.js';
import { caller, renderText } from './call.js';

const call = caller(mathHelpers);

describe('add, subtract, multiply, divide, modulo, minimum, maximum', () => {
  it.each([
    // consul-template's documentation: the second argument is the left operand (pipeline order)
    ['add', 1, 2, '3'],
    ['subtract', 2, 5, '3'],
    ['multiply', 2, 2, '4'],
    ['divide', 2, 10, '5'],
    ['modulo', 2, 5, '1'],
    ['minimum', 2, 5, '2'],
    ['maximum', 2, 5, '5'],
  ] as const)('{{%s %s %s}} is %s', (name, b, a, expected) => {
    expect(call(name, b, a)).toBe(expected);
    expect(renderText(`{{${name} ${b} ${a}}}`)).toBe(expected);
  });

  it('gives decimal strings, so adjacent results print side by side (handlebars 4.7 would add numbers)', () => {
    expect(renderText('{{add 1 4}}{{add 40 40}}')).toBe('580');
    expect(renderText('{{subtract 1 5}}{{parseInt "80"}}{{len (loop 3)}}')).toBe('4803');
  });

  it('keeps ints as ints: truncating division, the sign of modulo follows the left operand, 64-bit wrapping', () => {
    expect(call('divide', '4', '10')).toBe('2');
    expect(call('divide', '4', '-10')).toBe('-2');
    expect(call('modulo', '3', '-7')).toBe('-1');
    expect(call('add', '9223372036854775807', '1')).toBe('-9223372036854775808');
    expect(call('multiply', '4294967296', '4294967296')).toBe('0');
    expect(call('subtract', '1', '-9223372036854775808')).toBe('9223372036854775807');
  });

  it('makes a float of an int and a float, printed as Go prints a float', () => {
    expect(call('divide', '2', '5.0')).toBe('2.5');
    expect(call('multiply', '1000', '1000.5')).toBe('1.0005e+06');
    expect(call('add', '0.1', '0.2')).toBe('0.30000000000000004');
    expect(call('divide', '0.0', '1')).toBe('+Inf');
    expect(call('divide', '0', '-1.5')).toBe('-Inf');
    expect(call('multiply', '-1.5', '0')).toBe('-0');
    expect(call('minimum', '2', '1.5')).toBe('1.5');
    expect(call('maximum', 1, '1.5')).toBe('1.5');
  });

  it('add takes any number of arguments (an extension; consul-template\'s takes two)', () => {
    expect(call('add', 1, '2', 3.5)).toBe('6.5');
    expect(call('add', '1', '2', '3')).toBe('6');
  });

  it('refuses what Go refuses, naming the helper', () => {
    expect(() => call('divide', '0', '1')).toThrow(/^divide: integer division by zero/);
    expect(() => call('modulo', '0', '1')).toThrow(/^modulo: integer division by zero/);
    expect(() => call('modulo', '2', '5.5')).toThrow(/^modulo: needs two integers/);
    expect(() => call('subtract', 'x', '1')).toThrow('subtract: "x" is not a number');
    expect(() => call('multiply', ['1'], '1')).toThrow('multiply: a list is not a number');
    expect(() => call('add', ' 5', '1')).toThrow('add: " 5" is not a number');
    expect(() => call('subtract', '1')).toThrow(/^subtract: expected 2 numbers, got 1/);
    expect(() => call('add', '99999999999999999999', '1')).toThrow(/^add: "99999999999999999999" is out of range/);
  });
});

describe('parseInt, parseUint, parseFloat, parseBool', () => {
  it.each([
    ['', '0'],
    ['42', '42'],
    ['+7', '7'],
    ['-0', '0'],
    ['007', '7'],
    ['-9223372036854775808', '-9223372036854775808'],
  ])('parseInt %j is %j', (text, expected) => expect(call('parseInt', text)).toBe(expected));

  it.each(['9223372036854775808', '1_000', ' 5', '0x10', '1e3', 'abc'])('parseInt %j is an error, as strconv.ParseInt', (text) => {
    expect(() => call('parseInt', text)).toThrow(/^parseInt: /);
  });

  it('parseUint: unsigned, up to 2^64-1', () => {
    expect(call('parseUint', '18446744073709551615')).toBe('18446744073709551615');
    expect(() => call('parseUint', '18446744073709551616')).toThrow(/^parseUint: .*out of range/);
    expect(() => call('parseUint', '-1')).toThrow(/^parseUint: /);
    expect(() => call('parseUint', '+7')).toThrow(/^parseUint: /);
  });

  it.each([
    ['', '0'],
    ['1.5', '1.5'],
    ['1e6', '1e+06'],
    ['100000', '100000'],
    ['0.0001', '0.0001'],
    ['1e-5', '1e-05'],
    ['1_000.5', '1000.5'],
    ['0x1p-2', '0.25'],
    ['inf', '+Inf'],
    ['-Infinity', '-Inf'],
    ['nan', 'NaN'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['-0', '-0'],
    ['1e-400', '0'],
  ])('parseFloat %j prints as %j', (text, expected) => expect(call('parseFloat', text)).toBe(expected));

  it.each(['1e', ' 1', '0x10', '1e400', 'abc'])('parseFloat %j is an error, as strconv.ParseFloat', (text) => {
    expect(() => call('parseFloat', text)).toThrow(/^parseFloat: /);
  });

  it('parseBool takes Go\'s spellings only, "" is false', () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(call('parseBool', t)).toBe(true);
    for (const f of ['', '0', 'f', 'F', 'FALSE', 'false', 'False']) expect(call('parseBool', f)).toBe(false);
    expect(() => call('parseBool', 'yes')).toThrow('parseBool: "yes" is not a boolean');
    expect(() => call('parseBool', ['true'])).toThrow('parseBool: expected a string, got a list');
  });
});
