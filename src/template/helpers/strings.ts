/**
 * consul-template's string functions, in its argument order: the string being worked on comes
 * last (Go pipelines pass the piped value last), so `(trimPrefix "v" Version)`,
 * `(replaceAll "." "-" Name)`, `(split "," (key "hosts"))`. `join` keeps ctmpl's order,
 * `(join list sep)`, which reads better in Handlebars (consul-template: `join sep list`).
 */
import { splitArgs, type Helper } from './args.js';
import { compileGoRegexp, execFrom, goReplaceAll } from './go-regexp.js';
import { describe, goKeyOrder, trimGoSpace } from './go-values.js';


/** Longest run of spaces `indent` adds; a template bug or hostile data must not exhaust memory. */
const MAX_INDENT = 10_000;

/** The string arguments of a call, each checked, with the count checked too. */
function strings(helper: string, args: unknown[], count: number, names: readonly string[]): string[] {
  const { params } = splitArgs(args);
  if (params.length !== count) throw new Error(`${helper}: expected ${count} argument(s) (${names.join(', ')}), got ${params.length}`);
  return params.map((v, i) => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'object') throw new Error(`${helper}: expected ${names[i] ?? 'a string'} as argument ${i + 1}, got ${describe(v)}`);
    return String(v);
  });
}

/**
 * Greek letters with a iota subscript: JavaScript upper-cases them to two letters (ᾳ → ΑΙ), Go
 * to the one capital with the subscript (ᾳ → ᾼ), which is also their title case.
 */
function greekIotaUpper(cp: number): number | undefined {
  if ((cp >= 0x1f80 && cp <= 0x1f87) || (cp >= 0x1f90 && cp <= 0x1f97) || (cp >= 0x1fa0 && cp <= 0x1fa7)) return cp + 8;
  if (cp === 0x1fb3 || cp === 0x1fc3 || cp === 0x1ff3) return cp + 9;
  return undefined;
}

/** Go's unicode.ToUpper/ToLower map one code point to one; JavaScript's may give several (ß → SS). */
function mapRunes(s: string, map: (ch: string) => string, upper: boolean): string {
  let out = '';
  for (const ch of s) {
    const mapped = map(ch);
    if ([...mapped].length === 1) out += mapped;
    else if (!upper && ch === '\u0130') out += 'i';
    else {
      const greek = upper ? greekIotaUpper(ch.codePointAt(0) as number) : undefined;
      out += greek === undefined ? ch : String.fromCodePoint(greek);
    }
  }
  return out;
}

/** Title case of one letter as Go's x/text/cases gives it (digraphs ǆ → ǅ, ß → Ss, ﬁ → Fi). */
const TITLE: Readonly<Record<string, string>> = {
  '\u01c4': '\u01c5', '\u01c5': '\u01c5', '\u01c6': '\u01c5',
  '\u01c7': '\u01c8', '\u01c8': '\u01c8', '\u01c9': '\u01c8',
  '\u01ca': '\u01cb', '\u01cb': '\u01cb', '\u01cc': '\u01cb',
  '\u01f1': '\u01f2', '\u01f2': '\u01f2', '\u01f3': '\u01f2',
  '\u0149': '\u02bcN',
};

function titleOf(ch: string): string {
  const special = TITLE[ch];
  if (special) return special;
  const greek = greekIotaUpper(ch.codePointAt(0) as number);
  if (greek !== undefined) return String.fromCodePoint(greek);
  const upper = ch.toUpperCase();
  if (upper === ch) return ch;
  const [first = '', ...rest] = [...upper];
  return first + rest.join('').toLowerCase();
}

/**
 * x/text/cases sorts characters into three kinds by their Unicode word-break property: letters
 * (ALetter, Hebrew_Letter, Numeric, Extend, ExtendNumLet, Format, ZWJ) continue a word, "mid"
 * characters (MidLetter, MidNumLet, Single_Quote: `'` `.` `:` `’`…) continue it unless two come
 * in a row, and everything else ends it. JavaScript has no word-break property, so the letter
 * kind is approximated from general categories and scripts (exact for alphabetic scripts).
 */
const MID = new Set([':', '\u00b7', '\u0387', '\u055f', '\u05f4', '\u2027', '\ufe13', '\ufe55', '\uff1a', '.', '\u2018', '\u2019', '\u2024', '\ufe52', '\uff07', '\uff0e', "'"]);
const WORD_LETTER = /^(?:(?![\p{Ideographic}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Myanmar}\p{Script=Khmer}])[\p{Alphabetic}\p{Nd}\p{M}\p{Pc}\p{Cf}]|\u202f)$/u;
const CASED = /^\p{Cased}$/u;

type Kind = 'cased' | 'letter' | 'mid' | 'break';

function kindOf(ch: string): Kind {
  if (CASED.test(ch)) return 'cased';
  if (MID.has(ch)) return 'mid';
  return WORD_LETTER.test(ch) ? 'letter' : 'break';
}

/** cases.Title(language.Und, cases.NoLower): the first cased letter of each word in title case. */
export function goTitle(s: string): string {
  let out = '';
  let midWord = false;
  let previous: Kind | undefined;
  for (const ch of s) {
    const kind = kindOf(ch);
    if (previous === 'mid' && kind === 'mid') midWord = false;
    if (kind === 'cased') {
      out += midWord ? ch : titleOf(ch);
      midWord = true;
    } else {
      out += ch;
      if (kind === 'break') midWord = false;
    }
    previous = kind;
  }
  return out;
}

export const stringHelpers: Record<string, Helper> = {
  /** `(join list sep)`: the items joined (sep defaults to ","). */
  join(...args) {
    const { params } = splitArgs(args);
    const [list, sep = ','] = params;
    if (!Array.isArray(list)) throw new Error('join: expected a list as argument 1');
    if (list.some((v) => v !== null && typeof v === 'object')) throw new Error('join: expected a list of strings (e.g. Tags), got a list of objects');
    return list.map((v) => (v === null || v === undefined ? '' : String(v))).join(String(sep));
  },
  /** `(split sep s)`: s (trimmed) split on sep; "" gives an empty list; sep "" splits characters. */
  split(...args) {
    const [sep, s] = strings('split', args, 2, ['a separator', 'a string']) as [string, string];
    const text = trimGoSpace(s);
    if (text === '') return [];
    return sep === '' ? [...text] : text.split(sep);
  },
  /** `(replaceAll old new s)`: every old in s replaced by new. */
  replaceAll(...args) {
    const [from, to, s] = strings('replaceAll', args, 3, ['the text to replace', 'its replacement', 'a string']) as [string, string, string];
    if (from !== '') return s.split(from).join(to);
    // Go inserts the replacement before every character and at the end.
    return s === '' ? to : to + [...s].join(to) + to;
  },
  /** `(regexMatch re s)`: s contains a match of the Go regular expression re. */
  regexMatch(...args) {
    const [re, s] = strings('regexMatch', args, 2, ['a regular expression', 'a string']) as [string, string];
    return execFrom(compileGoRegexp(re, 'regexMatch'), s, 0) !== null;
  },
  /** `(regexReplaceAll re repl s)`: matches replaced by repl, where $1, ${1}, $name, ${name} insert groups. */
  regexReplaceAll(...args) {
    const [re, repl, s] = strings('regexReplaceAll', args, 3, ['a regular expression', 'a replacement', 'a string']) as [string, string, string];
    return goReplaceAll(compileGoRegexp(re, 'regexReplaceAll'), s, repl);
  },
  /** `(trimSpace s)`: leading and trailing white space removed (Go's definition of space). */
  trimSpace(...args) {
    const [s] = strings('trimSpace', args, 1, ['a string']) as [string];
    return trimGoSpace(s);
  },
  /** `(trim cutset s)`: every leading and trailing character that is in cutset removed. */
  trim(...args) {
    const [cutset, s] = strings('trim', args, 2, ['the characters to trim', 'a string']) as [string, string];
    const cut = new Set(cutset);
    const runes = [...s];
    let start = 0;
    let end = runes.length;
    while (start < end && cut.has(runes[start] as string)) start++;
    while (end > start && cut.has(runes[end - 1] as string)) end--;
    return runes.slice(start, end).join('');
  },
  /** `(trimPrefix prefix s)`: s without prefix, when it starts with it. */
  trimPrefix(...args) {
    const [prefix, s] = strings('trimPrefix', args, 2, ['a prefix', 'a string']) as [string, string];
    return s.startsWith(prefix) ? s.slice(prefix.length) : s;
  },
  /** `(trimSuffix suffix s)`: s without suffix, when it ends with it. */
  trimSuffix(...args) {
    const [suffix, s] = strings('trimSuffix', args, 2, ['a suffix', 'a string']) as [string, string];
    return suffix !== '' && s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s;
  },
  /** `(toUpper s)`: upper case, one character for one (ß stays ß, as in Go). */
  toUpper(...args) {
    const [s] = strings('toUpper', args, 1, ['a string']) as [string];
    return mapRunes(s, (ch) => ch.toUpperCase(), true);
  },
  /** `(toLower s)`: lower case, one character for one. */
  toLower(...args) {
    const [s] = strings('toLower', args, 1, ['a string']) as [string];
    return mapRunes(s, (ch) => ch.toLowerCase(), false);
  },
  /** `(toTitle s)`: the first letter of each word in title case, the rest unchanged. */
  toTitle(...args) {
    const [s] = strings('toTitle', args, 1, ['a string']) as [string];
    return goTitle(s);
  },
  /** `(indent n s)`: every line that is not empty prefixed with n spaces. */
  indent(...args) {
    const { params } = splitArgs(args);
    if (params.length !== 2) throw new Error(`indent: expected 2 arguments (a number of spaces, a string), got ${params.length}`);
    const n = Number(params[0]);
    if (!Number.isInteger(n) || (typeof params[0] === 'string' && !/^[+-]?\d+$/.test(params[0]))) throw new Error(`indent: expected a number of spaces as argument 1, got ${describe(params[0])}`);
    if (n < 0) throw new Error('indent: the number of spaces must not be negative');
    if (n > MAX_INDENT) throw new Error(`indent: ${n} spaces is more than ctmpl allows (${MAX_INDENT})`);
    const [s] = strings('indent', [params[1], {}], 1, ['a string']) as [string];
    const prefix = ' '.repeat(n);
    return s.replace(/(^|\n)(?=[^\n])/g, `$1${prefix}`);
  },
  /** `(sort list)`: a list of strings sorted as Go sorts strings (by UTF-8 bytes); like sprig's sortAlpha. */
  sort(...args) {
    const { params } = splitArgs(args);
    const [list] = params;
    if (params.length !== 1) throw new Error(`sort: expected 1 argument (a list), got ${params.length}`);
    if (list === null || list === undefined) return [];
    if (!Array.isArray(list)) throw new Error(`sort: expected a list, got ${describe(list)}`);
    if (list.some((v) => v !== null && typeof v === 'object')) throw new Error('sort: expected a list of strings, got a list of objects');
    return list.map((v) => (v === null || v === undefined ? '' : String(v))).sort(goKeyOrder);
  },
};
