/**
 * The inputs the helpers are checked on against consul-template itself. generate.ts runs each
 * through consul-template v0.42.1 (oracle.go) and stores the answers in consul-template.json;
 * consul-template.test.ts runs the same inputs through ctmpl's helpers.
 *
 * - call: one helper call. Go gets `{{ helper args }}` (the helper's Go name), ctmpl gets the call
 *   with the arguments as templates hand them over (ints and floats as decimal strings), in
 *   ctmplOrder when ctmpl's order differs (contains).
 * - pair: a Go template and the Handlebars template that should print the same.
 * - time: Go's time.Format of a UTC instant (what `timestamp LAYOUT` prints).
 */
import fc from 'fast-check';

export type Arg =
  | { readonly s: string }
  | { readonly i: string }
  | { readonly f: string }
  | { readonly b: boolean }
  | { readonly j: string }
  | { readonly nil: true };

export type Case =
  | { readonly kind: 'call'; readonly helper: string; readonly args: readonly Arg[]; readonly goName?: string; readonly ctmplOrder?: readonly number[] }
  | { readonly kind: 'pair'; readonly go: string; readonly hbs: string }
  | { readonly kind: 'time'; readonly unixMilli: number; readonly layout: string };

const s = (v: string): Arg => ({ s: v });
const i = (v: number | string): Arg => ({ i: String(v) });
const f = (v: string): Arg => ({ f: v });
const b = (v: boolean): Arg => ({ b: v });
const j = (v: unknown): Arg => ({ j: JSON.stringify(v) });
const nil: Arg = { nil: true };
const call = (helper: string, ...args: Arg[]): Case => ({ kind: 'call', helper, args });
const pair = (go: string, hbs: string): Case => ({ kind: 'pair', go, hbs });

/** A Go template literal for an argument, and the value ctmpl's helper receives. */
export function goArg(a: Arg): string {
  if ('s' in a) return JSON.stringify(a.s);
  if ('i' in a) return a.i;
  if ('f' in a) return a.f;
  if ('b' in a) return String(a.b);
  if ('j' in a) return `(parseJSON ${JSON.stringify(a.j)})`;
  return 'nil';
}

export function ctmplArg(a: Arg): unknown {
  if ('s' in a) return a.s;
  if ('i' in a) return a.i;
  if ('f' in a) return a.f;
  if ('b' in a) return a.b;
  if ('j' in a) return JSON.parse(a.j) as unknown;
  return null;
}

/** The Go template a call case renders. */
export function goTemplate(c: Extract<Case, { kind: 'call' }>): string {
  return `{{ ${[c.goName ?? c.helper, ...c.args.map(goArg)].join(' ')} }}`;
}

const HAND_WRITTEN: readonly Case[] = [
  // Go truth and logic
  ...[nil, b(false), b(true), i(0), i(1), f('0.0'), s(''), s('0'), s('false'), j([]), j([0]), j({}), j({ a: 1 }), j(null), j(0), j(''), j('x')].flatMap((x) => [call('not', x), call('and', x, s('next')), call('or', x, s('next'))]),
  call('and', s('a'), s('b'), s('c')), call('and', s('a'), s(''), s('c')), call('or', s(''), s(''), s('')), call('or', s(''), s('b'), s('c')),
  // ordering of ints and of strings that are not numbers
  ...[[i(1), i(2)], [i(2), i(2)], [i(-3), i(2)], [s('a'), s('b')], [s('b'), s('a')], [s('é'), s('z')], [s('\uffff'), s('😀')]].flatMap(([x, y]) => ['ge', 'le', 'gt', 'lt'].map((h) => call(h, x as Arg, y as Arg))),
  // membership
  call('in', j(['a', 'b']), s('a')), call('in', j(['a', 'b']), s('c')), call('in', s('nginx-prod'), s('prod')), call('in', s('abc'), s('')), call('in', j([]), s('a')),
  { kind: 'call', helper: 'contains', args: [s('a'), j(['a', 'b'])], ctmplOrder: [1, 0] },
  { kind: 'call', helper: 'contains', args: [s('x'), s('xyz')], ctmplOrder: [1, 0] },
  ...['containsAll', 'containsAny', 'containsNone', 'containsNotAll'].flatMap((h) => [
    call(h, j(['a', 'b']), j(['a', 'b', 'c'])), call(h, j(['a', 'z']), j(['a', 'b', 'c'])), call(h, j(['y', 'z']), j(['a', 'b'])), call(h, j([]), j(['a'])), call(h, j(['a']), s('cat')),
  ]),
  // arithmetic (consul-template's order: the second argument is the left operand)
  ...['add', 'subtract', 'multiply', 'divide', 'modulo', 'minimum', 'maximum'].flatMap((h) => [
    call(h, i(2), i(5)), call(h, i(5), i(2)), call(h, i(-3), i(7)), call(h, i(3), i(-7)), call(h, f('2.0'), i(5)), call(h, i(2), f('5.5')), call(h, f('0.1'), f('0.2')), call(h, i(0), i(5)), call(h, f('0.0'), i(1)), call(h, f('1000.0'), i(1000)), call(h, i('9223372036854775807'), i(1)),
  ]),
  // parsing
  ...['', '0', '42', '+7', '-0', '007', '9223372036854775807', '9223372036854775808', '-9223372036854775808', '1_000', ' 5', '0x10', '1e3', 'abc'].map((t) => call('parseInt', s(t))),
  ...['', '0', '42', '+7', '18446744073709551615', '18446744073709551616', '-1'].map((t) => call('parseUint', s(t))),
  ...['', '1.5', '1e6', '1e21', '1e-5', '0.0001', '100000', '1_000.5', '0x1p-2', '0x10', 'inf', '-Infinity', 'nan', '.5', '5.', '1e', '1e400', '1e-400', '-0', ' 1', '123456789.123456789'].map((t) => call('parseFloat', s(t))),
  ...['', '1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False', 'yes', 'tRUE'].map((t) => call('parseBool', s(t))),
  ...['', '{}', '[1,"a",null,true]', '{"b":1,"a":{"d":[],"c":{}}}', '"x"', '5', 'null', '{"x":1e400}', '[1', '"\\ud800"'].map((t) => ({ kind: 'call', helper: 'toJSON', args: [{ j: t }] }) as Case),
  // strings
  call('split', s(','), s('a,b,c')), call('split', s(','), s('')), call('split', s(','), s('  a, b ,c \n')), call('split', s(''), s('ab😀')), call('split', s(', '), s('a, b')), call('split', s('x'), s('axbxx')),
  call('replaceAll', s('.'), s('-'), s('a.b.c')), call('replaceAll', s(''), s('-'), s('ab😀')), call('replaceAll', s(''), s('-'), s('')), call('replaceAll', s('aa'), s('b'), s('aaaaa')),
  call('trimSpace', s(' \t\n x y \u00a0\u0085\u2003')), call('trimSpace', s('\ufeffx\ufeff')), call('trimSpace', s('')),
  call('trim', s('xy'), s('xxayxbyy')), call('trim', s(''), s(' a ')), call('trim', s('é'), s('éaé')),
  call('trimPrefix', s('v'), s('v1.2')), call('trimPrefix', s('x'), s('v1.2')), call('trimPrefix', s(''), s('v')),
  call('trimSuffix', s('.conf'), s('a.conf')), call('trimSuffix', s(''), s('a')), call('trimSuffix', s('a'), s('a')),
  call('indent', i(4), s('a\nb')), call('indent', i(2), s('a\n\nb\n')), call('indent', i(0), s('x')), call('indent', i(3), s('')), call('indent', i(2), s('\n\n')), call('indent', i(-1), s('x')), call('indent', i(2), s('a\r\nb')),
  // regular expressions (Go's RE2 syntax)
  ...[
    ['^web-[0-9]+$', 'web-12'], ['(?i)^WEB', 'web'], ['\\s', 'a\u000bb'], ['\\s', 'a\u00a0b'], ['a.c', 'a\rc'], ['a.c', 'a\nc'], ['(?s)a.c', 'a\nc'], ['(?m)^b$', 'a\nb\nc'], ['(?m)^b$', 'a\rb\rc'],
    ['\\Aab\\z', 'ab'], ['[[:alpha:]]+', '123'], ['[[:^digit:]]', '123'], ['\\pL', 'é'], ['\\p{Greek}', 'λ'], ['\\PL', 'é'], ['\\Qa.b\\E', 'axb'], ['\\Qa.b\\E', 'a.b'], ['x{2,3}', 'xx'], ['a{', 'a{'], ['a{,2}', 'a{,2}'],
    ['\\x41', 'A'], ['\\x{1F600}', '😀'], ['\\101', 'A'], ['[]a]', ']'], ['[^]a]', 'b'], ['a\\-b', 'a-b'], ['(\\d+)\\1', '11'], ['(?=a)', 'a'], ['(?U)a+', 'aa'], ['(?i:a)b', 'AB'], ['(?i:a)b', 'Ab'], ['a(?i)b', 'aB'], ['a(?i)[b-c]', 'aC'], ['a(?i:k)', 'a\u212a'], ['(?i)straße', 'STRASSE'], ['(?i)ǅ', 'ǆ'], ['[', 'x'], ['x{1001}', 'x'], ['\\8', '8'], ['(?P<n>a)', 'a'], ['^(?:x|y)z', 'yz'], ['(?:a)(?-s:.)', 'a\n'], ['(?)', 'a'], ['\\b', 'a b'], ['[\\b]', 'a'], ['\\C', 'a'],
  ].map(([re, text]) => call('regexMatch', s(re as string), s(text as string))),
  ...[
    ['a*', '-', 'baaac'], ['x*', '-', 'abc'], ['(\\w+)@(\\w+)', '$2 at $1', 'me@host'], ['(\\w+)', '${1}x', 'ab'], ['(\\w+)', '$1x', 'ab'], ['(?P<user>\\w+)@', '${user}!', 'me@h'], ['(?P<user>\\w+)@', '$user!', 'me@h'],
    ['a', '$$', 'aba'], ['a', '$', 'aba'], ['a', '${', 'aba'], ['(a)', '$2', 'aba'], ['', '-', 'ab😀'], ['\\d+', '#', 'a1b22c333'], ['(?m)^', '> ', 'a\nb'], ['(?m)$', ';', 'a\nb'], ['\\b', '|', 'ab cd'],
    ['(a)|b', '[$1]', 'ab'], ['é', 'e', 'héé'], ['[a-c]+', '', 'xabcx'], ['(?U)a+', '-', 'aaa'], ['(?U)a+?', '-', 'aaa'], ['(?U)a{1,3}', '-', 'aaaa'], ['a+?', '-', 'aaa'], ['(?i:A)b', '-', 'abAbaB'],
  ].map(([re, repl, text]) => call('regexReplaceAll', s(re as string), s(repl as string), s(text as string))),
  // case
  ...['hello world', 'foo-bar baz_qux', "it's o'neil", 'a.b.c d.e', 'x:y', '3am 3rd', 'élan ßtraße ﬁsh ǆungla', 'hello\tworld\nnew', 'ALREADY Up', '«quoted» (paren) [br]', 'don’t', 'a·b', 'x/y\\z', 'ŉ', 'ǰx', 'ᾳ ᾀ', 'ΣΑΣ', 'İ', 'ﬀ ﬆ', '1,000.5a', 'a1.b2', 'a..b', "'a' .b", ''].flatMap((t) => [call('toTitle', s(t)), call('toUpper', s(t)), call('toLower', s(t))]),
  // encoding
  ...['', 'hello', 'é😀', '\u0000\u00ff', '>>>???'].flatMap((t) => [call('base64Encode', s(t)), call('base64URLEncode', s(t)), call('sha256Hex', s(t)), call('md5sum', s(t)), call('hmacSHA256Hex', s(t), s('key'))]),
  ...['aGVsbG8=', 'aGVsbG8', 'aGVs\nbG8=', 'aGVs bG8=', 'Pj4+Pz8/', 'Pj4-Pz8_', '', '====', 'YQ==', 'YQ=', 'YR==', 'w6nwn5iA'].flatMap((t) => [call('base64Decode', s(t)), call('base64URLDecode', s(t))]),
  // index and loop
  call('index', j(['a', 'b']), i(1)), call('index', j(['a', 'b']), i(2)), call('index', j(['a', 'b']), i(-1)), call('index', j({ a: { b: 'c' } }), s('a'), s('b')), call('index', j({ a: 1 }), s('z')), call('index', s('abc'), i(1)), call('index', j([['x', 'y']]), i(0), i(1)),
  pair('{{ range loop 3 }}{{ . }},{{ end }}', '{{#each (loop 3) as |n|}}{{n}},{{/each}}'),
  pair('{{ range loop 2 5 }}{{ . }},{{ end }}', '{{#each (loop 2 5) as |n|}}{{n}},{{/each}}'),
  pair('{{ range loop 5 2 }}{{ . }},{{ end }}', '{{#each (loop 5 2) as |n|}}{{n}},{{/each}}'),
  pair('{{ range loop "3" }}{{ . }},{{ end }}', '{{#each (loop "3") as |n|}}{{n}},{{/each}}'),
  pair('{{ range $k, $v := parseJSON `{"b":1,"a":2,"B":3,"é":4,"10":5,"9":6}` }}{{ $k }}={{ $v }};{{ end }}', '{{#each (entries (parseJSON "{\\"b\\":1,\\"a\\":2,\\"B\\":3,\\"é\\":4,\\"10\\":5,\\"9\\":6}")) as |e|}}{{e.Key}}={{printf "%v" e.Value}};{{/each}}'),
  pair('{{ range $i, $v := split "," "x,y" }}{{ $i }}={{ $v }};{{ end }}', '{{#each (entries (split "," "x,y")) as |e|}}{{e.Key}}={{e.Value}};{{/each}}'),
  // join in each language's order
  pair('{{ join "," (split " " "b a c") }}|{{ split " " "b a" | join "-" }}', '{{join (split " " "b a c") ","}}|{{join (split " " "b a") "-"}}'),
  pair('{{ sprig_sortAlpha (split " " "b a B é 10 9 _") }}', '{{printf "%v" (sort (split " " "b a B é 10 9 _"))}}'),
  // scratch
  pair('{{ scratch.Set "a" "1" }}{{ scratch.Key "a" }}{{ scratch.Key "b" }}{{ scratch.Get "a" }}{{ scratch.SetX "a" "2" }}{{ scratch.Get "a" }}{{ scratch.Set "a" "3" }}{{ scratch.Get "a" }}', '{{scratchSet "a" "1"}}{{scratchKey "a"}}{{scratchKey "b"}}{{scratchGet "a"}}{{scratchSetX "a" "2"}}{{scratchGet "a"}}{{scratchSet "a" "3"}}{{scratchGet "a"}}'),
  pair('{{ scratch.MapSet "m" "b" "2" }}{{ scratch.MapSet "m" "a" "1" }}{{ scratch.MapSetX "m" "a" "x" }}{{ scratch.MapSetX "m" "c" "3" }}{{ scratch.MapValues "m" }}{{ scratch.MapValues "none" }}', '{{scratchMapSet "m" "b" "2"}}{{scratchMapSet "m" "a" "1"}}{{scratchMapSetX "m" "a" "x"}}{{scratchMapSetX "m" "c" "3"}}{{printf "%v" (scratchMapValues "m")}}{{printf "%v" (scratchMapValues "none")}}'),
  pair('{{ scratch.Set "s" "x" }}{{ scratch.MapSet "s" "a" "1" }}', '{{scratchSet "s" "x"}}{{scratchMapSet "s" "a" "1"}}'),
  pair('{{ scratch.Set "j" (parseJSON `{"z":1}`) }}{{ scratch.MapSet "j" "a" "2" }}{{ scratch.MapValues "j" }}', '{{scratchSet "j" (parseJSON "{\\"z\\":1}")}}{{scratchMapSet "j" "a" "2"}}{{printf "%v" (scratchMapValues "j")}}'),
  pair('{{ scratch.Key "n" }}{{ scratch.Set "n" nil }}{{ scratch.Key "n" }}', '{{scratchKey "n"}}{{scratchSet "n" null}}{{scratchKey "n"}}'),
];

// ---------------------------------------------------------------------------------------------
// printf: every verb with every flag set, width and precision, on each kind of value.

const PRINTF_VALUES: readonly Arg[] = [
  s('ab'), s(''), s('é😀'), s('a"b\\c\n\t\u0007\u007f\u00a0\u2028\ufeff'), s('a`b'), i(0), i(42), i(-42), i(255), i('9223372036854775807'),
  f('0.0'), f('3.14159'), f('-2.5'), f('0.5'), f('1.5'), f('2.5'), f('0.125'), f('1e21'), f('1e-7'), f('123456.0'), f('1234567.0'), f('100000000000000000000.0'),
  b(true), nil, j(['a', 1.5, null, { b: null, a: [1] }]), j({ z: 1, a: 'x' }), j(1e6), j(-0.0), j([]),
];
const PRINTF_SPECS = ['%v', '%s', '%q', '%d', '%x', '%X', '%f', '%t', '%5v', '%-5v|', '%05v', '%.2v', '%8.3f', '%-8.2f|', '%+.1f', '% .1f', '%08.3f', '%+d', '% d', '%05d', '%-05d|', '%.3d', '%5.0d', '%#x', '%#08x', '% x', '%# x', '%.1x', '%6x', '%5.1s', '%.0s', '%05s', '%-05s|', '%#q', '%+q', '%05q', '%6t', '%.0f', '%.2f', '%f'];

function printfCases(): Case[] {
  const cases: Case[] = [];
  for (const spec of PRINTF_SPECS) for (const v of PRINTF_VALUES) cases.push(call('printf', s(spec), v));
  cases.push(call('printf', s('%d %s'), i(1)), call('printf', s('100%% %5%|%')), call('printf', s('%-8s|%5d|'), s('web-1'), i(8080)), call('printf', s('%s'), s('a'), s('b')), call('printf', s('%z'), i(1)), call('printf', s('%[1]d'), i(1)), call('printf', s('%*d'), i(5), i(1)));
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Sampled inputs (fixed seeds, so generate.ts gives the same list every time).

const SPECIAL_CHARS = ['', ' ', '  ', '\n', '\r', '\t', '#', ':', '-', '?', "'", '"', '\\', '|', '>', '&', '*', '!', '%', '@', '`', ',', '[', ']', '{', '}', 'é', '😀', '\u2028', '\u0085', '\u00a0', '\ufeff', '\u0001', 'yes', 'no', 'on', 'off', 'y', 'n', 'true', 'null', '~', '0', '1.5', '0x1f', '0o17', '012', '1e3', '.5', '+1', '1:30', '2001-02-03', '2001-02-03T04:05:06Z', '<<', '.inf', 'NaN', '---', '...', 'x'.repeat(60), 'word '.repeat(20)];
const textArb = fc.array(fc.oneof(fc.constantFrom(...SPECIAL_CHARS), fc.string({ maxLength: 6 })), { maxLength: 6 }).map((parts) => parts.join(''));
const keyArb = fc.oneof(fc.constantFrom('a', 'b', 'B', 'a2', 'a10', 'a02', '10', '9', '_', 'é', '', 'x y', 'key: v', 'yes', '1.5'), fc.string({ maxLength: 4 }));
const jsonArb = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, textArb, fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean(), fc.constant(null), tie('list'), tie('map')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  map: fc.dictionary(keyArb, tie('value'), { maxKeys: 5 }),
})).value;

function sampled(): Case[] {
  const cases: Case[] = [];
  for (const v of fc.sample(jsonArb, { seed: 7, numRuns: 300 })) {
    cases.push(call('toYAML', j(v)), call('toJSON', j(v)));
  }
  for (const v of fc.sample(fc.dictionary(keyArb, textArb, { maxKeys: 6 }), { seed: 8, numRuns: 100 })) cases.push(call('toJSONPretty', j(v)), call('toUnescapedJSON', j(v)));
  for (const t of fc.sample(textArb, { seed: 9, numRuns: 200 })) cases.push(call('toYAML', s(t)), call('toTitle', s(t)), call('trimSpace', s(t)), call('printf', s('%q|%+q|%#q|%x'), s(t), s(t), s(t), s(t)));
  for (const [x, y] of fc.sample(fc.tuple(fc.integer(), fc.integer({ min: -50, max: 50 })), { seed: 10, numRuns: 60 })) {
    for (const h of ['subtract', 'multiply', 'divide', 'modulo']) cases.push(call(h, i(y), i(x)));
  }
  for (const [x, y] of fc.sample(fc.tuple(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })), { seed: 11, numRuns: 60 })) {
    const lit = (n: number): string => (Object.is(n, -0) ? '-0.0' : n.toExponential());
    for (const h of ['add', 'subtract', 'multiply', 'divide']) cases.push(call(h, f(lit(y)), f(lit(x))));
    cases.push(call('printf', s('%v|%.3f|%f|%.0f|%10.4v'), f(lit(x)), f(lit(x)), f(lit(x)), f(lit(x)), f(lit(x))));
  }
  for (const t of fc.sample(fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789+-._eExXpPinfaINFA '.split('')), maxLength: 8 })), { seed: 12, numRuns: 150 })) cases.push(call('parseFloat', s(t)), call('parseInt', s(t)));
  const unicode = fc.string({ unit: fc.oneof(fc.constantFrom('ß', 'ǅ', 'İ', 'ı', 'ſ', 'K', 'Σ', 'ς', 'ᾳ', 'ŉ', 'ﬁ', 'ǰ', ' ', '-', "'", '.', '_', '1'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 8 });
  for (const t of fc.sample(unicode, { seed: 13, numRuns: 150 })) cases.push(call('toUpper', s(t)), call('toLower', s(t)), call('toTitle', s(t)));
  const lines = fc.array(fc.constantFrom('', ' ', 'a', ' b', 'c ', '\t', '\r'), { maxLength: 5 }).map((xs) => xs.join('\n'));
  for (const [n, t] of fc.sample(fc.tuple(fc.integer({ min: 0, max: 4 }), lines), { seed: 14, numRuns: 60 })) cases.push(call('indent', i(n), s(t)), call('split', s('\n'), s(t)), call('replaceAll', s('\n'), s('|'), s(t)));
  const PATTERNS = ['a+', 'a*?', '^a', 'a$', '(?m)^a', '(?m)a$', '(?s).', '.', '\\s+', '\\S', '\\w+', '\\W', '\\d', '\\b', '\\B', '[^a]', '[[:space:]]+', '(?i)a', 'x(?i:a)', '(a|ab)(c|bcd)', '(?U)a+b?', 'a{2}', '\\pL+', '\\p{Lu}', '[\\d\\s]', '[^\\S\\n]', '(?P<x>a)(?P<y>b)?', 'é|e', '\\x{e9}', '\\Q.*\\E', '(?:ab)+c?', '(?i)(?:é|e)', '[^\\x00-\\x{10FFFF}]', '(?s:.)+?'];
  const TEXTS = ['', 'a', 'aaa', 'ab\nab', 'A a\tb\u000b', 'x\r\na', 'abcd', 'É é e', 'ΑΒγ', '😀a😀', '.*'];
  for (const re of PATTERNS) for (const t of TEXTS) cases.push(call('regexMatch', s(re), s(t)), call('regexReplaceAll', s(re), s('<$0|$1|${x}>'), s(t)));
  for (const spec of ['%#v', '%#.3v', '%#f', '%#.0f', '%#x', '%#X', '%.2x', '%#.1X', '%+x', '% .0x', '%08.3x', '%-12x|']) {
    for (const v of [j(1.5), j(0), j(-1e6), j(1e-320), j([0.1, 2]), j(255)]) cases.push(call('printf', s(spec), v));
  }
  const nested = fc.dictionary(keyArb, fc.oneof(textArb, fc.array(textArb, { maxLength: 3 }), fc.dictionary(keyArb, fc.oneof(textArb, fc.array(textArb, { maxLength: 2 })), { maxKeys: 3 })), { maxKeys: 4 });
  for (const v of fc.sample(nested, { seed: 15, numRuns: 150 })) cases.push(call('toYAML', j(v)), call('toJSONPretty', j(v)));
  for (const v of fc.sample(fc.array(fc.oneof(textArb, fc.array(fc.oneof(textArb, fc.array(textArb, { maxLength: 2 })), { maxLength: 3 })), { maxLength: 4 }), { seed: 16, numRuns: 80 })) cases.push(call('toYAML', j(v)));
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Go time layouts (timestamp "LAYOUT"), at instants that exercise padding, AM/PM and fractions.

const LAYOUTS = ['2006-01-02T15:04:05Z07:00', '2006-01-02', '15:04:05', 'Jan _2 15:04:05', 'Monday, 02-Jan-06 15:04:05 MST', 'Mon Jan 2 03:04:05 PM -0700 2006', '3:4:5 pm', '2006-01-02 15:04:05.000', '15:04:05.999999', '05,000', '.99', 'January 2, 2006', '002 __2 _2', '1/2/06', 'Z07 Z0700 Z07:00 -07 -0700 -07:00 -070000 -07:00:00 Z070000 Z07:00:00', 'Month Mond Janx _2006 __2006', 'unix-like 2006.01'];
const INSTANTS = [Date.UTC(2006, 0, 2, 15, 4, 5, 999), Date.UTC(1999, 11, 31, 0, 0, 0, 0), Date.UTC(2024, 1, 29, 12, 30, 9, 70), Date.UTC(2023, 6, 4, 9, 7, 0, 500), Date.UTC(2000, 9, 10, 23, 59, 59, 1)];

export function allCases(): Case[] {
  const time: Case[] = LAYOUTS.flatMap((layout) => INSTANTS.map((unixMilli) => ({ kind: 'time', unixMilli, layout }) as Case));
  return [...HAND_WRITTEN, ...printfCases(), ...sampled(), ...time];
}

export const handWrittenCases = (): readonly Case[] => [...HAND_WRITTEN, ...printfCases()];
