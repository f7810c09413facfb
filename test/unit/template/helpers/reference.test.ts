/**
 * ctmpl's helpers and the migration's reference helpers (test/unit/migrate/support/
 * reference-helpers.ts, which the converted templates were validated with) give the same results
 * on the same generated inputs. The inputs are what converted templates pass (ints as decimal
 * strings, floats with a fraction, parseJSON values). Where the reference and consul-template
 * disagree, consul-template wins: those inputs are left out here and each is pinned down in
 * "where the reference differs", with consul-template's answer (also in golden/).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Helper } from '../../../../src/template/helpers/args.js';
import { collectionHelpers } from '../../../../src/template/helpers/collections.js';
import { encodingHelpers } from '../../../../src/template/helpers/encoding.js';
import { formatHelpers } from '../../../../src/template/helpers/format.js';
import { formatGoFloat } from '../../../../src/template/helpers/go-number.js';
import { logicHelpers } from '../../../../src/template/helpers/logic.js';
import { mathHelpers } from '../../../../src/template/helpers/math.js';
import { scratchHelpers } from '../../../../src/template/helpers/scratch.js';
import { stringHelpers } from '../../../../src/template/helpers/strings.js';
import { referenceHelpers } from '../../migrate/support/reference-helpers.js';

const MINE: Record<string, Helper> = { ...stringHelpers, ...logicHelpers, ...mathHelpers, ...formatHelpers, ...encodingHelpers, ...collectionHelpers, ...scratchHelpers };

const options = (scratch = new Map<string, unknown>()) => ({ hash: {}, data: { scratch } });

/** A result as a template sees it: numbers (the reference gives some) as Go prints them. */
function seen(value: unknown): unknown {
  if (typeof value === 'number') return formatGoFloat(value);
  if (Array.isArray(value)) return value.map(seen);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, seen(v)]));
  return value;
}

type Outcome = { ok: unknown } | { threw: true };

function run(helper: Helper | undefined, args: readonly unknown[], scratch?: Map<string, unknown>): Outcome {
  if (!helper) throw new Error('no such helper');
  try {
    return { ok: seen(helper(...args, options(scratch))) };
  } catch {
    return { threw: true };
  }
}

/** Both give the same result, or both throw. */
function same(name: string, ...args: unknown[]): void {
  expect(run(MINE[name], args), `${name} ${JSON.stringify(args)}`).toEqual(run(referenceHelpers[name], args));
}

const RUNS = { numRuns: 300 };
const int = fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String);
const word = fc.string({ unit: fc.constantFrom(...'abcABC xyz-_.,:/é0123'.split('')), maxLength: 12 });
const leaf = fc.oneof(word, int, fc.boolean(), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }));
const value = fc.oneof(leaf, fc.array(leaf, { maxLength: 3 }), fc.dictionary(fc.string({ unit: fc.constantFrom('a', 'b', 'é', '_', 'Z'), minLength: 1, maxLength: 3 }), leaf, { maxKeys: 3 }));
/** A float as a converted template passes it: with a fraction, so it cannot read as an int. */
const fractional = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).filter((x) => !Number.isInteger(x)).map(formatGoFloat);

describe('the helpers agree with the reference helpers the converter was validated with', () => {
  it('and, or, not (Go truth)', () => {
    // The reference returns the last argument when the deciding one is null (its ?? skips it).
    const notNull = value.filter((v) => v !== null);
    fc.assert(fc.property(fc.array(notNull, { minLength: 1, maxLength: 4 }), fc.option(fc.constant(null), { nil: undefined }), (vs, last) => {
      same('and', ...vs, ...(last === undefined ? [] : [last]));
      same('or', ...vs, ...(last === undefined ? [] : [last]));
      same('not', vs[0]);
    }), RUNS);
  });

  it('ge, le', () => {
    fc.assert(fc.property(fc.oneof(int, word), fc.oneof(int, word), (a, b) => {
      same('ge', a, b);
      same('le', a, b);
    }), RUNS);
  });

  it('index, loop, entries', () => {
    fc.assert(fc.property(fc.array(word, { maxLength: 4 }), fc.integer({ min: -1, max: 5 }), fc.dictionary(word, word, { maxKeys: 4 }), word, (list, n, map, key) => {
      same('index', list, String(n));
      same('index', map, key);
      same('index', { a: list }, 'a', String(n));
      same('loop', String(n + 3));
      same('loop', String(n), String(n + 4));
      same('entries', list);
      same('entries', map);
    }), RUNS);
  });

  it('split, replaceAll, trimPrefix, trimSuffix, trimSpace, indent', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', ',', ' ', '\n', '\t', '-', 'é'), maxLength: 16 });
    fc.assert(fc.property(text, fc.string({ unit: fc.constantFrom('a', ',', ' ', '-'), minLength: 1, maxLength: 2 }), text, fc.integer({ min: 0, max: 6 }), (s, sep, repl, n) => {
      same('split', sep, s);
      same('replaceAll', sep, repl, s);
      same('trimPrefix', sep, s);
      same('trimSuffix', sep, s);
      same('trimSuffix', '', s);
      same('trimSpace', s);
      same('indent', String(n), s);
    }), RUNS);
  });

  it('toTitle on words', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', 'B', 'é', 'Σ', ' ', '\n', '-', '/'), maxLength: 16 }), (s) => same('toTitle', s)), RUNS);
  });

  it('regexMatch, regexReplaceAll on patterns that mean the same in Go and JavaScript', () => {
    // Patterns with two groups, so $1 and $2 exist (a missing group is "" in Go, "$2" in JavaScript).
    const patterns = ['^(web)-([0-9]+)$', '([a-z]+)-([0-9]+)', '(\\d+)(\\.)?', '(a)|(b)', '^(?:(x)|(y))', '([^a-c]+)(c)?', '(\\.)(x)?'];
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x', 'y', '-', '1', '2', '.', ' '), maxLength: 12 });
    fc.assert(fc.property(fc.constantFrom(...patterns), text, fc.constantFrom('$1', '${1}', '<${2}>', 'z', '$$'), (re, s, repl) => {
      same('regexMatch', re, s);
      same('regexReplaceAll', re, repl, s);
    }), RUNS);
  });

  it('parseInt, parseFloat, parseBool, parseJSON', () => {
    fc.assert(fc.property(fc.oneof(int, fc.constant('')), fc.oneof(fractional, int, fc.constant('')), fc.constantFrom('', '1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False', 'yes'), fc.json(), (i, f, b, json) => {
      same('parseInt', i);
      same('parseFloat', f);
      same('parseBool', b);
      same('parseJSON', json);
    }), RUNS);
  });

  it('subtract, multiply, divide, modulo on ints', () => {
    fc.assert(fc.property(int, int, (a, b) => {
      for (const h of ['subtract', 'multiply', 'divide', 'modulo']) same(h, b, a);
    }), RUNS);
  });

  it('subtract, multiply, divide on floats: the same number (printed as Go prints it in ctmpl)', () => {
    fc.assert(fc.property(fractional, fc.oneof(fractional, int), (a, b) => {
      for (const h of ['subtract', 'multiply', 'divide']) {
        const mine = run(MINE[h], [b, a]);
        const ref = run(referenceHelpers[h], [b, a]);
        const asNumber = (o: Outcome): number => ('ok' in o ? (o.ok === '+Inf' ? Infinity : o.ok === '-Inf' ? -Infinity : Number(o.ok)) : NaN);
        const [x, y] = [asNumber(mine), asNumber(ref)];
        // Equal numbers (the reference prints -0 as 0), or both NaN.
        expect(x === y || (Number.isNaN(x) && Number.isNaN(y)), `${h} ${b} ${a}`).toBe(true);
      }
    }), RUNS);
  });

  it('containsAll, containsAny, containsNone, base64Encode, base64Decode', () => {
    fc.assert(fc.property(fc.array(word, { maxLength: 3 }), fc.oneof(fc.array(word, { maxLength: 4 }), word), fc.string(), (needles, haystack, s) => {
      same('containsAll', needles, haystack);
      same('containsAny', needles, haystack);
      same('containsNone', needles, haystack);
      same('base64Encode', s);
      same('base64Decode', Buffer.from(s).toString('base64'));
    }), RUNS);
  });

  it('toJSONPretty of maps and lists', () => {
    const key = fc.string({ unit: fc.constantFrom('a', 'b', 'B', '<', '&', 'é', '\u2028', '_'), minLength: 1, maxLength: 3 });
    const json = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, word, fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(key, tie('v'), { maxKeys: 3 })),
    })).v;
    fc.assert(fc.property(json, (v) => same('toJSONPretty', v)), RUNS);
  });

  it('printf with the verbs and argument types the converter lets through', () => {
    // No space flag: the reference ignores it (Go puts a space before a positive number).
    const flags = fc.subarray(['-', '+'], { maxLength: 2 }).map((f) => f.join(''));
    const width = fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }).map((w) => (w === undefined ? '' : String(w)));
    const prec = fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }).map((p) => (p === undefined ? '' : `.${p}`));
    const printable = fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'é', '-', '%'), maxLength: 8 });
    const spec = fc.oneof(
      fc.tuple(flags, width, prec, printable).map(([f, w, p, s]) => [`%${f}${w}${p}s`, s] as const),
      fc.tuple(flags, width, printable).map(([f, w, s]) => [`%${f.replace('+', '')}${w}q`, s] as const),
      fc.tuple(flags, width, int).map(([f, w, n]) => [`%${f}${w}d`, n] as const),
      fc.tuple(flags, width, int).map(([f, w, n]) => [`%${f.replace('+', '')}${w}x`, n] as const),
      fc.tuple(flags, width, prec, fractional).map(([f, w, p, x]) => [`%${f}${w}${p}f`, x] as const),
      fc.tuple(fc.oneof(word, fc.array(word, { maxLength: 3 }), fc.dictionary(word, word, { maxKeys: 3 }))).map(([v]) => ['%v', v] as const),
    );
    fc.assert(fc.property(fc.array(spec, { minLength: 1, maxLength: 3 }), (parts) => {
      // Exact halves (2.5 to no decimals) round differently in the reference: left out here.
      const tie = parts.some(([format, v]) => format.endsWith('f') && /\.\d*5$/.test(Number(v).toFixed(20).replace(/0+$/, '')));
      if (!tie) same('printf', `[${parts.map(([format]) => format).join('|')}]`, ...parts.map(([, v]) => v));
    }), RUNS);
  });

  it('scratch: the same answers after the same writes', () => {
    const op = fc.oneof(
      fc.tuple(fc.constantFrom('scratchSet', 'scratchSetX'), fc.constantFrom('a', 'b', 'm'), word).map(([h, k, v]) => [h, k, v]),
      fc.tuple(fc.constantFrom('scratchMapSet', 'scratchMapSetX'), fc.constantFrom('m', 'n', 'a'), fc.constantFrom('x', 'y', 'Y', 'é'), word).map(([h, k, mk, v]) => [h, k, mk, v]),
      fc.tuple(fc.constantFrom('scratchGet', 'scratchKey', 'scratchMapValues'), fc.constantFrom('a', 'b', 'm', 'n')).map(([h, k]) => [h, k]),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
      const mine = new Map<string, unknown>();
      const ref = new Map<string, unknown>();
      for (const [h, ...args] of ops as [string, ...unknown[]][]) {
        expect(run(MINE[h], args, mine), `${h} ${JSON.stringify(args)}`).toEqual(run(referenceHelpers[h], args, ref));
      }
    }), RUNS);
  });
});

describe('where the reference differs, ctmpl gives what consul-template gives', () => {
  const mine = (name: string, ...args: unknown[]): unknown => (MINE[name] as Helper)(...args, options());
  const ref = (name: string, ...args: unknown[]): unknown => (referenceHelpers[name] as Helper)(...args, options());

  it.each([
    ['trimSpace keeps U+FEFF and trims U+0085 (Go\'s unicode.IsSpace)', 'trimSpace', ['\ufeffx\u0085'], '\ufeffx', 'x\u0085'],
    ['split trims with Go\'s spaces too', 'split', [',', '\u0085a,b'], ['a', 'b'], ['\u0085a', 'b']],
    ['replaceAll of "" inserts before every character and at the end', 'replaceAll', ['', '-', 'ab'], '-a-b-', 'a-b'],
    ['regexReplaceAll skips an empty match right after a match', 'regexReplaceAll', ['a*', '-', 'baaac'], '-b-c-', '-b--c-'],
    ['regexReplaceAll: `.` matches \\r in Go', 'regexReplaceAll', ['a.c', 'x', 'a\rc'], 'x', 'a\rc'],
    ['regexReplaceAll: $1x is the group named "1x" (empty) in Go', 'regexReplaceAll', ['(a)', '$1x', 'a'], '', 'ax'],
    ['toTitle: a digit does not start a word (x/text/cases)', 'toTitle', ['3am'], '3Am', '3am'],
    ['toTitle: "." and ":" inside a word keep it going', 'toTitle', ['a.b x:y'], 'A.b X:y', 'A.B X:Y'],
    ['parseFloat of 1e6 prints as Go prints a float', 'parseFloat', ['1e6'], '1e+06', 1_000_000],
    ['parseInt refuses what does not fit in an int64', 'parseInt', ['9223372036854775808'], Error, '9223372036854775808'],
    ['base64Decode requires padding', 'base64Decode', ['aGVsbG8'], Error, 'hello'],
    ['modulo of floats is an error in consul-template', 'modulo', ['2', '5.5'], Error, '1.5'],
    ['and/or return a null argument that decides (the reference returns the last)', 'and', [null, 'x'], null, 'x'],
    ['toTitle of ß is Ss (title case, not upper case)', 'toTitle', ['ß'], 'Ss', 'SS'],
    ['regexReplaceAll: a group the pattern does not have is empty', 'regexReplaceAll', ['a', '[$1]', 'a'], '[]', '[$1]'],
    ['printf % d puts a space before a positive number', 'printf', ['% d|% .1f', '5', 1.5], ' 5| 1.5', '5|1.5'],
    ['printf %05s pads a string with zeros', 'printf', ['%05s', 'ab'], '000ab', '   ab'],
    ['printf %.0f rounds half to even', 'printf', ['%.0f|%.0f|%.2f', 0.5, 2.5, 0.125], '0|2|0.12', '1|3|0.13'],
    ['printf %q uses Go escapes', 'printf', ['%q', '\u0001\u2028'], '"\\x01\\u2028"', '"\\u0001\u2028"'],
    ['printf %5v pads each element of a list', 'printf', ['%5v', ['a']], '[    a]', '  [a]'],
    ['toJSONPretty: integer-like keys are sorted as strings, -0 stays -0', 'toJSONPretty', [{ 9: -0, 10: 1 }], '{\n  "10": 1,\n  "9": -0\n}', '{\n  "9": 0,\n  "10": 1\n}'],
  ] as const)('%s', (_why, name, args, consulTemplate, reference) => {
    if (consulTemplate === Error) expect(() => mine(name, ...args)).toThrow(name);
    else expect(mine(name, ...args)).toEqual(consulTemplate);
    expect(ref(name, ...args)).toEqual(reference);
  });
});
