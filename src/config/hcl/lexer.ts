import type { SourceText } from './source.js';

/**
 * Tokens of HCL version 1 (hashicorp/hcl before 2.0, which consul-template's config reader uses)
 * and of the JSON that the same reader accepts. Values follow hashicorp/hcl's scanner: `0644` is
 * octal (420), `0x1F` hex, heredocs `<<EOF` and `<<-EOF` (indented), `${…}` kept as written.
 */
export type TokenType = 'ident' | 'bool' | 'string' | 'heredoc' | 'number' | '{' | '}' | '[' | ']' | ',' | '=' | ':' | 'eof';

export interface Token {
  readonly type: TokenType;
  readonly start: number;
  readonly end: number;
  /** Decoded value of a literal; the text of an ident. */
  readonly value?: string | number | boolean;
}

const PUNCTUATION = new Set(['{', '}', '[', ']', ',', '=', ':']);
const IDENT = /[\p{L}_][\p{L}\p{Nd}_.-]*/uy;
// hashicorp/hcl: a leading 0 makes an integer octal; a fraction or exponent makes a float.
const NUMBER = /-?(?:0[xX][0-9a-fA-F]*|\d*\.\d*(?:[eE][+-]?\d*)?|\d+(?:[eE][+-]?\d*)?)/y;
const JSON_STRING = /"(?:[^"\\\n]|\\.)*"/y;
const HEREDOC_OPENING = /<<(-?)([\p{L}\p{Nd}_]*)(\n?)/uy;

/** The match of a sticky pattern at `offset`. */
function matchAt(pattern: RegExp, text: string, offset: number): RegExpExecArray | null {
  pattern.lastIndex = offset;
  return pattern.exec(text);
}
const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };
const ESCAPE_DIGITS: Record<string, [number, number]> = { x: [16, 2], u: [16, 4], U: [16, 8] };
const DIGITS = { 8: /^[0-7]+$/, 16: /^[0-9a-fA-F]+$/ } as const;

export class Lexer {
  private pos = 0;
  private peeked: Token | undefined;

  constructor(
    private readonly source: SourceText,
    /** JSON strings follow JSON's escapes, not HCL's. */
    private readonly json = false,
  ) {}

  peek(): Token {
    return (this.peeked ??= this.scan());
  }

  next(): Token {
    const token = this.peek();
    this.peeked = undefined;
    return token;
  }

  private get text(): string {
    return this.source.text;
  }

  private scan(): Token {
    this.skipSpaceAndComments();
    const start = this.pos;
    const ch = this.text[start];
    if (ch === undefined) return { type: 'eof', start, end: start };
    if (PUNCTUATION.has(ch)) {
      this.pos++;
      return { type: ch as TokenType, start, end: this.pos };
    }
    if (ch === '"') return this.json ? this.scanJsonString(start) : this.scanString(start);
    if (ch === '<') return this.scanHeredoc(start);
    if (/[0-9]/.test(ch) || (ch === '-' && /[0-9]/.test(this.text[start + 1] ?? '')) || (ch === '.' && /[0-9]/.test(this.text[start + 1] ?? ''))) {
      return this.scanNumber(start);
    }
    IDENT.lastIndex = start;
    const ident = IDENT.exec(this.text);
    if (ident) {
      this.pos = IDENT.lastIndex;
      const word = ident[0];
      return word === 'true' || word === 'false' ? { type: 'bool', start, end: this.pos, value: word === 'true' } : { type: 'ident', start, end: this.pos, value: word };
    }
    if (ch === "'") throw this.source.error(start, 'single quotes do not make a string in HCL', 'use double quotes: "…"');
    throw this.source.error(start, `unexpected character ${JSON.stringify(ch)}`, 'HCL has key = value pairs and blocks written name { … }');
  }

  private skipSpaceAndComments(): void {
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
        this.pos++;
      } else if (ch === '#' || (ch === '/' && this.text[this.pos + 1] === '/')) {
        const end = this.text.indexOf('\n', this.pos);
        this.pos = end === -1 ? this.text.length : end;
      } else if (ch === '/' && this.text[this.pos + 1] === '*') {
        const end = this.text.indexOf('*/', this.pos + 2);
        if (end === -1) throw this.source.error(this.pos, 'comment /* is never closed', 'end it with */');
        this.pos = end + 2;
      } else if (ch === '/') {
        throw this.source.error(this.pos, 'a single "/" starts no comment', 'comments start with #, // or /* (closed by */)');
      } else {
        return;
      }
    }
  }

  private scanNumber(start: number): Token {
    const text = matchAt(NUMBER, this.text, start)?.[0] ?? '';
    const end = start + text.length;
    const after = this.text[end] ?? '';
    if (/[\p{L}_.]/u.test(after)) {
      const word = /^[^\s,\]}#]*/.exec(this.text.slice(start, start + 200))?.[0] ?? text;
      throw this.source.error(start, `${word} must be quoted`, `write "${word}": durations and other text are strings in double quotes`);
    }
    this.pos = end;
    const negative = text.startsWith('-');
    const body = negative ? text.slice(1) : text;
    let value: number;
    if (/^0[xX]/.test(body)) {
      if (body.length === 2) throw this.source.error(start, `${text} is not a number`, 'write hex digits after 0x, e.g. 0x1F');
      value = parseInt(body.slice(2), 16);
    } else if (/[.eE]/.test(body)) {
      if (/[eE][+-]?$/.test(body)) throw this.source.error(start, `${text} is not a number`, 'an exponent needs digits, e.g. 1e3');
      value = Number(body);
    } else if (body.length > 1 && body.startsWith('0')) {
      if (!DIGITS[8].test(body)) throw this.source.error(start, `${text} is not a number: a leading 0 makes it octal (digits 0-7)`, `write ${body.replace(/^0+(?=\d)/, '')}, or "${text}" as a string`);
      value = parseInt(body, 8);
    } else {
      value = parseInt(body, 10);
    }
    return { type: 'number', start, end, value: negative ? -value : value };
  }

  private scanString(start: number): Token {
    let out = '';
    let pos = start + 1;
    for (;;) {
      const ch = this.text[pos];
      if (ch === undefined || ch === '\n') {
        throw this.source.error(start, 'string is not closed', 'end it with " on the same line; text over several lines goes in a heredoc (<<EOF … EOF)');
      }
      if (ch === '"') break;
      if (ch === '$' && this.text[pos + 1] === '{') {
        // hashicorp/hcl keeps ${…} as written (quotes and braces inside it included).
        const end = this.interpolationEnd(start, pos);
        out += this.text.slice(pos, end);
        pos = end;
      } else if (ch === '\\') {
        const [decoded, length] = this.escape(pos);
        out += decoded;
        pos += length;
      } else {
        out += ch;
        pos++;
      }
    }
    this.pos = pos + 1;
    return { type: 'string', start, end: this.pos, value: out };
  }

  private interpolationEnd(stringStart: number, from: number): number {
    let depth = 0;
    for (let pos = from + 1; pos < this.text.length; pos++) {
      const ch = this.text[pos];
      if (ch === '\\') pos++;
      else if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) return pos + 1;
    }
    throw this.source.error(stringStart, 'string is not closed (a "${" in it is never closed by "}")', 'close the ${…} and the string');
  }

  /** One escape at `pos` (the backslash): its character and its length in the text. */
  private escape(pos: number): [string, number] {
    const kind = this.text[pos + 1] ?? '';
    const simple = SIMPLE_ESCAPES[kind];
    if (simple !== undefined) return [simple, 2];
    const [base, count] = /[0-7]/.test(kind) ? [8, 3] : (ESCAPE_DIGITS[kind] ?? [0, 0]);
    const digits = base === 8 ? this.text.slice(pos + 1, pos + 4) : this.text.slice(pos + 2, pos + 2 + count);
    const code = parseInt(digits, base);
    if (base === 0 || digits.length !== count || !DIGITS[base as 8 | 16].test(digits) || code > (base === 8 ? 255 : 0x10ffff)) {
      throw this.source.error(pos, `unknown escape "\\${kind}" in a string`, 'write \\\\ for a backslash; escapes are \\n \\t \\" \\\\ \\uXXXX');
    }
    return [String.fromCodePoint(code), base === 8 ? 4 : 2 + count];
  }

  private scanJsonString(start: number): Token {
    const match = matchAt(JSON_STRING, this.text, start);
    if (!match) throw this.source.error(start, 'string is not closed', 'end it with " on the same line');
    let value: string;
    try {
      value = JSON.parse(match[0]) as string;
    } catch {
      throw this.source.error(start, 'string is not valid JSON', 'escape control characters; write \\\\ for a backslash; escapes are \\n \\t \\" \\\\ \\uXXXX');
    }
    this.pos = start + match[0].length;
    return { type: 'string', start, end: this.pos, value };
  }

  private scanHeredoc(start: number): Token {
    const open = matchAt(HEREDOC_OPENING, this.text, start);
    if (!open) throw this.source.error(start, 'unexpected "<"', 'a heredoc starts with <<EOF (or <<-EOF) at the end of its line');
    const [opening, dash = '', anchor = '', newline = ''] = open;
    if (anchor === '') throw this.source.error(start, 'a heredoc needs a name after <<', 'write <<EOF, then the text on the next lines, then EOF alone on a line');
    if (newline === '') throw this.source.error(start, `nothing may follow <<${dash}${anchor} on its line`, 'start the text on the next line');
    const bodyStart = start + opening.length;
    // hashicorp/hcl also wants a newline after the closing line; a file ending right after it is
    // read here all the same.
    // The closing line: blanks, then the name, then nothing (as hashicorp/hcl's pattern).
    const closing = new RegExp(`^([ \\t\\v\\f\\r]*)${anchor}\\r*$`, 'u');
    for (let lineStart = bodyStart; ; ) {
      const newlineAt = this.text.indexOf('\n', lineStart);
      const lineEnd = newlineAt === -1 ? this.text.length : newlineAt;
      const close = closing.exec(this.text.slice(lineStart, lineEnd));
      if (close) {
        this.pos = lineEnd;
        const value = heredocValue(this.text.slice(bodyStart, lineStart) + (close[1] as string), dash === '-');
        return { type: 'heredoc', start, end: lineEnd, value };
      }
      if (newlineAt === -1) break;
      lineStart = newlineAt + 1;
    }
    throw this.source.error(start, `heredoc <<${dash}${anchor} is never closed`, `end it with a line that holds only ${anchor}`);
  }
}

/**
 * A heredoc's value as hashicorp/hcl computes it: the lines before the closing one, then the closing
 * line's indentation. `<<-` removes the closing line's indentation from every line when all lines
 * have it; otherwise it only trims trailing blanks.
 */
function heredocValue(body: string, unindent: boolean): string {
  if (!unindent) return body;
  const lines = body.split('\n');
  const prefix = lines[lines.length - 1] as string;
  if (!lines.every((line) => line.startsWith(prefix))) return body.replace(/[ \t]+$/, '');
  return lines.map((line, i) => (i === lines.length - 1 ? '' : line.slice(prefix.length))).join('\n');
}
