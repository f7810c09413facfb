/**
 * A recursive-descent parser for Go's text/template, following the grammar of Go's own parser
 * (text/template/parse/parse.go): the same checks (undefined variables, break outside range,
 * empty pipelines…) fail here with the position Go would report.
 *
 * This module parses the statements (text, actions, if/range/with, define/block/template,
 * break/continue); what is inside an action is pipeline-parser.ts, stepping through the tokens
 * token-cursor.ts.
 */
import type { Definition, GoTemplate, Node, Pos } from './ast.js';
import { DEFAULT_DELIMITERS, type Delimiters, type Token } from './lexer.js';
import { PipelineParser } from './pipeline-parser.js';
import { TokenCursor } from './token-cursor.js';

type Marker = { readonly kind: 'end'; readonly pos: Pos } | { readonly kind: 'else'; readonly pos: Pos };

function isEmptyTree(nodes: readonly Node[]): boolean {
  return nodes.every((n) => n.kind === 'text' && n.text.trim() === '');
}

class Parser {
  private rangeDepth = 0;
  readonly definitions = new Map<string, Definition>();
  private readonly c: TokenCursor;
  private readonly pipes: PipelineParser;

  constructor(text: string, delimiters: Delimiters) {
    this.c = new TokenCursor(text, delimiters);
    this.pipes = new PipelineParser(this.c);
  }

  parse(): GoTemplate {
    const c: TokenCursor = this.c;
    const root: Node[] = [];
    while (c.peek().kind !== 'eof') {
      if (c.peek().kind === 'leftDelim') {
        const save = c.mark();
        c.next();
        if (c.isKeyword(c.nextNonSpace(), 'define')) {
          this.parseDefinition();
          continue;
        }
        c.reset(save);
      }
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') c.fail(`unexpected {{${n.kind}}}`, n.pos);
      root.push(n);
    }
    return { root, definitions: this.definitions };
  }

  /** Installs a definition; Go refuses two non-empty definitions of one name. */
  private define(name: string, pos: Pos, body: Node[]): void {
    const old = this.definitions.get(name);
    if (old && !isEmptyTree(old.body)) {
      if (!isEmptyTree(body)) this.c.fail(`template: multiple definition of template ${JSON.stringify(name)}`, pos);
      return;
    }
    this.definitions.set(name, { name, pos, body });
  }

  /** A body with its own variables (`$` only) and no enclosing range, as Go parses a new tree. */
  private freshBody(context: string): Node[] {
    const savedRangeDepth = this.rangeDepth;
    this.rangeDepth = 0;
    const list = this.pipes.inFreshScope(() => {
      const { list, next } = this.itemList();
      if (next.kind !== 'end') this.c.fail(`unexpected {{else}} in ${context}`, next.pos);
      return list;
    });
    this.rangeDepth = savedRangeDepth;
    return list;
  }

  private templateName(t: Token, context: string): string {
    if (t.kind !== 'string' && t.kind !== 'rawString') this.c.unexpected(t, context);
    return this.pipes.unquote(t);
  }

  private parseDefinition(): void {
    const nameToken = this.c.nextNonSpace();
    const name = this.templateName(nameToken, 'define clause');
    this.c.expect('rightDelim', 'define clause');
    this.define(name, this.c.pos(nameToken.offset), this.freshBody('define clause'));
  }

  private itemList(): { list: Node[]; next: Marker } {
    const list: Node[] = [];
    while (this.c.peekNonSpace().kind !== 'eof') {
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') return { list, next: n };
      list.push(n);
    }
    return this.c.fail('unexpected EOF', this.c.peek());
  }

  private textOrAction(): Node | Marker {
    const t = this.c.nextNonSpace();
    if (t.kind === 'text') return { kind: 'text', pos: this.c.pos(t.offset), text: t.value };
    if (t.kind === 'leftDelim') return this.action(t);
    return this.c.unexpected(t, 'input');
  }

  private action(delim: Token): Node | Marker {
    const c: TokenCursor = this.c;
    const t = c.nextNonSpace();
    const at = c.pos(delim.offset);
    if (t.kind === 'keyword') {
      switch (t.value) {
        case 'block':
          return this.blockControl(at);
        case 'break':
        case 'continue': {
          const close = c.nextNonSpace();
          if (close.kind !== 'rightDelim') c.unexpected(close, `{{${t.value}}}`);
          if (this.rangeDepth === 0) c.fail(`{{${t.value}}} outside {{range}}`, t);
          return { kind: t.value, pos: at };
        }
        case 'else': {
          const peek = c.peekNonSpace();
          if (!c.isKeyword(peek, 'if') && !c.isKeyword(peek, 'with')) c.expect('rightDelim', 'else');
          return { kind: 'else', pos: at };
        }
        case 'end':
          c.expect('rightDelim', 'end');
          return { kind: 'end', pos: at };
        case 'if':
        case 'range':
        case 'with':
          return this.control(t.value, at);
        case 'template': {
          const name = this.templateName(c.nextNonSpace(), 'template clause');
          if (c.nextNonSpace().kind === 'rightDelim') return { kind: 'template', pos: at, name };
          c.backup();
          return { kind: 'template', pos: at, name, pipe: this.pipes.pipeline('template clause', 'rightDelim') };
        }
      }
    }
    c.backup();
    return { kind: 'action', pos: at, pipe: this.pipes.pipeline('command', 'rightDelim') };
  }

  private blockControl(at: Pos): Node {
    const nameToken = this.c.nextNonSpace();
    const name = this.templateName(nameToken, 'block clause');
    const pipe = this.pipes.pipeline('block clause', 'rightDelim');
    this.define(name, this.c.pos(nameToken.offset), this.freshBody('block clause'));
    return { kind: 'template', pos: at, name, pipe };
  }

  private control(kind: 'if' | 'range' | 'with', at: Pos): Node {
    const scope = this.pipes.openScope();
    const pipe = this.pipes.pipeline(kind, 'rightDelim');
    if (kind === 'range') this.rangeDepth++;
    const { list, next } = this.itemList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    let elseChain = false;
    if (next.kind === 'else') {
      const peek = this.c.peek();
      if ((kind === 'if' || kind === 'with') && this.c.isKeyword(peek, kind)) {
        this.c.next();
        elseList = [this.control(kind, next.pos)];
        elseChain = true;
      } else {
        const rest = this.itemList();
        if (rest.next.kind !== 'end') this.c.fail('expected end; found {{else}}', rest.next.pos);
        elseList = rest.list;
      }
    }
    this.pipes.closeScope(scope);
    return { kind, pos: at, pipe, list, ...(elseList ? { elseList, elseChain } : {}) };
  }
}

/** Parses a Go template; throws GoSyntaxError with the offset where Go's parser would stop. */
export function parseGoTemplate(text: string, delimiters: Delimiters = DEFAULT_DELIMITERS): GoTemplate {
  return new Parser(text, delimiters).parse();
}
