/**
 * YAML exactly as consul-template's toYAML writes it: gopkg.in/yaml.v2's Marshal, then
 * bytes.TrimSpace. yaml.v2 has its own habits that a general YAML library does not share: map
 * keys in "natural" order (a2 before a10), YAML 1.1 words quoted ("yes", "on", "y"), a choice
 * between plain, single-quoted, double-quoted and literal styles made character by character,
 * characters beyond U+FFFF escaped, long lines folded at spaces after column 80, floats as Go's
 * %g. This is a small emitter for template data (maps, lists, strings, numbers, booleans, null)
 * that follows yaml.v2's emitter, state for state.
 */
import { formatGoFloat } from './go-number.js';
import { isRecord, trimGoSpace } from './go-values.js';
import { analyze, chooseStyle, doubleEscape, isBreakChar, isPrintable } from './go-yaml-scalar.js';

const BEST_INDENT = 2;
const BEST_WIDTH = 80;

class Emitter {
  out = '';
  private column = 0;
  private indent = -1;
  private readonly indents: number[] = [];
  private whitespace = true;
  private indention = true;

  private put(s: string): void {
    this.out += s;
    this.column += [...s].length;
  }

  private putBreak(): void {
    this.out += '\n';
    this.column = 0;
  }

  private writeBreak(ch: string): void {
    if (ch === '\n') this.putBreak();
    else {
      this.out += ch;
      this.column = 0;
    }
  }

  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }

  private indicator(text: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.put(text);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private popIndent(): void {
    this.indent = this.indents.pop() as number;
  }

  node(value: unknown, mappingContext: boolean, simpleKey: boolean): void {
    if (Array.isArray(value)) return value.length === 0 ? this.emptyFlow('[', ']') : this.sequence(value, mappingContext);
    if (value !== null && typeof value === 'object') {
      const keys = isRecord(value) ? Object.keys(value) : Object.keys(value).sort(naturalOrder);
      return keys.length === 0 ? this.emptyFlow('{', '}') : this.mapping(value as Record<string, unknown>, keys);
    }
    this.scalar(value, simpleKey);
  }

  private emptyFlow(open: string, close: string): void {
    this.indicator(open, true, true, false);
    this.indicator(close, false, false, false);
  }

  private sequence(items: readonly unknown[], mappingContext: boolean): void {
    this.increaseIndent(false, mappingContext && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.indicator('-', true, false, true);
      this.node(item, false, false);
    }
    this.popIndent();
  }

  private mapping(map: Record<string, unknown>, keys: readonly string[]): void {
    this.increaseIndent(false, false);
    for (const key of keys) {
      if (Buffer.byteLength(key) > 128 || analyze(key).multiline) throw new Error('toYAML: map keys longer than 128 bytes or with line breaks are not supported');
      this.writeIndent();
      this.node(key, true, true);
      this.indicator(':', false, false, false);
      this.node(map[key], true, false);
    }
    this.popIndent();
  }

  private scalar(value: unknown, simpleKey: boolean): void {
    this.increaseIndent(true, false);
    if (typeof value === 'string') this.string(value, simpleKey);
    else this.plain(plainText(value), false);
    this.popIndent();
  }

  private string(value: string, simpleKey: boolean): void {
    const style = chooseStyle(value, simpleKey);
    if (style === 'plain') this.plain(value, !simpleKey);
    else if (style === 'single') this.singleQuoted(value, !simpleKey);
    else if (style === 'double') this.doubleQuoted(value, !simpleKey);
    else this.literal(value);
  }

  private plain(value: string, allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ');
    const chars = [...value];
    let spaces = false;
    let breaks = false;
    chars.forEach((ch, i) => {
      if (ch === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && chars[i + 1] !== ' ') this.writeIndent();
        else this.put(ch);
        spaces = true;
      } else if (isBreakChar(ch)) {
        if (!breaks && ch === '\n') this.putBreak();
        this.writeBreak(ch);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(ch);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    });
    this.whitespace = false;
    this.indention = false;
  }

  private singleQuoted(value: string, allowBreaks: boolean): void {
    this.indicator("'", true, false, false);
    const chars = [...value];
    let spaces = false;
    let breaks = false;
    chars.forEach((ch, i) => {
      if (ch === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < chars.length - 1 && chars[i + 1] !== ' ') this.writeIndent();
        else this.put(ch);
        spaces = true;
      } else if (isBreakChar(ch)) {
        if (!breaks && ch === '\n') this.putBreak();
        this.writeBreak(ch);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (ch === "'") this.put("'");
        this.put(ch);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    });
    this.indicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private doubleQuoted(value: string, allowBreaks: boolean): void {
    this.indicator('"', true, false, false);
    const chars = [...value];
    // yaml.v2 checks for a byte order mark at the start of the value, not at each character:
    // a value that starts with one is escaped character by character.
    const bom = value.startsWith('\ufeff');
    let spaces = false;
    chars.forEach((ch, i) => {
      const cp = ch.codePointAt(0) as number;
      if (bom || !isPrintable(ch) || isBreakChar(ch) || ch === '"' || ch === '\\') {
        this.put(doubleEscape(cp));
        spaces = false;
      } else if (ch === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < chars.length - 1) {
          this.writeIndent();
          if (chars[i + 1] === ' ') this.put('\\');
        } else {
          this.put(ch);
        }
        spaces = true;
      } else {
        this.put(ch);
        spaces = false;
      }
    });
    this.indicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private literal(value: string): void {
    this.indicator('|', true, false, false);
    const chars = [...value];
    if (chars[0] === ' ' || isBreakChar(chars[0] ?? '')) this.indicator(String(BEST_INDENT), false, false, false);
    const last = chars[chars.length - 1] ?? '';
    const beforeLast = chars[chars.length - 2];
    const chomp = !isBreakChar(last) ? '-' : chars.length === 1 || (beforeLast !== undefined && isBreakChar(beforeLast)) ? '+' : '';
    if (chomp) this.indicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const ch of chars) {
      if (isBreakChar(ch)) {
        this.writeBreak(ch);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(ch);
        this.indention = false;
        breaks = false;
      }
    }
  }
}

/** Scalars other than strings: null, booleans, numbers (float64, as yaml.v2's floatv). */
function plainText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'number') {
    const text = formatGoFloat(value);
    return text === '+Inf' ? '.inf' : text === '-Inf' ? '-.inf' : text === 'NaN' ? '.nan' : text;
  }
  throw new Error(`toYAML: cannot encode a ${typeof value}`);
}

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

/** yaml.v2's key order: rune by rune; letters after other characters; runs of digits by value. */
export function naturalOrder(a: string, b: string): number {
  if (a === b) return 0;
  return naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0;
}

function naturalLess(a: string, b: string): boolean {
  const ar = [...a].map((c) => c.codePointAt(0) as number);
  const br = [...b].map((c) => c.codePointAt(0) as number);
  const isDigit = (cp: number | undefined): boolean => cp !== undefined && DIGIT.test(String.fromCodePoint(cp));
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const x = ar[i] as number;
    const y = br[i] as number;
    if (x === y) continue;
    const xl = LETTER.test(String.fromCodePoint(x));
    const yl = LETTER.test(String.fromCodePoint(y));
    if (xl && yl) return x < y;
    if (xl || yl) return yl;
    let an = 0n;
    let bn = 0n;
    if (x === 48 || y === 48) {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== 48) {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = BigInt.asIntN(64, an * 10n + BigInt((ar[ai] as number) - 48));
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = BigInt.asIntN(64, bn * 10n + BigInt((br[bi] as number) - 48));
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return x < y;
  }
  return ar.length < br.length;
}

/** consul-template's toYAML: yaml.v2 Marshal, trimmed. */
export function goYAML(value: unknown): string {
  const emitter = new Emitter();
  emitter.node(value, false, false);
  return trimGoSpace(emitter.out);
}
