/**
 * Go's regular expression syntax (RE2) read and written out as JavaScript's. The pattern is read with Go's
 * rules and written out as a JavaScript pattern (`v` flag) that matches the same text: Go's `\s`,
 * `.` (which matches \r), multi-line `^`/`$` (only \n), `\A`, `\z`, `\Q…\E`, `[[:alpha:]]`, `\pL`,
 * octal escapes and `(?P<name>…)` are translated; what Go refuses (backreferences, lookaround) is
 * refused too, and what JavaScript cannot do (a case-insensitive flag after the start, `(?U)`,
 * `\C`) is refused with a reason.
 */

import { CONTROL_ESCAPES, GO_SPACE, POSIX, Refused, caseForms, foldedRange, literal } from './go-regexp-chars.js';

export { Refused };

export interface GoRegexp {
  readonly source: string;
  readonly flags: string;
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

/** Reads a Go pattern and writes the JavaScript pattern (`v` flag) that matches the same text. */
export class Translator {
  private i = 0;
  private caseless = false;
  private readonly stack: Flags[] = [];
  private flags: Flags = { i: false, m: false, s: false, U: false };

  constructor(private readonly p: string) {}

  private peek(offset = 0): string {
    return this.p[this.i + offset] ?? '';
  }

  private codePoint(): number {
    const cp = this.p.codePointAt(this.i) as number;
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }

  translate(): GoRegexp {
    let out = '';
    while (this.i < this.p.length) out += this.atom();
    if (this.stack.length > 0) throw new Refused('missing closing )');
    return { source: out, flags: this.caseless ? 'iv' : 'v' };
  }

  private atom(): string {
    const c = this.peek();
    switch (c) {
      case '\\': {
        const e = this.escape(false);
        return typeof e === 'number' ? this.literalAtom(e) : e;
      }
      case '[':
        return this.charClass();
      case '(':
        return this.group();
      case ')':
        if (this.stack.length === 0) throw new Refused('unexpected )');
        this.flags = this.stack.pop() as Flags;
        this.i++;
        return ')';
      case '.':
        this.i++;
        return this.flags.s ? '[\\s\\S]' : '[^\\n]';
      case '^':
        this.i++;
        return this.flags.m ? '(?<![^\\n])' : '^';
      case '$':
        this.i++;
        return this.flags.m ? '(?![^\\n])' : '$';
      case '|':
        this.i++;
        return c;
      case '*':
      case '+':
      case '?':
        this.i++;
        return this.greediness(c);
      case '{':
        return this.repeat();
      default:
        return this.literalAtom(this.codePoint());
    }
  }

  /** A quantifier, with a following `?` read; (?U) swaps greedy and lazy, as in Go. */
  private greediness(quantifier: string): string {
    const lazy = this.peek() === '?';
    if (lazy) this.i++;
    return lazy !== this.flags.U ? `${quantifier}?` : quantifier;
  }

  /** A literal outside a class; under a (?i) that is not the whole pattern's, a class of its case forms. */
  private literalAtom(cp: number): string {
    if (!this.flags.i || this.caseless) return literal(cp);
    const forms = caseForms(cp);
    return forms.length === 1 ? literal(cp) : `[${forms.map(literal).join('')}]`;
  }

  private repeat(): string {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.i));
    if (!m) {
      this.i++;
      return literal(0x7b);
    }
    const [text, min, comma, max] = m as unknown as [string, string, string | undefined, string | undefined];
    if (Number(min) > 1000 || (max !== undefined && max !== '' && Number(max) > 1000)) throw new Refused(`invalid repeat count ${text} (Go allows at most 1000)`);
    this.i += text.length;
    return this.greediness(`{${Number(min)}${comma === undefined ? '' : `,${max === '' || max === undefined ? '' : Number(max)}`}}`);
  }

  private group(): string {
    const rest = this.p.slice(this.i);
    const named = /^\(\?P?<([^>]*)>/.exec(rest);
    if (named) {
      const name = named[1] as string;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Refused(`group name ${JSON.stringify(name)} must start with a letter or _`);
      this.i += named[0].length;
      this.stack.push({ ...this.flags });
      return `(?<${name}>`;
    }
    if (/^\(\?(<?[=!])/.test(rest)) throw new Refused('lookahead and lookbehind are not in Go\'s syntax');
    const flagGroup = /^\(\?([imsU-]*)([:)])/.exec(rest);
    if (flagGroup) return this.flagGroup(flagGroup[0], flagGroup[1] as string, flagGroup[2] === ':');
    if (rest.startsWith('(?')) throw new Refused(`unknown group ${rest.slice(0, 4)}`);
    this.i++;
    this.stack.push({ ...this.flags });
    return '(';
  }

  private flagGroup(text: string, spec: string, scoped: boolean): string {
    if (spec === '') {
      // (?:…) is a group that captures nothing; (?) changes nothing.
      this.i += text.length;
      if (!scoped) return '';
      this.stack.push({ ...this.flags });
      return '(?:';
    }
    if (spec === '' || spec.endsWith('-') || spec.split('-').length > 2) throw new Refused(`invalid flags ${text}`);
    const [on = '', off = ''] = spec.split('-');
    // (?i) at the very start is the whole pattern's: JavaScript's i flag. Elsewhere it applies to
    // what follows in its group, which JavaScript cannot scope: literals get their case forms.
    if (on.includes('i') && this.i === 0 && !scoped) this.caseless = true;
    if (off.includes('i') && this.caseless) throw new Refused('(?-i) after a leading (?i) has no JavaScript equivalent');
    const next = { ...this.flags };
    for (const f of on) next[f as keyof Flags] = true;
    for (const f of off) next[f as keyof Flags] = false;
    this.i += text.length;
    if (scoped) {
      this.stack.push({ ...this.flags });
      this.flags = next;
      return '(?:';
    }
    this.flags = next;
    return '';
  }

  /** An escape: a code point (a literal), or pattern text for a class or an assertion. */
  private escape(inClass: boolean): number | string {
    this.i++;
    if (this.i >= this.p.length) throw new Refused('trailing backslash');
    const c = this.peek();
    if (/[0-7]/.test(c)) return this.octal();
    if (c === '8' || c === '9') throw new Refused(`invalid escape \\${c} (Go has no backreferences)`);
    this.i++;
    const control = CONTROL_ESCAPES[c];
    if (control !== undefined) return control;
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        return `\\${c}`;
      case 's':
        return inClass ? GO_SPACE : `[${GO_SPACE}]`;
      case 'S':
        return `[^${GO_SPACE}]`;
      case 'p':
      case 'P':
        return this.unicodeClass(c === 'P');
      case 'x':
        return this.hexEscape();
      case 'Q':
        return this.quoted();
      default:
        break;
    }
    if (!inClass) {
      if (c === 'A') return '(?<![\\s\\S])';
      if (c === 'z') return '(?![\\s\\S])';
      if (c === 'b' || c === 'B') return `\\${c}`;
    }
    if (c === 'b') throw new Refused('\\b is not allowed inside a character class in Go');
    if (c === 'C') throw new Refused('\\C (any byte) has no JavaScript equivalent');
    if (/[!-/:-@[-`{-~]/.test(c)) return c.charCodeAt(0);
    throw new Refused(`invalid escape \\${c}`);
  }

  /** Go: \0 and \1…\7 followed by octal digits are octal (up to 3 digits); a lone \1 would be a backreference. */
  private octal(): number {
    const m = /^[0-7]{1,3}/.exec(this.p.slice(this.i)) as RegExpExecArray;
    const digits = m[0];
    if (digits[0] !== '0' && digits.length === 1) throw new Refused(`invalid escape \\${digits} (Go has no backreferences)`);
    this.i += digits.length;
    return parseInt(digits, 8);
  }

  private hexEscape(): number {
    const braced = /^\{([0-9A-Fa-f]+)\}/.exec(this.p.slice(this.i));
    const short = /^[0-9A-Fa-f]{2}/.exec(this.p.slice(this.i));
    const m = braced ?? short;
    if (!m) throw new Refused('invalid \\x escape');
    const cp = parseInt(braced ? (braced[1] as string) : m[0], 16);
    if (cp > 0x10ffff) throw new Refused('invalid \\x escape (beyond U+10FFFF)');
    this.i += m[0].length;
    return cp;
  }

  private unicodeClass(negated: boolean): string {
    let name: string;
    if (this.peek() === '{') {
      const end = this.p.indexOf('}', this.i);
      if (end < 0) throw new Refused('missing } in \\p{…}');
      name = this.p.slice(this.i + 1, end);
      this.i = end + 1;
    } else {
      name = this.peek();
      this.i++;
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    if (!/^[A-Za-z_]+$/.test(name)) throw new Refused(`invalid Unicode class ${JSON.stringify(name)}`);
    const property = /^[A-Z][a-z]?$/.test(name) || name === 'Any' ? name : `Script=${name}`;
    return `\\${negated ? 'P' : 'p'}{${property}}`;
  }

  /** \\Q…\\E: literal text (a quantifier after it applies to its last character, as in Go). */
  private quoted(): string {
    const end = this.p.indexOf('\\E', this.i);
    const text = end < 0 ? this.p.slice(this.i) : this.p.slice(this.i, end);
    this.i = end < 0 ? this.p.length : end + 2;
    return [...text].map((ch) => literal(ch.codePointAt(0) as number)).join('');
  }

  private charClass(): string {
    this.i++;
    let out = '[';
    if (this.peek() === '^') {
      out += '^';
      this.i++;
    }
    let first = true;
    while (first || this.peek() !== ']') {
      if (this.i >= this.p.length) throw new Refused('missing closing ]');
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.p.slice(this.i));
      if (posix) {
        const ranges = POSIX[posix[2] as string];
        if (!ranges) throw new Refused(`unknown class [:${posix[2]}:]`);
        out += `[${posix[1] ? '^' : ''}${ranges}]`;
        this.i += posix[0].length;
        continue;
      }
      const lo = this.classChar();
      const scopedCaseless = this.flags.i && !this.caseless;
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== '') {
        this.i++;
        const hi = this.classChar();
        if (typeof lo !== 'number' || typeof hi !== 'number') throw new Refused('invalid character class range');
        if (hi < lo) throw new Refused('invalid character class range (out of order)');
        out += `${literal(lo)}-${literal(hi)}`;
        if (scopedCaseless) out += foldedRange(lo, hi);
      } else if (typeof lo === 'number') {
        out += scopedCaseless ? caseForms(lo).map(literal).join('') : literal(lo);
      } else {
        if (scopedCaseless && /\\[pP]/.test(lo)) throw new Refused('a (?i) that is not at the start of the pattern cannot apply to \\p classes in ctmpl; put (?i) first');
        out += lo;
      }
    }
    this.i++;
    return `${out}]`;
  }

  /** One class member: a code point (may start a range) or class text such as \\d. */
  private classChar(): number | string {
    return this.peek() === '\\' ? this.escape(true) : this.codePoint();
  }
}
