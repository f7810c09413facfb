import { Lexer, type Token } from './lexer.js';
import type { SourceText } from './source.js';

/** The syntax tree of one file: every key and value keeps its offset in the text. */
export type AstValue = AstLiteral | AstList | AstObject;

export interface AstLiteral {
  readonly kind: 'literal';
  readonly value: string | number | boolean | null;
  readonly start: number;
  readonly end: number;
}

export interface AstList {
  readonly kind: 'list';
  readonly items: readonly AstValue[];
  readonly start: number;
}

/** A block body `{ … }` or the file itself. */
export interface AstObject {
  readonly kind: 'object';
  readonly items: readonly AstItem[];
  readonly start: number;
}

/** `key = value`, `name { … }`, or `name "label" { … }` (keys: name, label). */
export interface AstItem {
  readonly keys: readonly AstKey[];
  readonly value: AstValue;
}

export interface AstKey {
  readonly name: string;
  readonly start: number;
}

const VALUE_HINT = 'values are "strings", numbers, true/false, [lists], { blocks } and <<EOF heredocs';

/**
 * Parses a config file as hashicorp/hcl (v1) does: JSON when its first non-blank character is "{",
 * HCL otherwise. Syntax errors are InputErrors placed at file:line:column.
 */
export function parseSyntax(source: SourceText): AstObject {
  const json = /^\s*\{/.test(source.text);
  const parser = new Parser(source, new Lexer(source, json));
  return json ? parser.jsonDocument() : parser.hclDocument();
}

function describe(token: Token): string {
  switch (token.type) {
    case 'eof':
      return 'the end of the file';
    case 'string':
      return 'a string';
    case 'heredoc':
      return 'a heredoc';
    case 'number':
    case 'bool':
      return String(token.value);
    case 'ident':
      return `the word ${String(token.value)}`;
    default:
      return `"${token.type}"`;
  }
}

class Parser {
  constructor(
    private readonly source: SourceText,
    private readonly lexer: Lexer,
  ) {}

  hclDocument(): AstObject {
    return { kind: 'object', items: this.body(undefined), start: 0 };
  }

  /** Items up to the closing "}" of a block opened by `opener` (key text and offset), or to the end. */
  private body(opener: { name: string; start: number } | undefined): AstItem[] {
    const items: AstItem[] = [];
    for (;;) {
      const token = this.lexer.peek();
      if (token.type === 'eof') {
        if (opener) throw this.source.error(opener.start, `block ${opener.name} { is never closed`, 'add the missing "}" at the end of the block');
        return items;
      }
      if (token.type === '}') {
        if (opener) return items;
        throw this.source.error(token.start, 'unexpected "}": no block is open here', 'remove it, or look for an extra "}" above');
      }
      items.push(this.item());
      if (this.lexer.peek().type === ',') this.lexer.next();
    }
  }

  private item(): AstItem {
    const keys: AstKey[] = [];
    const written: string[] = [];
    for (let token = this.lexer.peek(); token.type === 'ident' || token.type === 'string'; token = this.lexer.peek()) {
      this.lexer.next();
      keys.push({ name: String(token.value), start: token.start });
      written.push(this.source.text.slice(token.start, token.end));
    }
    const token = this.lexer.next();
    const first = keys[0];
    if (!first) {
      const missing = token.type === '=' ? 'a key is missing before "="' : `expected a key, found ${describe(token)}`;
      throw this.source.error(token.start, missing, 'write key = value, or name { … } for a block');
    }
    const name = keys.map((k) => k.name).join(' ');
    if (token.type === '=') {
      const second = keys[1];
      if (second) throw this.source.error(second.start, `two keys before "=": ${keys.map((k) => `"${k.name}"`).join(' ')}`, 'write one key per line: key = value');
      return { keys, value: this.value() };
    }
    if (token.type === '{') return { keys, value: this.object(token.start, { name, start: first.start }) };
    if (token.type === ':') throw this.source.error(token.start, 'HCL assigns with "=", not ":"', `write ${first.name} = value`);
    const second = keys[1];
    if (second) throw this.source.error(second.start, `expected "=" between ${first.name} and ${written[1] ?? ''}`, `write ${first.name} = ${written[1] ?? ''}`);
    const last = keys[keys.length - 1] as AstKey;
    throw this.source.error(token.start, `expected "=" or "{" after ${last.name}, found ${describe(token)}`, `write ${last.name} = value, or ${last.name} { … } for a block`);
  }

  private value(): AstValue {
    const token = this.lexer.next();
    switch (token.type) {
      case 'string':
      case 'heredoc':
      case 'number':
      case 'bool':
        return { kind: 'literal', value: token.value as string | number | boolean, start: token.start, end: token.end };
      case '{':
        return this.object(token.start, { name: '', start: token.start });
      case '[':
        return this.list(token.start, () => this.value());
      case 'ident':
        throw this.source.error(token.start, `the bare word ${String(token.value)} is not a value`, `put it in double quotes: "${String(token.value)}"`);
      default:
        throw this.source.error(token.start, `expected a value, found ${describe(token)}`, VALUE_HINT);
    }
  }

  private object(start: number, opener: { name: string; start: number }): AstObject {
    const items = this.body(opener);
    this.lexer.next();
    return { kind: 'object', items, start };
  }

  private list(start: number, element: () => AstValue): AstList {
    const items: AstValue[] = [];
    for (;;) {
      const token = this.lexer.peek();
      if (token.type === ']') {
        this.lexer.next();
        return { kind: 'list', items, start };
      }
      if (token.type === 'eof') throw this.source.error(start, 'list "[" is never closed', 'close it with "]"');
      items.push(element());
      const after = this.lexer.peek();
      if (after.type === ',') this.lexer.next();
      else if (after.type !== ']') throw this.source.error(after.start, `expected "," or "]" in the list, found ${describe(after)}`, 'separate list items with commas');
    }
  }

  jsonDocument(): AstObject {
    const root = this.jsonValue();
    const after = this.lexer.next();
    if (after.type !== 'eof') throw this.source.error(after.start, `unexpected ${describe(after)} after the JSON object`, 'a JSON config file holds one object');
    return root as AstObject;
  }

  private jsonValue(): AstValue {
    const token = this.lexer.next();
    switch (token.type) {
      case 'string':
      case 'number':
      case 'bool':
        return { kind: 'literal', value: token.value as string | number | boolean, start: token.start, end: token.end };
      case '{':
        return this.jsonObject(token.start);
      case '[':
        return this.list(token.start, () => this.jsonValue());
      default:
        if (token.type === 'ident' && token.value === 'null') return { kind: 'literal', value: null, start: token.start, end: token.end };
        throw this.source.error(token.start, `expected a JSON value, found ${describe(token)}`, 'JSON values are "strings", numbers, true/false, null, [arrays] and {objects}');
    }
  }

  private jsonObject(start: number): AstObject {
    const items: AstItem[] = [];
    for (;;) {
      const key = this.lexer.next();
      // A trailing comma before "}" is forgiven, as hashicorp/hcl's JSON reader does.
      if (key.type === '}') return { kind: 'object', items, start };
      if (key.type === 'eof') throw this.source.error(start, 'JSON object "{" is never closed', 'close it with "}"');
      if (key.type !== 'string') throw this.source.error(key.start, `expected a "key" in double quotes, found ${describe(key)}`, 'JSON keys are strings: "key": value');
      const colon = this.lexer.next();
      if (colon.type !== ':') throw this.source.error(colon.start, `expected ":" after "${String(key.value)}"`, `write "${String(key.value)}": value`);
      items.push({ keys: [{ name: String(key.value), start: key.start }], value: this.jsonValue() });
      const after = this.lexer.next();
      if (after.type === '}') return { kind: 'object', items, start };
      if (after.type === 'eof') throw this.source.error(start, 'JSON object "{" is never closed', 'close it with "}"');
      if (after.type !== ',') throw this.source.error(after.start, `expected "," or "}" after a value, found ${describe(after)}`, 'separate the members of a JSON object with commas');
    }
  }
}
