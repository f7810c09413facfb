/**
 * Go's comparison and logic builtins (eq ne lt le gt ge and or not) and consul-template's
 * membership functions (contains, in, containsAll/Any/None/NotAll), mapped onto ctmpl's helpers
 * where Go's rules and ctmpl's give the same answer, refused where they would not.
 */
import { arity, construct, type CallContext, type Handler } from './calls.js';
import { refuse } from './problems.js';
import { ANY, BOOL, STRING, describeType, sameType } from './types.js';
import { call, negation, truth, type Value } from './values.js';

/** Go's eq/ne/lt… compare basic values of one kind; anything else fails in Go. */
function comparable(args: Value[], ctx: CallContext, ordered: boolean): void {
  for (const [i, a] of args.entries()) {
    if (a.type.k === 'list' || a.type.k === 'map' || a.type.k === 'struct') {
      refuse(ctx.pos, construct(ctx), `${ctx.name} cannot compare a ${describeType(a.type)} (argument ${i + 1})`, 'compare a field or a length instead');
    }
  }
  // Go compares an int with an int and a float with a float; an int with a float fails (errBadComparison).
  const kinds = new Set(args.map((a) => a.type.k).filter((k) => k !== 'any' && k !== 'nil'));
  if (kinds.size > 1) refuse(ctx.pos, construct(ctx), `${ctx.name} compares values of different types (${args.map((a) => describeType(a.type)).join(', ')})`, 'Go fails with "incompatible types for comparison"; compare like with like');
  // ctmpl's lt/gt compare as numbers whenever both sides look like numbers; Go compares strings
  // byte by byte. Only a constant that is not a number keeps the two in step.
  if (ordered && kinds.has('string') && !args.some((a) => a.str !== undefined && (a.str.trim() === '' || Number.isNaN(Number(a.str))))) {
    refuse(ctx.pos, construct(ctx), `${ctx.name} on two strings compares them as numbers in ctmpl when both look like numbers, byte by byte in Go`, 'compare numbers (parseInt) or compare with a constant that is not a number');
  }
}

function compare(helper: string): Handler {
  return (args, ctx) => {
    arity(args, ctx, 2);
    comparable(args, ctx, true);
    return call(helper, args, BOOL);
  };
}

/** and/or: Go returns one of the arguments, evaluating them left to right until decided. */
function logic(helper: 'and' | 'or'): Handler {
  return (args, ctx) => {
    arity(args, ctx, 1, Infinity);
    const later = args.slice(1).find((a) => a.mayFail || a.sideEffect);
    if (later) refuse(ctx.pos, construct(ctx), `${helper} evaluates every argument in ctmpl, but Go stops at the first that decides; a later argument here can fail or has an effect`, `split it into nested {{if}}s`);
    if (ctx.truthOnly) return call(helper, args.map(truth), BOOL);
    const numeric = args.find((a) => a.type.k === 'int' || a.type.k === 'float');
    if (numeric) refuse(ctx.pos, construct(ctx), `${helper} returns one of its arguments, and a number (a string in ctmpl) is empty in Go only when it is 0`, 'use it as a condition ({{if}}), or compare with eq/ne first');
    const first = args[0] as Value;
    const type = args.every((a) => sameType(a.type, first.type)) ? first.type : ANY;
    return call(helper, args, type);
  };
}

/** containsAll/Any/None: Go takes a []interface{} (parseJSON's lists) and any list. */
function containsSome(helper: string): Handler {
  return (args, ctx) => {
    arity(args, ctx, 2);
    if ((args[0] as Value).type.k !== 'any') {
      refuse(ctx.pos, construct(ctx), `${helper} needs a []interface{} (a parseJSON list) as argument 1; Go fails on a ${describeType((args[0] as Value).type)}`, 'build the list with parseJSON');
    }
    return call(helper, args, BOOL);
  };
}

function containsCall(args: Value[], ctx: CallContext, haystack: Value, needle: Value): Value {
  const ht = haystack.type;
  const elem = ht.k === 'list' ? ht.of : ht.k === 'string' ? STRING : undefined;
  if (ht.k !== 'any' && elem === undefined) refuse(ctx.pos, construct(ctx), `${ctx.name} of a ${describeType(ht)}`, 'search a list or a string');
  if (elem && needle.type.k !== 'any' && elem.k !== 'any' && !sameType(elem, needle.type)) {
    refuse(ctx.pos, construct(ctx), `${ctx.name} looks for a ${describeType(needle.type)} in a ${describeType(ht)}: always false in Go, compared as text in ctmpl`, 'look for a value of the element type');
  }
  return call('contains', [haystack, needle], BOOL);
}


export const LOGIC_FUNCTIONS: Readonly<Record<string, Handler>> = {
  contains: (args, ctx) => {
    arity(args, ctx, 2);
    return containsCall(args, ctx, args[1] as Value, args[0] as Value);
  },
  in: (args, ctx) => {
    arity(args, ctx, 2);
    return containsCall(args, ctx, args[0] as Value, args[1] as Value);
  },
  containsAll: containsSome('containsAll'),
  containsAny: containsSome('containsAny'),
  containsNone: containsSome('containsNone'),
  containsNotAll: containsSome('containsNotAll'),
  eq: (args, ctx) => {
    arity(args, ctx, 2, Infinity);
    comparable(args, ctx, false);
    const [first, ...rest] = args as [Value, ...Value[]];
    if (rest.length === 1) return call('eq', args, BOOL);
    return call('or', rest.map((r) => call('eq', [first, r], BOOL)), BOOL);
  },
  ne: (args, ctx) => {
    arity(args, ctx, 2);
    comparable(args, ctx, false);
    return call('ne', args, BOOL);
  },
  lt: compare('lt'),
  le: compare('le'),
  gt: compare('gt'),
  ge: compare('ge'),
  and: logic('and'),
  or: logic('or'),
  not: (args, ctx) => {
    arity(args, ctx, 1);
    return negation(args[0] as Value);
  },
};
