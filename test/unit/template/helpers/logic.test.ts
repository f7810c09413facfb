import { describe, expect, it } from 'vitest';
import { logicHelpers } from '../../../../src/template/helpers/logic.js';
import { caller, renderText } from './call.js';

const call = caller(logicHelpers);

/** Go's truth: what text/template's if, and, or, not treat as false. */
const GO_TRUTH: readonly (readonly [string, unknown, boolean])[] = [
  ['false', false, false],
  ['true', true, true],
  ['null', null, false],
  ['undefined (a missing field)', undefined, false],
  ['the number 0', 0, false],
  ['the number -0', -0, false],
  ['the number 0.5', 0.5, true],
  ['the empty string', '', false],
  ['the string "0" (ints arrive as strings; compare with 0 for Go\'s int rule)', '0', true],
  ['the string "false"', 'false', true],
  ['an empty list', [], false],
  ['a list holding a false value', [false], true],
  ['an empty map', {}, false],
  ['a map with a key', { a: '' }, true],
];

describe('not, and, or: Go truth', () => {
  it.each(GO_TRUTH)('%s is %s', (_what, value, truth) => {
    expect(call('not', value)).toBe(!truth);
    expect(call('and', value, 'next')).toBe(truth ? 'next' : value);
    expect(call('or', value, 'next')).toBe(truth ? value : 'next');
  });

  it('and gives the first false argument, else the last; or the first true one, else the last', () => {
    expect(call('and', 'a', 'b', 'c')).toBe('c');
    expect(call('and', 'a', '', 'c')).toBe('');
    expect(call('and', 'a', null, 'c')).toBe(null);
    expect(call('or', '', 'b', 'c')).toBe('b');
    expect(call('or', '', [], {})).toEqual({});
  });

  it('refuses calls Go refuses, naming the helper', () => {
    expect(() => call('and')).toThrow(/^and: expected at least one argument/);
    expect(() => call('or')).toThrow(/^or: /);
    expect(() => call('not', 'a', 'b')).toThrow(/^not: expected 1 argument, got 2/);
  });

  it('decides Handlebars blocks: {{#if (not (not x))}} is Go\'s if', () => {
    expect(renderText('{{#if (not (not (parseJSON "{}")))}}y{{else}}n{{/if}}|{{#if (not (not "0"))}}y{{else}}n{{/if}}')).toBe('n|y');
    expect(renderText('{{#if (and "a" (or "" "b"))}}yes{{/if}}')).toBe('yes');
  });
});

describe('eq, ne, gt, lt, ge, le', () => {
  it('eq compares its first argument with each of the others, as Go\'s eq does', () => {
    expect(call('eq', 'a', 'b', 'c', 'a')).toBe(true);
    expect(call('eq', 'a', 'b')).toBe(false);
    expect(call('eq', '80', 80)).toBe(true);
    expect(() => call('eq', 'a')).toThrow(/^eq: expected at least 2 arguments/);
    expect(call('ne', 'a', 'b')).toBe(true);
    expect(() => call('ne', 'a', 'b', 'c')).toThrow(/^ne: /);
  });

  it.each([
    ['10', '9', 1],
    ['9', '10', -1],
    ['-5', '3', -1],
    ['9223372036854775807', '9223372036854775806', 1],
    ['2.5', '10', -1],
    ['b', 'a', 1],
    ['a', 'a', 0],
    ['Z', 'a', -1],
    ['\uffff', '😀', -1],
  ] as const)('orders %s against %s as %i (numbers as numbers, strings by UTF-8 bytes)', (a, b, sign) => {
    expect(call('gt', a, b)).toBe(sign > 0);
    expect(call('lt', a, b)).toBe(sign < 0);
    expect(call('ge', a, b)).toBe(sign >= 0);
    expect(call('le', a, b)).toBe(sign <= 0);
  });

  it('needs exactly two arguments', () => {
    expect(() => call('ge', '1')).toThrow(/^ge: expected 2 arguments, got 1/);
  });
});

describe('contains, in, containsAll, containsAny, containsNone, containsNotAll', () => {
  it('finds an element of a list (as text: 80 is "80") or a part of a string', () => {
    expect(call('contains', ['a', 'b'], 'a')).toBe(true);
    expect(call('contains', ['80'], 80)).toBe(true);
    expect(call('in', ['a', 'b'], 'c')).toBe(false);
    expect(call('in', 'nginx-prod', 'prod')).toBe(true);
    expect(call('in', 'a5', 5)).toBe(false);
    expect(call('in', { a: 1 }, 'a')).toBe(false);
    expect(call('in', null, 'a')).toBe(false);
  });

  it.each([
    // needles, haystack, all, any, none, notAll (consul-template's documentation)
    [['a', 'b'], ['a', 'b', 'c'], true, true, false, false],
    [['a', 'z'], ['a', 'b', 'c'], false, true, false, true],
    [['y', 'z'], ['a', 'b'], false, false, true, true],
    [[], ['a'], true, false, true, false],
    [['ca', 'x'], 'cat', false, true, false, true],
  ] as const)('needles %j in %j', (needles, haystack, all, any, none, notAll) => {
    expect(call('containsAll', needles, haystack)).toBe(all);
    expect(call('containsAny', needles, haystack)).toBe(any);
    expect(call('containsNone', needles, haystack)).toBe(none);
    expect(call('containsNotAll', needles, haystack)).toBe(notAll);
  });

  it('wants a list of needles first (consul-template\'s order)', () => {
    expect(() => call('containsAll', 'a', ['a'])).toThrow(/^containsAll: expected a list of values to look for as argument 1/);
    expect(() => call('containsAny', ['a'])).toThrow(/^containsAny: expected 2 arguments/);
  });
});
