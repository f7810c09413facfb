/**
 * consul-template's `scratch` (one per render): `scratch.Set "k" v` and friends become ctmpl's
 * scratchSet/scratchGet/… helpers. A literal key remembers the Go type last stored under it, so
 * what `scratch.Get` returns can be printed and tested like the original value.
 */
import { arity, isString, want, type CallContext } from './calls.js';
import { refuse } from './problems.js';
import { ANY, BOOL, STRING, listOf, mapOf, sameType, type GoType } from './types.js';
import { call, type Value } from './values.js';

/** Values handed to scratch keep their Go type when the key is a literal. */
function scratchKey(args: Value[]): string | undefined {
  return args[0]?.str;
}

/** `scratch.Method args`: the converter's scratch helpers (one scratch per render, as in Go). */
export function scratchCall(method: string, args: Value[], ctx: CallContext): Value {
  const key = scratchKey(args);
  const types = ctx.scratchTypes;
  const effect = (helper: string, count: number, valueType: (v: Value) => GoType): Value => {
    arity(args, ctx, count);
    want(args[0] as Value, ctx, isString, 'a string key', 0);
    const v = args[count - 1] as Value;
    if (key !== undefined) {
      const t = valueType(v);
      const old = types.get(key);
      types.set(key, old === undefined || sameType(old, t) ? t : ANY);
    } else types.clear();
    return call(helper, args, STRING, { sideEffect: true, constant: undefined });
  };
  switch (method) {
    case 'Set':
      return effect('scratchSet', 2, (v) => v.type);
    case 'SetX':
      return effect('scratchSetX', 2, (v) => v.type);
    case 'MapSet':
      return effect('scratchMapSet', 3, (v) => mapOf(v.type));
    case 'MapSetX':
      return effect('scratchMapSetX', 3, (v) => mapOf(v.type));
    case 'Get': {
      arity(args, ctx, 1);
      return call('scratchGet', args, (key !== undefined ? types.get(key) : undefined) ?? ANY, { volatile: 'scratch' });
    }
    case 'Key':
      arity(args, ctx, 1);
      return call('scratchKey', args, BOOL, { volatile: 'scratch' });
    case 'MapValues': {
      arity(args, ctx, 1);
      const t = key !== undefined ? types.get(key) : undefined;
      return call('scratchMapValues', args, listOf(t?.k === 'map' ? t.of : ANY), { volatile: 'scratch' });
    }
  }
  return refuse(ctx.pos, `scratch.${method}`, `scratch has no method ${method}`, 'use Set, SetX, Get, Key, MapSet, MapSetX or MapValues');
}
