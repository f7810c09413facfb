/**
 * What every conversion of a Go function shares: the call's context, and the checks of argument
 * count and Go types that refuse what Go itself would fail on.
 */
import type { Pos } from '../gotemplate/ast.js';
import { refuse } from './problems.js';
import { describeType, type GoType } from './types.js';
import type { Value } from './values.js';

export interface CallContext {
  readonly pos: Pos;
  readonly name: string;
  /** The Go type last stored under each literal scratch key (for `scratch.Get`). */
  readonly scratchTypes: Map<string, GoType>;
  /** The call decides an `if`: only its truth matters, so and/or may work on booleans. */
  readonly truthOnly: boolean;
}

export type Handler = (args: Value[], ctx: CallContext) => Value;

export const construct = (ctx: CallContext): string => ctx.name;

export function arity(args: Value[], ctx: CallContext, min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    refuse(ctx.pos, construct(ctx), `${ctx.name} takes ${want} argument(s), got ${args.length}`, 'fix the call; Go would fail on it too');
  }
}

export function want(v: Value, ctx: CallContext, ok: (t: GoType) => boolean, what: string, index: number): void {
  if (v.type.k !== 'any' && !ok(v.type)) {
    refuse(ctx.pos, construct(ctx), `argument ${index + 1} of ${ctx.name} is a ${describeType(v.type)}; ${ctx.name} expects ${what}`, 'fix the argument; Go would fail on it too');
  }
}

export const isString = (t: GoType): boolean => t.k === 'string';
export const isNumber = (t: GoType): boolean => t.k === 'int' || t.k === 'float';
