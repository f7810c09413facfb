/**
 * A converted Go expression: its Handlebars form and what the converter knows about it (Go type,
 * whether it may be evaluated again where it is used, whether it can fail). Also the rules that
 * turn a value into a Handlebars condition with Go's idea of truth.
 */
import { pathSegment } from './hbs.js';
import { BOOL, INT, type GoType } from './types.js';

export interface Value {
  /** A Handlebars parameter: a path (`s.Port`), a literal (`"x"`, `80`) or a subexpression. */
  readonly expr: string;
  readonly type: GoType;
  /** What Go prints for this constant (a literal), so it can be folded into the text. */
  readonly constant?: string;
  /** The value of a string literal (for formats, service names…). */
  readonly str?: string;
  /** Reads state that changes while rendering: scratch (later writes) or the clock. */
  readonly volatile?: 'scratch' | 'clock';
  /** Can throw at render time (index out of range, parse errors…). */
  readonly mayFail?: boolean;
  /** May be a JavaScript number at run time (a range index): never print two side by side. */
  readonly jsNumber?: boolean;
  /** Relative to Handlebars' `this` at this context depth (inside a define). */
  readonly thisDepth?: number;
  /** Writes scratch: must be emitted once, where it stands. */
  readonly sideEffect?: boolean;
}

/** What a helper call inherits from its arguments. */
export function inherit(args: readonly Value[]): Pick<Value, 'volatile' | 'mayFail' | 'thisDepth'> {
  const volatile = args.find((a) => a.volatile)?.volatile;
  const thisDepth = args.find((a) => a.thisDepth !== undefined)?.thisDepth;
  return {
    ...(volatile ? { volatile } : {}),
    ...(args.some((a) => a.mayFail) ? { mayFail: true } : {}),
    ...(thisDepth !== undefined ? { thisDepth } : {}),
  };
}

/** `(name a b …)` with hash arguments, typed `type`. */
export function call(name: string, args: readonly Value[], type: GoType, extra: Partial<Value> = {}, hash = ''): Value {
  const params = args.map((a) => a.expr).join(' ');
  const expr = `(${name}${params ? ` ${params}` : ''}${hash ? ` ${hash}` : ''})`;
  return { expr, type, ...inherit(args), ...extra };
}

/** True when `expr` is a path Handlebars can extend with `.segment`. */
function isPath(expr: string): boolean {
  return !expr.startsWith('(') && !expr.startsWith('"') && !/^-?[0-9]/.test(expr) && !['true', 'false', 'null', 'undefined'].includes(expr);
}

/** `base.name`, or `(lookup base "name")` when the base is a subexpression. */
export function member(base: Value, name: string, type: GoType): Value {
  const expr = isPath(base.expr) ? `${base.expr}.${pathSegment(name)}` : `(lookup ${base.expr} "${name.replace(/"/g, '\\"')}")`;
  // A member is neither a constant nor a side effect; it keeps what it reads (scratch, `this`…).
  return { expr, type, ...inherit([base]) };
}

/** Whether Handlebars' `#if`/`#with` decide like Go's `if`/`with` for values of this type. */
export function nativeTruth(type: GoType): boolean {
  return type.k === 'string' || type.k === 'bool' || type.k === 'list' || type.k === 'struct';
}

/**
 * A Handlebars parameter that is truthy exactly when Go's `if` is: ints (strings in ctmpl, where
 * "0" is truthy) compare with 0, maps count their keys, dynamic values go through `not`.
 */
export function truth(v: Value): Value {
  switch (v.type.k) {
    case 'string':
    case 'bool':
    case 'list':
    case 'struct':
      return v;
    case 'nil':
      return { expr: 'false', type: BOOL, constant: 'false' };
    case 'int':
    case 'float':
      return call('ne', [v, { expr: '0', type: v.type }], BOOL);
    case 'map':
      return call('ne', [call('len', [v], INT), { expr: '0', type: INT }], BOOL);
    case 'any':
      return call('not', [call('not', [v], BOOL)], BOOL);
  }
}

/** Go's `not`: true when the value is empty by Go's rules. */
export function negation(v: Value): Value {
  switch (v.type.k) {
    case 'int':
    case 'float':
      return call('eq', [v, { expr: '0', type: v.type }], BOOL);
    case 'map':
      return call('eq', [call('len', [v], INT), { expr: '0', type: INT }], BOOL);
    case 'nil':
      return { expr: 'true', type: BOOL, constant: 'true' };
    default:
      return call('not', [v], BOOL);
  }
}
