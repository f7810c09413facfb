/**
 * A recursive-descent parser for Go's text/template, following the grammar of Go's own parser
 * (text/template/parse/parse.go): the same checks (undefined variables, break outside range,
 * empty pipelines…) fail here with the position Go would report.
 */
import type { Command, Definition, GoTemplate, Node, Operand, Pipeline, Pos } from './ast.js';
import { GoSyntaxError, LineMap } from './errors.js';
import { DEFAULT_DELIMITERS, lex, type Delimiters, type Token, type TokenKind } from './lexer.js';
import { charValue, numberValue, unquoteString } from './literals.js';

type Marker = { readonly kind: 'end'; readonly pos: Pos } | { readonly kind: 'else'; readonly pos: Pos };

const TERM_STARTS: ReadonlySet<TokenKind> = new Set(['bool', 'charConstant', 'complex', 'dot', 'field', 'identifier', 'number', 'rawString', 'string', 'variable', 'leftParen']);

function isEmptyTree(nodes: readonly Node[]): boolean {
  return nodes.every((n) => n.kind === 'text' && n.text.trim() === '');
}

class Parser {
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  readonly definitions = new Map<string, Definition>();
  private readonly lines: LineMap;
  private readonly tokens: Token[];

  constructor(text: string, delimiters: Delimiters) {
    this.lines = new LineMap(text);
    this.tokens = lex(text, delimiters);
  }

  private pos(offset: number): Pos {
    return { ...this.lines.at(offset), offset };
  }

  private fail(message: string, token: Token | Pos): never {
    throw new GoSyntaxError(message, token.offset);
  }

  private next(): Token {
    const t = this.tokens[this.i] as Token;
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.kind === 'space') t = this.next();
    return t;
  }

  /** Like Go's peekNonSpace: spaces before the token are consumed. */
  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    if (t.kind !== 'eof') this.i--;
    return t;
  }

  private isKeyword(t: Token, word: string): boolean {
    return t.kind === 'keyword' && t.value === word;
  }

  private describe(t: Token): string {
    if (t.kind === 'eof') return 'EOF';
    if (t.kind === 'rightDelim') return '"}}"';
    return t.kind === 'keyword' ? `<${t.value}>` : JSON.stringify(t.value);
  }

  private unexpected(t: Token, context: string): never {
    return this.fail(`unexpected ${this.describe(t)} in ${context}`, t);
  }

  private expect(kind: TokenKind, context: string): Token {
    const t = this.nextNonSpace();
    if (t.kind !== kind) this.unexpected(t, context);
    return t;
  }

  parse(): GoTemplate {
    const root: Node[] = [];
    while (this.peek().kind !== 'eof') {
      if (this.peek().kind === 'leftDelim') {
        const save = this.i;
        this.next();
        if (this.isKeyword(this.nextNonSpace(), 'define')) {
          this.parseDefinition();
          continue;
        }
        this.i = save;
      }
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') this.fail(`unexpected {{${n.kind}}}`, n.pos);
      root.push(n);
    }
    return { root, definitions: this.definitions };
  }

  /** Installs a definition; Go refuses two non-empty definitions of one name. */
  private define(name: string, pos: Pos, body: Node[]): void {
    const old = this.definitions.get(name);
    if (old && !isEmptyTree(old.body)) {
      if (!isEmptyTree(body)) this.fail(`template: multiple definition of template ${JSON.stringify(name)}`, pos);
      return;
    }
    this.definitions.set(name, { name, pos, body });
  }

  /** A body with its own variables (`$` only) and no enclosing range, as Go parses a new tree. */
  private freshBody(context: string): Node[] {
    const saved = { vars: this.vars, rangeDepth: this.rangeDepth };
    this.vars = ['$'];
    this.rangeDepth = 0;
    const { list, next } = this.itemList();
    if (next.kind !== 'end') this.fail(`unexpected {{else}} in ${context}`, next.pos);
    this.vars = saved.vars;
    this.rangeDepth = saved.rangeDepth;
    return list;
  }

  private templateName(t: Token, context: string): string {
    if (t.kind !== 'string' && t.kind !== 'rawString') this.unexpected(t, context);
    return this.unquote(t);
  }

  private unquote(t: Token): string {
    try {
      return unquoteString(t.value);
    } catch (err) {
      return this.fail((err as Error).message, t);
    }
  }

  private parseDefinition(): void {
    const nameToken = this.nextNonSpace();
    const name = this.templateName(nameToken, 'define clause');
    this.expect('rightDelim', 'define clause');
    this.define(name, this.pos(nameToken.offset), this.freshBody('define clause'));
  }

  private itemList(): { list: Node[]; next: Marker } {
    const list: Node[] = [];
    while (this.peekNonSpace().kind !== 'eof') {
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') return { list, next: n };
      list.push(n);
    }
    return this.fail('unexpected EOF', this.peek());
  }

  private textOrAction(): Node | Marker {
    const t = this.nextNonSpace();
    if (t.kind === 'text') return { kind: 'text', pos: this.pos(t.offset), text: t.value };
    if (t.kind === 'leftDelim') return this.action(t);
    return this.unexpected(t, 'input');
  }

  private action(delim: Token): Node | Marker {
    const t = this.nextNonSpace();
    const at = this.pos(delim.offset);
    if (t.kind === 'keyword') {
      switch (t.value) {
        case 'block':
          return this.blockControl(at);
        case 'break':
        case 'continue': {
          const close = this.nextNonSpace();
          if (close.kind !== 'rightDelim') this.unexpected(close, `{{${t.value}}}`);
          if (this.rangeDepth === 0) this.fail(`{{${t.value}}} outside {{range}}`, t);
          return { kind: t.value, pos: at };
        }
        case 'else': {
          const peek = this.peekNonSpace();
          if (!this.isKeyword(peek, 'if') && !this.isKeyword(peek, 'with')) this.expect('rightDelim', 'else');
          return { kind: 'else', pos: at };
        }
        case 'end':
          this.expect('rightDelim', 'end');
          return { kind: 'end', pos: at };
        case 'if':
        case 'range':
        case 'with':
          return this.control(t.value, at);
        case 'template': {
          const name = this.templateName(this.nextNonSpace(), 'template clause');
          if (this.nextNonSpace().kind === 'rightDelim') return { kind: 'template', pos: at, name };
          this.i--;
          return { kind: 'template', pos: at, name, pipe: this.pipeline('template clause', 'rightDelim') };
        }
      }
    }
    this.i--;
    return { kind: 'action', pos: at, pipe: this.pipeline('command', 'rightDelim') };
  }

  private blockControl(at: Pos): Node {
    const nameToken = this.nextNonSpace();
    const name = this.templateName(nameToken, 'block clause');
    const pipe = this.pipeline('block clause', 'rightDelim');
    this.define(name, this.pos(nameToken.offset), this.freshBody('block clause'));
    return { kind: 'template', pos: at, name, pipe };
  }

  private control(kind: 'if' | 'range' | 'with', at: Pos): Node {
    const mark = this.vars.length;
    const pipe = this.pipeline(kind, 'rightDelim');
    if (kind === 'range') this.rangeDepth++;
    const { list, next } = this.itemList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    let elseChain = false;
    if (next.kind === 'else') {
      const peek = this.peek();
      if ((kind === 'if' || kind === 'with') && this.isKeyword(peek, kind)) {
        this.next();
        elseList = [this.control(kind, next.pos)];
        elseChain = true;
      } else {
        const rest = this.itemList();
        if (rest.next.kind !== 'end') this.fail('expected end; found {{else}}', rest.next.pos);
        elseList = rest.list;
      }
    }
    this.vars.length = mark;
    return { kind, pos: at, pipe, list, ...(elseList ? { elseList, elseChain } : {}) };
  }

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): Pipeline {
    const start = this.peekNonSpace();
    const decl: { name: string; pos: Pos }[] = [];
    let isAssign = false;
    for (;;) {
      const v = this.peekNonSpace();
      if (v.kind !== 'variable') break;
      const save = this.i;
      this.next();
      const after = this.peekNonSpace();
      if (after.kind === 'assign' || after.kind === 'declare') {
        isAssign = after.kind === 'assign';
        this.nextNonSpace();
        decl.push({ name: v.value, pos: this.pos(v.offset) });
        this.vars.push(v.value);
        break;
      }
      if (after.kind === 'char' && after.value === ',') {
        this.nextNonSpace();
        decl.push({ name: v.value, pos: this.pos(v.offset) });
        this.vars.push(v.value);
        if (context === 'range' && decl.length < 2) {
          const k = this.peekNonSpace().kind;
          if (k === 'variable' || k === 'rightDelim' || k === 'rightParen') continue;
          this.fail('range can only initialize variables', v);
        }
        this.fail(`too many declarations in ${context}`, v);
      }
      this.i = save;
      break;
    }
    const cmds: Command[] = [];
    for (;;) {
      const t = this.nextNonSpace();
      if (t.kind === end) break;
      if (TERM_STARTS.has(t.kind) || this.isKeyword(t, 'nil')) {
        this.i--;
        cmds.push(this.command());
        continue;
      }
      this.unexpected(t, context);
    }
    if (cmds.length === 0) this.fail(`missing value for ${context}`, start);
    cmds.slice(1).forEach((c, i) => {
      const k = (c.args[0] as Operand).kind;
      if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string') {
        this.fail(`non executable command in pipeline stage ${i + 2}`, (c.args[0] as Operand).pos);
      }
    });
    return { pos: this.pos(start.offset), decl, isAssign, cmds };
  }

  private command(): Command {
    const first = this.peekNonSpace();
    const args: Operand[] = [];
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) args.push(operand);
      const t = this.next();
      if (t.kind === 'space') continue;
      if (t.kind === 'rightDelim' || t.kind === 'rightParen') this.i--;
      else if (t.kind !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (args.length === 0) this.fail('empty command', first);
    return { pos: this.pos(first.offset), args };
  }

  private operand(): Operand | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek().kind !== 'field') return node;
    const fields: string[] = [];
    while (this.peek().kind === 'field') fields.push(this.next().value.slice(1));
    switch (node.kind) {
      case 'field':
        return { ...node, names: [...node.names, ...fields] };
      case 'variable':
        return { ...node, fields: [...node.fields, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return this.fail(`unexpected . after term ${JSON.stringify(node.kind === 'string' ? node.quoted : node.kind)}`, node.pos);
      default:
        return { kind: 'chain', pos: node.pos, node, fields };
    }
  }

  private term(): Operand | undefined {
    const t = this.nextNonSpace();
    const pos = this.pos(t.offset);
    switch (t.kind) {
      case 'identifier':
        return { kind: 'identifier', pos, name: t.value };
      case 'dot':
        return { kind: 'dot', pos };
      case 'variable': {
        if (!this.vars.includes(t.value)) this.fail(`undefined variable ${JSON.stringify(t.value)}`, t);
        return { kind: 'variable', pos, name: t.value, fields: [] };
      }
      case 'field':
        return { kind: 'field', pos, names: [t.value.slice(1)] };
      case 'bool':
        return { kind: 'bool', pos, value: t.value === 'true' };
      case 'charConstant':
      case 'complex':
      case 'number':
        try {
          return { kind: 'number', pos, text: t.value, value: t.kind === 'charConstant' ? charValue(t.value) : numberValue(t.value, t.kind === 'complex') };
        } catch (err) {
          return this.fail((err as Error).message, t);
        }
      case 'leftParen':
        return { kind: 'pipeline', pos, pipe: this.pipeline('parenthesized pipeline', 'rightParen') };
      case 'string':
      case 'rawString':
        return { kind: 'string', pos, value: this.unquote(t), quoted: t.value };
      case 'keyword':
        if (t.value === 'nil') return { kind: 'nil', pos };
    }
    if (t.kind !== 'eof') this.i--;
    return undefined;
  }
}

/** Parses a Go template; throws GoSyntaxError with the offset where Go's parser would stop. */
export function parseGoTemplate(text: string, delimiters: Delimiters = DEFAULT_DELIMITERS): GoTemplate {
  return new Parser(text, delimiters).parse();
}
