/**
 * The inside of an action: pipelines (with their variable declarations), commands and operands,
 * following Go's parser (text/template/parse/parse.go). It also keeps the variables in scope,
 * since declaring them happens here and Go refuses an undefined one where it is used; the
 * statement parser (parser.ts) only opens and closes scopes.
 */
import type { Command, Operand, Pipeline, Pos } from './ast.js';
import type { Token, TokenKind } from './lexer.js';
import { charValue, numberValue, unquoteString } from './literals.js';
import type { TokenCursor } from './token-cursor.js';

const TERM_STARTS: ReadonlySet<TokenKind> = new Set(['bool', 'charConstant', 'complex', 'dot', 'field', 'identifier', 'number', 'rawString', 'string', 'variable', 'leftParen']);

export class PipelineParser {
  /** Variables in scope, names with `$`. */
  private vars: string[] = ['$'];

  constructor(private readonly c: TokenCursor) {}

  /** Where the current scope starts: the variables declared after it are dropped by `closeScope`. */
  openScope(): number {
    return this.vars.length;
  }

  closeScope(mark: number): void {
    this.vars.length = mark;
  }

  /** Runs `body` with only `$` in scope, as Go parses a new tree (`define`, `block`). */
  inFreshScope<T>(body: () => T): T {
    const saved = this.vars;
    this.vars = ['$'];
    const result = body();
    this.vars = saved;
    return result;
  }

  /** The value of a string token; a malformed literal fails at the token. */
  unquote(t: Token): string {
    try {
      return unquoteString(t.value);
    } catch (err) {
      return this.c.fail((err as Error).message, t);
    }
  }

  pipeline(context: string, end: 'rightDelim' | 'rightParen'): Pipeline {
    const c: TokenCursor = this.c;
    const start = c.peekNonSpace();
    const decl: { name: string; pos: Pos }[] = [];
    let isAssign = false;
    for (;;) {
      const v = c.peekNonSpace();
      if (v.kind !== 'variable') break;
      const save = c.mark();
      c.next();
      const after = c.peekNonSpace();
      if (after.kind === 'assign' || after.kind === 'declare') {
        isAssign = after.kind === 'assign';
        c.nextNonSpace();
        decl.push({ name: v.value, pos: c.pos(v.offset) });
        this.vars.push(v.value);
        break;
      }
      if (after.kind === 'char' && after.value === ',') {
        c.nextNonSpace();
        decl.push({ name: v.value, pos: c.pos(v.offset) });
        this.vars.push(v.value);
        if (context === 'range' && decl.length < 2) {
          const k = c.peekNonSpace().kind;
          if (k === 'variable' || k === 'rightDelim' || k === 'rightParen') continue;
          c.fail('range can only initialize variables', v);
        }
        c.fail(`too many declarations in ${context}`, v);
      }
      c.reset(save);
      break;
    }
    const cmds: Command[] = [];
    for (;;) {
      const t = c.nextNonSpace();
      if (t.kind === end) break;
      if (TERM_STARTS.has(t.kind) || c.isKeyword(t, 'nil')) {
        c.backup();
        cmds.push(this.command());
        continue;
      }
      c.unexpected(t, context);
    }
    if (cmds.length === 0) c.fail(`missing value for ${context}`, start);
    cmds.slice(1).forEach((cmd, i) => {
      const k = (cmd.args[0] as Operand).kind;
      if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string') {
        c.fail(`non executable command in pipeline stage ${i + 2}`, (cmd.args[0] as Operand).pos);
      }
    });
    return { pos: c.pos(start.offset), decl, isAssign, cmds };
  }

  private command(): Command {
    const c: TokenCursor = this.c;
    const first = c.peekNonSpace();
    const args: Operand[] = [];
    for (;;) {
      c.peekNonSpace();
      const operand = this.operand();
      if (operand) args.push(operand);
      const t = c.next();
      if (t.kind === 'space') continue;
      if (t.kind === 'rightDelim' || t.kind === 'rightParen') c.backup();
      else if (t.kind !== 'pipe') c.unexpected(t, 'operand');
      break;
    }
    if (args.length === 0) c.fail('empty command', first);
    return { pos: c.pos(first.offset), args };
  }

  private operand(): Operand | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.c.peek().kind !== 'field') return node;
    const fields: string[] = [];
    while (this.c.peek().kind === 'field') fields.push(this.c.next().value.slice(1));
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
        return this.c.fail(`unexpected . after term ${JSON.stringify(node.kind === 'string' ? node.quoted : node.kind)}`, node.pos);
      default:
        return { kind: 'chain', pos: node.pos, node, fields };
    }
  }

  private term(): Operand | undefined {
    const t = this.c.nextNonSpace();
    const pos = this.c.pos(t.offset);
    switch (t.kind) {
      case 'identifier':
        return { kind: 'identifier', pos, name: t.value };
      case 'dot':
        return { kind: 'dot', pos };
      case 'variable': {
        if (!this.vars.includes(t.value)) this.c.fail(`undefined variable ${JSON.stringify(t.value)}`, t);
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
          return this.c.fail((err as Error).message, t);
        }
      case 'leftParen':
        return { kind: 'pipeline', pos, pipe: this.pipeline('parenthesized pipeline', 'rightParen') };
      case 'string':
      case 'rawString':
        return { kind: 'string', pos, value: this.unquote(t), quoted: t.value };
      case 'keyword':
        if (t.value === 'nil') return { kind: 'nil', pos };
    }
    if (t.kind !== 'eof') this.c.backup();
    return undefined;
  }
}
