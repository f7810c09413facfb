import { describe, expect, it } from 'vitest';
import { stringHelpers } from '../../../../src/template/helpers/strings.js';
import { caller, renderText } from './call.js';

const call = caller(stringHelpers);

/** Each with what consul-template v0.42.1 printed for the same call (see golden/). */
const CALLS: readonly (readonly [string, readonly unknown[], unknown])[] = [
  ['split', [',', ' a,b ,c \n'], ['a', 'b ', 'c']],
  ['split', [',', ''], []],
  ['split', ['', 'ab😀'], ['a', 'b', '😀']],
  ['replaceAll', ['.', '-', 'a.b.c'], 'a-b-c'],
  ['replaceAll', ['', '-', 'ab'], '-a-b-'],
  ['trimSpace', ['\ufeffx\u0085 '], '\ufeffx'],
  ['trim', ['xy', 'xxayxbyy'], 'ayxb'],
  ['trimPrefix', ['v', 'v1.2'], '1.2'],
  ['trimSuffix', ['.conf', 'a.conf'], 'a'],
  ['trimSuffix', ['', 'a'], 'a'],
  ['indent', ['2', 'a\n\nb\n'], '  a\n\n  b\n'],
  ['indent', [4, ''], ''],
  ['toTitle', ['hello world'], 'Hello World'],
  ['toTitle', ["o'neil it's"], "O'neil It's"],
  ['toTitle', ['foo-bar baz_qux'], 'Foo-Bar Baz_qux'],
  ['toTitle', ['3am a1.b2'], '3Am A1.b2'],
  ['toTitle', ['ǆungla ßtraße'], 'ǅungla Sstraße'],
  ['toUpper', ['straße ﬁ ᾳ'], 'STRAßE ﬁ ᾼ'],
  ['toLower', ['İSTANBUL ΣΑΣ'], 'istanbul σασ'],
  ['regexReplaceAll', ['^v([0-9]+)\\.([0-9]+)$', 'major=$1 minor=${2}', 'v1.20'], 'major=1 minor=20'],
  ['regexReplaceAll', ['(?P<host>[a-z]+):(?P<port>\\d+)', '${port}@$host', 'web:80'], '80@web'],
  ['regexReplaceAll', ['a*', '-', 'baaac'], '-b-c-'],
  ['regexReplaceAll', ['[[:space:]]+', ' ', 'a \t\n b'], 'a b'],
  ['regexReplaceAll', ['(?i)WEB', 'api', 'Web-web'], 'api-api'],
  ['regexReplaceAll', ['x(?i:y)z', '!', 'xYz xyZ'], '! xyZ'],
  ['regexReplaceAll', ['(?U)<.+>', '[]', '<a><b>'], '[][]'],
  ['regexReplaceAll', ['\\Q1.5\\E', 'x', '1.5 105'], 'x 105'],
  ['regexReplaceAll', ['(?m)^', '# ', 'a\nb'], '# a\n# b'],
  ['regexMatch', ['^\\s$', '\u000b'], false],
  ['regexMatch', ['^.$', '\r'], true],
  ['regexMatch', ['^\\p{Greek}+$', 'λόγος'], true],
  ['regexMatch', ['^\\pL\\PL$', 'a1'], true],
  ['regexMatch', ['\\Aa\\z', 'a\n'], false],
  ['regexMatch', ['^a$', 'a\n'], false],
  ['regexMatch', ['(?s)^a.b$', 'a\nb'], true],
  ['regexMatch', ['^\\101\\x42\\x{43}$', 'ABC'], true],
  ['regexMatch', ['^[]a]+$', ']a'], true],
  ['regexMatch', ['^a{,2}$', 'a{,2}'], true],
];

describe('string helpers, in consul-template\'s argument order (the string last)', () => {
  it.each(CALLS)('%s %j', (name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  it('join keeps ctmpl\'s order (list first), with "," by default', () => {
    expect(call('join', ['a', 'b'], '-')).toBe('a-b');
    expect(call('join', ['a', 'b'])).toBe('a,b');
    expect(renderText('{{join (split " " "x y") "+"}}')).toBe('x+y');
    expect(() => call('join', 'a', ',')).toThrow('join: expected a list as argument 1');
    expect(() => call('join', [{}], ',')).toThrow('join: expected a list of strings');
  });

  it('sort orders a list of strings by their UTF-8 bytes (sprig\'s sortAlpha)', () => {
    expect(call('sort', ['b', 'a', 'B', 'é', '10', '9', '_'])).toEqual(['10', '9', 'B', '_', 'a', 'b', 'é']);
    expect(call('sort', null)).toEqual([]);
    expect(() => call('sort', 'abc')).toThrow('sort: expected a list, got "abc"');
  });

  it('reads a piped Go call in Handlebars order: (trimPrefix "v" Version)', () => {
    expect(renderText('{{trimPrefix "v" "v2.1"}}|{{toUpper (replaceAll "-" "_" "a-b")}}|{{#each (split "," "x,y")}}[{{this}}]{{/each}}')).toBe('2.1|A_B|[x][y]');
  });

  it('refuses wrong argument counts and types, naming the helper', () => {
    expect(() => call('split', ',')).toThrow(/^split: expected 2 argument\(s\) \(a separator, a string\), got 1/);
    expect(() => call('trimSpace', ['a'])).toThrow('trimSpace: expected a string as argument 1, got a list');
    expect(() => call('replaceAll', 'a', 'b', {})).toThrow('replaceAll: expected a string as argument 3, got a map');
    expect(() => call('indent', -1, 'x')).toThrow('indent: the number of spaces must not be negative');
    expect(() => call('indent', 'two', 'x')).toThrow('indent: expected a number of spaces as argument 1, got "two"');
    expect(() => call('indent', 100_000, 'x')).toThrow(/^indent: 100000 spaces is more than ctmpl allows/);
  });

  it('treats a missing value as an empty string, as Go\'s zero value', () => {
    expect(call('trimSpace', undefined)).toBe('');
    expect(call('toUpper', null)).toBe('');
  });
});

describe('regular expressions: Go\'s syntax, refused when JavaScript cannot follow', () => {
  it.each([
    ['(\\d+)\\1', /^regexMatch: cannot use the regular expression .*: invalid escape \\1 \(Go has no backreferences\)$/],
    ['(?=a)', /lookahead and lookbehind are not in Go's syntax/],
    ['\\C', /\\C \(any byte\) has no JavaScript equivalent/],
    ['x{1001}', /invalid repeat count \{1001\} \(Go allows at most 1000\)/],
    ['(?P<1a>x)', /group name "1a" must start with a letter or _/],
    ['a(?i)[é-ü]', /a \(\?i\) that is not at the start of the pattern cannot apply to a range beyond ASCII/],
    ['(?i)a(?-i)b', /\(\?-i\) after a leading \(\?i\) has no JavaScript equivalent/],
    ['[', /missing closing \]/],
    ['a)', /unexpected \)/],
    ['[\\b]', /\\b is not allowed inside a character class/],
  ])('%s', (pattern, message) => {
    expect(() => call('regexMatch', pattern, 'x')).toThrow(message);
  });
});
