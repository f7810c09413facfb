/**
 * The parser's position in the token stream: stepping over tokens (and the spaces between them)
 * the way Go's parser does, and turning offsets into positions and refusals. Kept apart so the
 * grammar modules read as grammar.
 */
import type { Pos } from './ast.js';
import { GoSyntaxError, LineMap } from './errors.js';
import { lex, type Delimiters, type Token, type TokenKind } from './lexer.js';

export class TokenCursor {
  private i = 0;
  private readonly lines: LineMap;
  private readonly tokens: Token[];

  constructor(text: string, delimiters: Delimiters) {
    this.lines = new LineMap(text);
    this.tokens = lex(text, delimiters);
  }

  pos(offset: number): Pos {
    return { ...this.lines.at(offset), offset };
  }

  fail(message: string, token: Token | Pos): never {
    throw new GoSyntaxError(message, token.offset);
  }

  next(): Token {
    const t = this.tokens[this.i] as Token;
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  peek(): Token {
    return this.tokens[this.i] as Token;
  }

  nextNonSpace(): Token {
    let t = this.next();
    while (t.kind === 'space') t = this.next();
    return t;
  }

  /** Like Go's peekNonSpace: spaces before the token are consumed. */
  peekNonSpace(): Token {
    const t = this.nextNonSpace();
    if (t.kind !== 'eof') this.i--;
    return t;
  }

  /** Steps back over the token just read (Go's backup). */
  backup(): void {
    this.i--;
  }

  /** Where the cursor is, to come back to with `reset`. */
  mark(): number {
    return this.i;
  }

  reset(mark: number): void {
    this.i = mark;
  }

  isKeyword(t: Token, word: string): boolean {
    return t.kind === 'keyword' && t.value === word;
  }

  private describe(t: Token): string {
    if (t.kind === 'eof') return 'EOF';
    if (t.kind === 'rightDelim') return '"}}"';
    return t.kind === 'keyword' ? `<${t.value}>` : JSON.stringify(t.value);
  }

  unexpected(t: Token, context: string): never {
    return this.fail(`unexpected ${this.describe(t)} in ${context}`, t);
  }

  expect(kind: TokenKind, context: string): Token {
    const t = this.nextNonSpace();
    if (t.kind !== kind) this.unexpected(t, context);
    return t;
  }
}
