/**
 * A lexer for Go's text/template syntax, with the `{{` `}}` delimiters or those a consul-template
 * config sets (left_delimiter / right_delimiter). It follows the rules of Go's own scanner (text/template/parse/lex.go) so that the text
 * it hands on is exactly the text Go prints: trim markers (`{{- ` and ` -}}`) are applied here,
 * removing ASCII white space (space, tab, CR, LF) next to the marker, and comments vanish.
 */
import { GoSyntaxError } from './errors.js';

export type TokenKind =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'identifier'
  | 'field'
  | 'variable'
  | 'dot'
  | 'bool'
  | 'number'
  | 'charConstant'
  | 'complex'
  | 'string'
  | 'rawString'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'assign'
  | 'declare'
  | 'char'
  | 'keyword'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The token's text; for `text`, what remains after trim markers were applied. */
  readonly value: string;
  /** Offset in the template of the token's first character (for `text`: of the kept text). */
  readonly offset: number;
}

export const KEYWORDS: ReadonlySet<string> = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'nil', 'range', 'template', 'with']);

/** The action delimiters: Go's defaults unless a template sets its own. */
export interface Delimiters {
  readonly left: string;
  readonly right: string;
}

export const DEFAULT_DELIMITERS: Delimiters = { left: '{{', right: '}}' };

/** Go's isSpace: only these four; a no-break space is text, not white space. */
export function isGoSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/** Go's isAlphaNumeric: `_`, Unicode letters and digits. */
function isAlphaNumeric(c: string | undefined): boolean {
  return c !== undefined && (c === '_' || /^[\p{L}\p{Nd}]$/u.test(c));
}

function trimRightLength(s: string): number {
  let n = 0;
  while (n < s.length && isGoSpace(s[s.length - 1 - n])) n++;
  return n;
}

function trimLeftLength(s: string, from: number): number {
  let n = 0;
  while (isGoSpace(s[from + n])) n++;
  return n;
}

/** Splits a template into tokens; throws GoSyntaxError (with the offset) where Go would fail. */
export function lex(input: string, delimiters: Delimiters = DEFAULT_DELIMITERS): Token[] {
  const { left: leftDelim, right: rightDelim } = delimiters;
  const tokens: Token[] = [];
  let pos = 0;
  let parenDepth = 0;

  const hasLeftTrim = (at: number): boolean => input[at] === '-' && isGoSpace(input[at + 1]);
  const hasRightTrim = (at: number): boolean => isGoSpace(input[at]) && input[at + 1] === '-';
  /** At a right delimiter (`}}` or ` -}}`)? Returns its length including the marker, or 0. */
  const rightDelimAt = (at: number): { length: number; trim: boolean } | undefined => {
    if (hasRightTrim(at) && input.startsWith(rightDelim, at + 2)) return { length: 2 + rightDelim.length, trim: true };
    if (input.startsWith(rightDelim, at)) return { length: rightDelim.length, trim: false };
    return undefined;
  };
  const fail = (message: string, at: number): never => {
    throw new GoSyntaxError(message, at);
  };

  /** Text up to the next `{{`, trimmed on the right when that action starts with `{{- `. */
  const lexText = (): boolean => {
    const next = input.indexOf(leftDelim, pos);
    const end = next < 0 ? input.length : next;
    let text = input.slice(pos, end);
    if (next >= 0 && hasLeftTrim(next + leftDelim.length)) text = text.slice(0, text.length - trimRightLength(text));
    if (text.length > 0) tokens.push({ kind: 'text', value: text, offset: pos });
    pos = end;
    return next >= 0;
  };

  /** After a closing delimiter with a trim marker: drop the white space that follows. */
  const afterRight = (trim: boolean): void => {
    if (trim) pos += trimLeftLength(input, pos);
  };

  const lexComment = (start: number): void => {
    const close = input.indexOf('*/', pos + 2);
    if (close < 0) fail('unclosed comment', start);
    pos = close + 2;
    const delim = rightDelimAt(pos);
    if (!delim) fail('comment ends before closing delimiter', start);
    pos += (delim as { length: number }).length;
    afterRight((delim as { trim: boolean }).trim);
  };

  const scanNumber = (): boolean => {
    const accept = (chars: string): boolean => {
      const c = input[pos];
      if (c !== undefined && chars.includes(c)) {
        pos++;
        return true;
      }
      return false;
    };
    const acceptRun = (chars: string): void => {
      while (accept(chars));
    };
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    if (isAlphaNumeric(input[pos])) {
      pos++;
      return false;
    }
    return true;
  };

  /** Go's atTerminator: what may follow an identifier, field or variable. */
  const atTerminator = (): boolean => {
    const c = input[pos];
    if (c === undefined || isGoSpace(c) || '.,|:()'.includes(c)) return true;
    return input.startsWith(rightDelim, pos);
  };

  const lexQuoted = (start: number, quote: string, what: string): void => {
    for (;;) {
      const c = input[pos++];
      if (c === '\\') {
        const n = input[pos++];
        if (n !== undefined && n !== '\n') continue;
        fail(`unterminated ${what}`, start);
      }
      if (c === undefined || c === '\n') fail(`unterminated ${what}`, start);
      if (c === quote) return;
    }
  };

  const lexInsideAction = (): void => {
    for (;;) {
      const delim = rightDelimAt(pos);
      if (delim) {
        if (parenDepth !== 0) fail('unclosed left paren', pos);
        tokens.push({ kind: 'rightDelim', value: input.slice(pos, pos + delim.length), offset: pos });
        pos += delim.length;
        afterRight(delim.trim);
        return;
      }
      const start = pos;
      const c = input[pos];
      const push = (kind: TokenKind): void => {
        tokens.push({ kind, value: input.slice(start, pos), offset: start });
      };
      if (c === undefined) fail('unclosed action', start);
      else if (isGoSpace(c)) {
        let n = 0;
        while (isGoSpace(input[pos])) {
          pos++;
          n++;
        }
        // A trim-marked closing delimiter starts with one space: leave that space to it.
        if (hasRightTrim(pos - 1) && input.startsWith(rightDelim, pos + 1)) {
          pos--;
          if (n === 1) continue;
        }
        push('space');
      } else if (c === '=') {
        pos++;
        push('assign');
      } else if (c === ':') {
        pos++;
        if (input[pos] !== '=') fail('expected :=', start);
        pos++;
        push('declare');
      } else if (c === '|') {
        pos++;
        push('pipe');
      } else if (c === '"') {
        pos++;
        lexQuoted(start, '"', 'quoted string');
        push('string');
      } else if (c === '`') {
        const close = input.indexOf('`', pos + 1);
        if (close < 0) fail('unterminated raw quoted string', start);
        pos = close + 1;
        push('rawString');
      } else if (c === "'") {
        pos++;
        lexQuoted(start, "'", 'character constant');
        push('charConstant');
      } else if (c === '$' || (c === '.' && !/[0-9]/.test(input[pos + 1] ?? ''))) {
        pos++;
        if (atTerminator()) {
          push(c === '$' ? 'variable' : 'dot');
          continue;
        }
        while (isAlphaNumeric(input[pos])) pos++;
        if (!atTerminator()) fail(`bad character ${JSON.stringify(input[pos] ?? '')}`, pos);
        push(c === '$' ? 'variable' : 'field');
      } else if (c === '.' || c === '+' || c === '-' || (c >= '0' && c <= '9')) {
        if (!scanNumber()) fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`, start);
        const sign = input[pos];
        if (sign === '+' || sign === '-') {
          if (!scanNumber() || input[pos - 1] !== 'i') fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`, start);
          push('complex');
        } else push('number');
      } else if (isAlphaNumeric(c)) {
        while (isAlphaNumeric(input[pos])) pos++;
        if (!atTerminator()) fail(`bad character ${JSON.stringify(input[pos] ?? '')}`, pos);
        const word = input.slice(start, pos);
        push(KEYWORDS.has(word) ? 'keyword' : word === 'true' || word === 'false' ? 'bool' : 'identifier');
      } else if (c === '(') {
        pos++;
        parenDepth++;
        push('leftParen');
      } else if (c === ')') {
        pos++;
        parenDepth--;
        if (parenDepth < 0) fail('unexpected right paren', start);
        push('rightParen');
      } else if (c.charCodeAt(0) < 0x7f && c.charCodeAt(0) >= 0x20) {
        pos++;
        push('char');
      } else fail(`unrecognized character in action: ${JSON.stringify(c)}`, start);
    }
  };

  while (lexText()) {
    const start = pos;
    pos += leftDelim.length;
    const trim = hasLeftTrim(pos);
    const afterMarker = trim ? 2 : 0;
    if (input.startsWith('/*', pos + afterMarker)) {
      pos += afterMarker;
      lexComment(start);
      continue;
    }
    tokens.push({ kind: 'leftDelim', value: input.slice(start, pos + afterMarker), offset: start });
    pos += afterMarker;
    parenDepth = 0;
    lexInsideAction();
  }
  tokens.push({ kind: 'eof', value: '', offset: input.length });
  return tokens;
}
