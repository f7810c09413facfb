/**
 * Go template statements → Handlebars segments: text, printed values, if/with/range blocks,
 * variables (inlined where that is faithful) and defined templates (inline partials, one per
 * type of data they are called with).
 */
import type { Branches, GoTemplate, Node, Pipeline, Pos } from '../gotemplate/ast.js';
import { Expressions, type ConversionState } from './expressions.js';
import { blockOpen, mustache, stringLiteral, type Segment } from './hbs.js';
import { Refusal, refuse, type MigrationProblem } from './problems.js';
import { Scope } from './scope.js';
import { ANY, INT, STRING, describeType, printableWithV, type GoType } from './types.js';
import { call, member, nativeTruth, truth, type Value } from './values.js';

/** Names Handlebars or ctmpl might read as something else, never used for block parameters. */
const RESERVED = new Set(['this', 'true', 'false', 'null', 'undefined', 'else', 'as', 'root', 'if', 'unless', 'each', 'with', 'lookup', 'log', 'blockHelperMissing', 'helperMissing']);

export const TOP_DOT = 'the dot is empty at the top of a consul-template template (it runs with no data)';

interface Partial {
  readonly name: string;
  segments: Segment[];
  writesScratch: boolean;
}

export class StatementConverter {
  readonly problems: MigrationProblem[] = [];
  private readonly state: ConversionState = { scratchTypes: new Map(), scratchWrites: 0 };
  private readonly names = new Set<string>();
  private readonly partials = new Map<string, Partial>();
  private readonly partialNames = new Set<string>();

  constructor(
    private readonly template: GoTemplate,
    reservedHelpers: Iterable<string>,
  ) {
    for (const h of reservedHelpers) this.names.add(h);
    for (const r of RESERVED) this.names.add(r);
  }

  /** The whole template: inline partials first, then the main text. */
  convert(): Segment[] {
    const scope = new Scope(undefined, undefined, TOP_DOT, 0, 0);
    scope.bind('$', undefined, 0, TOP_DOT);
    const main = this.list(this.template.root, scope);
    const out: Segment[] = [];
    for (const p of this.partials.values()) out.push({ tag: `{{#*inline ${stringLiteral(p.name)}}}` }, ...p.segments, { tag: '{{/inline}}' });
    return [...out, ...main];
  }

  private list(nodes: readonly Node[], scope: Scope): Segment[] {
    const out: Segment[] = [];
    for (const node of nodes) {
      try {
        out.push(...this.node(node, scope));
      } catch (err) {
        if (!(err instanceof Refusal)) throw err;
        this.problems.push(err.toProblem());
      }
    }
    return out;
  }

  private expressions(scope: Scope): Expressions {
    return new Expressions(this.state, scope);
  }

  private node(node: Node, scope: Scope): Segment[] {
    switch (node.kind) {
      case 'text':
        if (node.text.includes('\0')) refuse(node.pos, 'text', 'the text contains a NUL character, which Handlebars cannot read', 'remove it');
        return [{ text: node.text }];
      case 'action':
        return this.action(node.pipe, scope);
      case 'if':
        return this.ifBlock(node, scope, true);
      case 'with':
        return this.withBlock(node, scope, true);
      case 'range':
        return this.range(node, scope);
      case 'template':
        return this.templateCall(node.pos, node.name, node.pipe, scope);
      case 'break':
      case 'continue':
        return refuse(node.pos, `{{${node.kind}}}`, `Handlebars' each cannot ${node.kind === 'break' ? 'stop' : 'skip'} an iteration`, 'filter the list first (e.g. with a tag query) or wrap the body in an {{if}}');
    }
  }

  /** A block parameter name for a Go variable (or a default), unique in the template. */
  private blockParam(goName: string | undefined, fallback: string): string {
    const base = (goName?.replace(/^\$/, '').replace(/[^A-Za-z0-9_]/g, '') || fallback).replace(/^[0-9]/, '_$&');
    let name = base;
    for (let n = 2; this.names.has(name); n++) name = `${base}${n}`;
    this.names.add(name);
    return name;
  }

  /** Binds the pipeline's declared variables (`$x := …`) or assigns (`$x = …`) in `scope`. */
  private declare(pipe: Pipeline, value: Value, scope: Scope): void {
    for (const d of pipe.decl) {
      if (pipe.isAssign) {
        const b = scope.lookup(d.name);
        if (!b) refuse(d.pos, `${d.name} = …`, `${d.name} is not declared`, 'declare it with :=');
        const binding = b as NonNullable<typeof b>;
        if (binding.owner !== scope) {
          refuse(d.pos, `${d.name} = …`, `${d.name} is assigned inside a block (if/range/with) but declared outside it; Handlebars has no variables that change`, 'compute the value with one expression where it is used (e.g. use the range index instead of a flag)');
        }
        binding.value = value;
        binding.loopDepth = scope.loopDepth;
        binding.scratchWrites = this.state.scratchWrites;
        binding.uses = 0;
        delete binding.unavailable;
      } else scope.bind(d.name, value, this.state.scratchWrites);
    }
  }

  private action(pipe: Pipeline, scope: Scope): Segment[] {
    const value = this.expressions(scope).pipeline(pipe);
    if (pipe.decl.length === 0) return this.print(value, pipe.pos);
    if (value.sideEffect) {
      // Go runs `$x := scratch.Set …` once, here; the variable holds "".
      this.declare(pipe, { expr: '""', type: STRING, constant: '', str: '' }, scope);
      return [{ tag: mustache(value.expr) }];
    }
    this.declare(pipe, value, scope);
    return [];
  }

  /** Go prints strings, ints and bools as they are; other values with %v. */
  private print(value: Value, pos: Pos): Segment[] {
    if (value.sideEffect) return [{ tag: mustache(value.expr) }];
    if (value.constant !== undefined) return [{ text: value.constant }];
    const t = value.type;
    // A float reaches the template as ctmpl's helpers write it: the text Go's %v gives (1e+06).
    if (t.k === 'string' || t.k === 'bool' || t.k === 'float' || (t.k === 'int' && !value.jsNumber)) return [{ tag: mustache(value.expr) }];
    if (t.k === 'int') return [{ tag: mustache(call('printf', [{ expr: '"%d"', type: STRING }, value], STRING).expr) }];
    if (t.k === 'nil') return refuse(pos, 'print', 'nil is not a command in Go', 'remove it');
    if (!printableWithV(t)) return refuse(pos, 'print', `Go prints a ${describeType(t)} as its internal structure ({…} with pointers)`, 'print its fields');
    return [{ tag: mustache(call('printf', [{ expr: '"%v"', type: STRING }, value], STRING).expr) }];
  }

  /** Closes a chain of branches with the helper of its first block. */
  private branches(node: Branches & { kind: 'if' | 'with' }, open: string, body: Segment[], elseScope: Scope, first: boolean, helper: string): Segment[] {
    const out: Segment[] = [{ tag: open }, ...body];
    if (node.elseList) {
      const chained = node.elseChain ? node.elseList[0] : undefined;
      if (chained && chained.kind === node.kind) {
        out.push(...(chained.kind === 'if' ? this.ifBlock(chained, elseScope, false, helper) : this.withBlock(chained, elseScope, false, helper)));
      } else out.push({ tag: '{{else}}' }, ...this.list(node.elseList, elseScope.child()));
    }
    if (first) out.push({ tag: `{{/${helper}}}` });
    return out;
  }

  private ifBlock(node: Extract<Node, { kind: 'if' }>, scope: Scope, first: boolean, helper = 'if'): Segment[] {
    const inner = scope.child();
    const hasDecl = node.pipe.decl.length > 0;
    const value = this.expressions(inner).pipeline(node.pipe, !hasDecl);
    if (value.sideEffect) refuse(node.pipe.pos, 'if', 'a condition that writes scratch', 'write scratch in its own action');
    if (hasDecl) this.declare(node.pipe, value, inner);
    const cond = truth(value);
    const open = first ? blockOpen('if', cond.expr) : `{{else if ${cond.expr}}}`;
    return this.branches(node, open, this.list(node.list, inner.child()), inner, first, helper);
  }

  private withBlock(node: Extract<Node, { kind: 'with' }>, scope: Scope, first: boolean, helper?: string): Segment[] {
    const inner = scope.child();
    const value = this.expressions(inner).pipeline(node.pipe);
    if (value.sideEffect) refuse(node.pipe.pos, 'with', 'a with that writes scratch', 'write scratch in its own action');
    const decl = node.pipe.decl[0]?.name;
    if (nativeTruth(value.type) && value.constant === undefined) {
      // Handlebars' with skips the same values as Go's: bind the value once as a block parameter.
      const name = this.blockParam(decl, 'w');
      const bound: Value = { expr: name, type: value.type };
      const body = inner.child({ dot: bound, context: true });
      if (decl) body.bind(decl, bound, this.state.scratchWrites);
      if (decl) this.declare(node.pipe, value, inner);
      const open = first ? blockOpen('with', value.expr, [name]) : `{{else with ${value.expr} as |${name}|}}`;
      return this.branches(node, open, this.list(node.list, body), inner, first, helper ?? 'with');
    }
    // Ints, maps and dynamic values: Go's truth differs from Handlebars', so test it with #if and
    // use the expression itself as the dot.
    if (value.volatile === 'scratch') refuse(node.pipe.pos, 'with', 'a with over a scratch value that is not a string, list or bool', 'use if and read scratch where needed');
    if (decl) this.declare(node.pipe, value, inner);
    const body = inner.child({ dot: value });
    const cond = truth(value);
    const open = first ? blockOpen('if', cond.expr) : `{{else if ${cond.expr}}}`;
    return this.branches(node, open, this.list(node.list, body), inner, first, helper ?? 'if');
  }

  private range(node: Extract<Node, { kind: 'range' }>, scope: Scope): Segment[] {
    const inner = scope.child();
    const value = this.expressions(inner).pipeline(node.pipe);
    const t = value.type;
    const [first, second] = node.pipe.decl.map((d) => d.name);
    const keyVar = second !== undefined ? first : undefined;
    const valueVar = second ?? first;
    let open: string;
    let dot: Value;
    let key: Value | undefined;
    if (t.k === 'list') {
      const elem = this.blockParam(valueVar, 'it');
      const index = keyVar ? this.blockParam(keyVar, 'i') : undefined;
      open = blockOpen('each', value.expr, index ? [elem, index] : [elem]);
      dot = { expr: elem, type: t.of };
      if (index) key = { expr: index, type: INT, jsNumber: true };
    } else if (t.k === 'map' || t.k === 'any') {
      // Go ranges over a map in sorted key order; `entries` gives [{Key, Value}] in that order.
      const entry = this.blockParam(valueVar ? `${valueVar.replace(/^\$/, '')}Entry` : undefined, 'entry');
      const entryValue: Value = { expr: entry, type: ANY };
      open = blockOpen('each', call('entries', [value], ANY).expr, [entry]);
      dot = member(entryValue, 'Value', t.k === 'map' ? t.of : ANY);
      key = member(entryValue, 'Key', t.k === 'map' ? STRING : ANY);
    } else {
      return refuse(node.pipe.pos, 'range', `range over a ${describeType(t)}`, 'range over a list or a map');
    }
    const body = inner.child({ dot, loop: true, context: true });
    if (keyVar && key) body.bind(keyVar, key, this.state.scratchWrites);
    if (valueVar) body.bind(valueVar, dot, this.state.scratchWrites);
    for (const v of [keyVar, valueVar]) if (v) inner.bind(v, undefined, 0, `${v} is set only inside the range's iterations`);
    const out: Segment[] = [{ tag: open }, ...this.list(node.list, body)];
    if (node.elseList) out.push({ tag: '{{else}}' }, ...this.list(node.elseList, inner.child()));
    out.push({ tag: '{{/each}}' });
    return out;
  }

  private templateCall(pos: Pos, name: string, pipe: Pipeline | undefined, scope: Scope): Segment[] {
    const value = pipe ? this.expressions(scope).pipeline(pipe) : undefined;
    if (value?.sideEffect) refuse(pos, `template ${JSON.stringify(name)}`, 'the data of a template call writes scratch', 'write scratch in its own action');
    const partial = this.partial(name, value?.type, pos);
    if (partial.writesScratch) this.state.scratchWrites++;
    const hbsName = stringLiteral(partial.name);
    return [{ tag: value ? `{{> ${hbsName} ${value.expr}}}` : `{{> ${hbsName}}}` }];
  }

  /** The inline partial for a define called with data of one type, converted on first use. */
  private partial(name: string, type: GoType | undefined, pos: Pos): Partial {
    const def = this.template.definitions.get(name);
    if (!def) return refuse(pos, `template ${JSON.stringify(name)}`, `no template named ${JSON.stringify(name)} is defined`, 'define it; Go fails on this too');
    const key = `${name}\0${type ? describeType(type) : 'nil'}`;
    const known = this.partials.get(key);
    if (known) return known;
    let hbsName = name;
    for (let n = 2; this.partialNames.has(hbsName); n++) hbsName = `${name}~${n}`;
    this.partialNames.add(hbsName);
    const partial: Partial = { name: hbsName, segments: [], writesScratch: false };
    this.partials.set(key, partial);
    const dot: Value | undefined = type ? { expr: 'this', type, thisDepth: 0 } : undefined;
    const scope = new Scope(undefined, dot, `template ${JSON.stringify(name)} is called without data, so its dot is nil`, 0, 0);
    scope.bind('$', dot, this.state.scratchWrites, dot ? undefined : `template ${JSON.stringify(name)} is called without data`);
    const before = this.state.scratchWrites;
    partial.segments = this.list(def.body, scope);
    partial.writesScratch = this.state.scratchWrites !== before;
    return partial;
  }
}

