/**
 * Go pipelines → Handlebars expressions. A pipeline `a | b x | c` becomes `(c (b x (a)))`:
 * Go passes the piped value as the last argument, so it is placed last.
 */
import type { Command, Operand, Pipeline, Pos } from '../gotemplate/ast.js';
import { formatGoFloat } from './format.js';
import { FUNCTIONS, type CallContext } from './functions.js';
import { scratchCall } from './scratch.js';
import { stringLiteral } from './hbs.js';
import { refuse } from './problems.js';
import type { Scope } from './scope.js';
import { ANY, BOOL, FLOAT, INT, NIL, STRING, describeType, fieldOf, type GoType } from './types.js';
import { member, type Value } from './values.js';

/** What expressions read from the conversion as a whole. */
export interface ConversionState {
  readonly scratchTypes: Map<string, GoType>;
  scratchWrites: number;
}

const LOGIC = new Set(['and', 'or', 'not']);

export class Expressions {
  constructor(
    private readonly state: ConversionState,
    private readonly scope: Scope,
  ) {}

  /** The value of a pipeline; with `truthOnly`, only its truth will be used (an `if`). */
  pipeline(pipe: Pipeline, truthOnly = false): Value {
    let value: Value | undefined;
    pipe.cmds.forEach((cmd, i) => {
      value = this.command(cmd, value, truthOnly && i === pipe.cmds.length - 1);
    });
    return value as Value;
  }

  private command(cmd: Command, piped: Value | undefined, truthOnly: boolean): Value {
    const [head, ...rest] = cmd.args as [Operand, ...Operand[]];
    const argsOf = (logic: boolean): Value[] => {
      const args = rest.map((op) => this.operand(op, logic));
      return piped ? [...args, piped] : args;
    };
    if (head.kind === 'identifier') {
      const logic = LOGIC.has(head.name) && (truthOnly || head.name === 'not');
      return this.callFunction(head.name, argsOf(logic), head.pos, truthOnly);
    }
    if (head.kind === 'chain' && head.node.kind === 'identifier' && head.node.name === 'scratch' && head.fields.length === 1) {
      const value = scratchCall(head.fields[0] as string, argsOf(false), this.callContext(`scratch.${head.fields[0] as string}`, head.pos, false));
      if (value.sideEffect) this.state.scratchWrites++;
      return value;
    }
    if (rest.length > 0 || piped) {
      refuse(head.pos, 'arguments', 'arguments given to a value that is not a function', 'Go fails on this too ("can\'t give argument to non-function")');
    }
    return this.operand(head, truthOnly);
  }

  private callContext(name: string, pos: Pos, truthOnly: boolean): CallContext {
    return { pos, name, scratchTypes: this.state.scratchTypes, truthOnly };
  }

  private callFunction(name: string, args: Value[], pos: Pos, truthOnly: boolean): Value {
    const fn = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
    if (!fn) {
      const hint = name === 'scratch' ? 'call a method: scratch.Set, scratch.Get, scratch.Key, scratch.MapSet, scratch.MapValues' : 'rewrite it with the functions the converter knows (see the migration guide), or convert this part by hand';
      return refuse(pos, name, `the function ${name} has no ctmpl equivalent the converter can emit`, hint);
    }
    const value = fn(args, this.callContext(name, pos, truthOnly));
    if (value.sideEffect) this.state.scratchWrites++;
    return value;
  }

  operand(op: Operand, truthOnly = false): Value {
    switch (op.kind) {
      case 'dot':
        return this.dot(op.pos);
      case 'nil':
        return { expr: 'null', type: NIL };
      case 'bool':
        return { expr: String(op.value), type: BOOL, constant: String(op.value) };
      case 'string': {
        // Printed, a literal becomes text; only a literal used as an argument needs a Handlebars
        // form, so one that has none (a trailing backslash) is refused only then.
        const literal = this.literal.bind(this);
        return {
          get expr(): string {
            return literal(() => stringLiteral(op.value), op.pos, op.quoted);
          },
          type: STRING,
          constant: op.value,
          str: op.value,
        };
      }
      case 'number':
        return this.number(op);
      case 'field':
        return this.fields(this.dot(op.pos), op.names, op.pos);
      case 'variable':
        return this.fields(this.variable(op.name, op.pos), op.fields, op.pos);
      case 'identifier':
        return this.command({ pos: op.pos, args: [op] }, undefined, truthOnly);
      case 'pipeline':
        if (op.pipe.decl.length > 0) refuse(op.pos, 'declaration in parentheses', 'a variable declared inside parentheses', 'declare it in its own action');
        return this.pipeline(op.pipe, truthOnly);
      case 'chain':
        return this.fields(this.operand(op.node), op.fields, op.pos);
    }
  }

  private literal(write: () => string, pos: Pos, construct: string): string {
    try {
      return write();
    } catch (err) {
      return refuse(pos, construct, (err as Error).message, 'change the literal');
    }
  }

  private number(op: Extract<Operand, { kind: 'number' }>): Value {
    const n = op.value;
    if (n.complex) refuse(op.pos, op.text, 'complex numbers have no ctmpl equivalent', 'use a real number');
    if (!n.floatSyntax || op.text.startsWith("'")) {
      const int = n.int as bigint;
      if (int > BigInt(Number.MAX_SAFE_INTEGER) || int < BigInt(Number.MIN_SAFE_INTEGER)) {
        refuse(op.pos, op.text, 'an integer beyond ±2^53 loses digits in JavaScript', 'use a smaller number');
      }
      return { expr: int.toString(), type: INT, constant: int.toString() };
    }
    // As a string with a fraction or an exponent: ctmpl's helpers read a Handlebars number
    // literal that is whole (`2.0` is 2) as an int, a string such as "2.0" as a float64.
    const text = Object.is(n.float, -0) ? '-0' : String(n.float);
    const expr = stringLiteral(/^-?[0-9]+$/.test(text) ? `${text}.0` : text);
    return { expr, type: FLOAT, constant: formatGoFloat(n.float) };
  }

  private dot(pos: Pos): Value {
    const dot = this.scope.dot;
    if (!dot) return refuse(pos, '.', this.scope.dotMissing, 'use a variable or a function result instead of the dot here');
    return this.checkContext(dot, pos, '.');
  }

  private checkContext(v: Value, pos: Pos, construct: string): Value {
    if (v.thisDepth !== undefined && v.thisDepth !== this.scope.ctxDepth) {
      refuse(pos, construct, 'inside a range or with of a define, this refers to the data the template was called with, which Handlebars cannot reach reliably from a nested block', 'read the value into the range/with pipeline, or pass what you need as the template\'s data');
    }
    return v;
  }

  private variable(name: string, pos: Pos): Value {
    const b = this.scope.lookup(name);
    if (!b) return refuse(pos, name, `undefined variable ${name}`, 'declare it first');
    if (!b.value) return refuse(pos, name, b.unavailable ?? `${name} has no value here`, 'restructure the template so the value is computed where it is used');
    const v = b.value;
    if (v.volatile) {
      const what = v.volatile === 'clock' ? 'the clock' : 'scratch';
      if (this.scope.loopDepth > b.loopDepth) refuse(pos, name, `${name} holds a value read from ${what}; inside a range it would be read again each time`, 'read it where it is used');
      if (v.volatile === 'scratch' && this.state.scratchWrites !== b.scratchWrites) refuse(pos, name, `${name} holds a value read from scratch, written again before this use`, 'read scratch where the value is used');
      if (v.volatile === 'clock' && b.uses > 0) refuse(pos, name, `${name} holds the time; each use would read the clock again`, 'use the variable once');
    }
    b.uses++;
    return this.checkContext(v, pos, name);
  }

  /** `.A.B` on a value, with Go's rules for structs, maps and dynamic values. */
  fields(base: Value, names: readonly string[], pos: Pos): Value {
    let v = base;
    for (const name of names) {
      const t = v.type;
      if (t.k === 'struct') {
        const f = fieldOf(t.name, name);
        if ('missing' in f) refuse(pos, `.${name}`, f.missing, 'use a field ctmpl has (see the migration guide)');
        const { type, ctmpl } = f as { type: GoType; ctmpl: string };
        v = member(v, ctmpl, type);
      } else if (t.k === 'map') v = member(v, name, t.of);
      else if (t.k === 'any') v = member(v, name, ANY);
      else refuse(pos, `.${name}`, `a ${describeType(t)} has no field ${name}`, 'Go fails on this too; read a field of a structure or a map');
    }
    return v;
  }
}

