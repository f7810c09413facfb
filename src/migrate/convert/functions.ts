/**
 * consul-template's functions and Go's builtins, each mapped to the ctmpl helper call that gives
 * the same result, with Go's argument order (a piped value arrives as the last argument). Each
 * entry checks what it can statically (argument count and Go types) and refuses the rest.
 */
import type { Pos } from '../gotemplate/ast.js';
import { checkFormatArgs, parseFormat } from './format.js';
import { refuse } from './problems.js';
import { ANY, BOOL, FLOAT, INT, STRING, describeType, listOf, mapOf, sameType, struct, type GoType } from './types.js';
import { call, negation, truth, type Value } from './values.js';

export interface CallContext {
  readonly pos: Pos;
  readonly name: string;
  /** The Go type last stored under each literal scratch key (for `scratch.Get`). */
  readonly scratchTypes: Map<string, GoType>;
  /** The call decides an `if`: only its truth matters, so and/or may work on booleans. */
  readonly truthOnly: boolean;
}

type Handler = (args: Value[], ctx: CallContext) => Value;

const construct = (ctx: CallContext): string => ctx.name;

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
const isNumber = (t: GoType): boolean => t.k === 'int' || t.k === 'float';

/** Functions of strings that return a string (Go's argument order kept). */
function stringFn(helper: string, count: number, ret: GoType = STRING, mayFail = false): Handler {
  return (args, ctx) => {
    arity(args, ctx, count);
    args.forEach((a, i) => want(a, ctx, isString, 'a string', i));
    return call(helper, args, ret, mayFail ? { mayFail } : {});
  };
}

function arithmetic(helper: string, mayFail: boolean): Handler {
  return (args, ctx) => {
    arity(args, ctx, 2);
    args.forEach((a, i) => want(a, ctx, isNumber, 'a number', i));
    const type = args.some((a) => a.type.k === 'any') ? ANY : args.some((a) => a.type.k === 'float') ? FLOAT : INT;
    return call(helper, args, type, mayFail ? { mayFail } : {});
  };
}

/** Go's eq/ne/lt… compare basic values of one kind; anything else fails in Go. */
function comparable(args: Value[], ctx: CallContext, ordered: boolean): void {
  for (const [i, a] of args.entries()) {
    if (a.type.k === 'list' || a.type.k === 'map' || a.type.k === 'struct') {
      refuse(ctx.pos, construct(ctx), `${ctx.name} cannot compare a ${describeType(a.type)} (argument ${i + 1})`, 'compare a field or a length instead');
    }
  }
  const kinds = new Set(args.map((a) => (a.type.k === 'float' ? 'int' : a.type.k)).filter((k) => k !== 'any' && k !== 'nil'));
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

function serviceCall(args: Value[], ctx: CallContext): Value {
  arity(args, ctx, 1, 2);
  args.forEach((a, i) => want(a, ctx, isString, 'a string', i));
  const [query, status] = args as [Value, Value | undefined];
  return call('service', [query], listOf(struct('HealthService')), {}, status ? `status=${status.expr}` : '');
}

function servicesCall(args: Value[], ctx: CallContext): Value {
  arity(args, ctx, 0, 1);
  const type = listOf(struct('CatalogSnippet'));
  const arg = args[0];
  if (!arg || arg.str === '') return call('services', [], type);
  const dc = arg.str?.startsWith('@') ? arg.str.slice(1) : undefined;
  if (dc === undefined || !/^[A-Za-z0-9_.-]+$/.test(dc)) {
    refuse(ctx.pos, construct(ctx), 'ctmpl\'s services takes only a literal "@datacenter"', 'write the datacenter as a literal, e.g. services "@dc2"');
  }
  return call('services', [], type, {}, `dc="${dc}"`);
}

function lenCall(args: Value[], ctx: CallContext): Value {
  arity(args, ctx, 1);
  const [v] = args as [Value];
  if (v.type.k === 'string') refuse(ctx.pos, construct(ctx), 'Go counts the bytes of a string, ctmpl its characters', 'compare the string itself, or count a list');
  want(v, ctx, (t) => t.k === 'list' || t.k === 'map', 'a list or a map', 0);
  return call('len', [v], INT);
}

function indexCall(args: Value[], ctx: CallContext): Value {
  arity(args, ctx, 1, Infinity);
  let type = (args[0] as Value).type;
  for (const [i, key] of args.slice(1).entries()) {
    if (type.k === 'list') want(key, ctx, (t) => t.k === 'int', 'an int index', i + 1);
    else if (type.k === 'map') want(key, ctx, isString, 'a string key', i + 1);
    else if (type.k !== 'any') refuse(ctx.pos, construct(ctx), `index of a ${describeType(type)}`, 'index a list or a map');
    type = type.k === 'list' || type.k === 'map' ? type.of : ANY;
  }
  return call('index', args, type, { mayFail: true });
}

function printfCall(args: Value[], ctx: CallContext): Value {
  arity(args, ctx, 1, Infinity);
  const [format, ...rest] = args as [Value, ...Value[]];
  if (format.str === undefined) refuse(ctx.pos, construct(ctx), 'the format of printf is not a literal, so the converter cannot check it', 'write the format as a literal string');
  const verbs = parseFormat(format.str as string);
  const problem = typeof verbs === 'string' ? verbs : checkFormatArgs(verbs, rest.map((a) => a.type));
  if (problem) refuse(ctx.pos, `printf ${format.expr}`, problem, 'use a verb ctmpl supports with an argument of its type');
  return call('printf', args, STRING);
}

function joinCall(args: Value[], ctx: CallContext): Value {
  arity(args, ctx, 2);
  const [sep, list] = args as [Value, Value];
  want(sep, ctx, isString, 'a separator string', 0);
  want(list, ctx, (t) => t.k === 'list' && t.of.k === 'string', 'a list of strings', 1);
  return call('join', [list, sep], STRING);
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

/** Go function name → conversion. Functions missing here are refused by the caller. */
export const FUNCTIONS: Readonly<Record<string, Handler>> = {
  // Catalog
  service: serviceCall,
  services: servicesCall,
  key: stringFn('key', 1),
  keyExists: stringFn('keyExists', 1, BOOL),
  // ctmpl's keyOrDefault keeps an existing empty value; consul-template gives the default then.
  keyOrDefault: (args, ctx) => {
    arity(args, ctx, 2);
    args.forEach((a, i) => want(a, ctx, isString, 'a string', i));
    return call('default', [call('keyOrDefault', args, STRING), args[1] as Value], STRING);
  },
  ls: stringFn('ls', 1, listOf(struct('KeyPair'))),
  tree: stringFn('tree', 1, listOf(struct('KeyPair'))),
  node: (args, ctx) => {
    arity(args, ctx, 0, 1);
    return call('node', args, struct('CatalogNode'));
  },
  nodes: (args, ctx) => {
    arity(args, ctx, 0, 1);
    return call('nodes', args, listOf(struct('Node')));
  },
  datacenters: (args, ctx) => {
    arity(args, ctx, 0, 1);
    return call('datacenters', args, listOf(STRING));
  },
  env: stringFn('env', 1),
  file: stringFn('file', 1, STRING, true),
  // Strings
  join: joinCall,
  split: (args, ctx) => stringFn('split', 2, listOf(STRING))(args, ctx),
  replaceAll: stringFn('replaceAll', 3),
  regexMatch: stringFn('regexMatch', 2, BOOL, true),
  regexReplaceAll: stringFn('regexReplaceAll', 3, STRING, true),
  trimSpace: stringFn('trimSpace', 1),
  trimPrefix: stringFn('trimPrefix', 2),
  trimSuffix: stringFn('trimSuffix', 2),
  toUpper: stringFn('toUpper', 1),
  toLower: stringFn('toLower', 1),
  toTitle: stringFn('toTitle', 1),
  base64Encode: stringFn('base64Encode', 1),
  base64Decode: stringFn('base64Decode', 1, STRING, true),
  parseInt: stringFn('parseInt', 1, INT, true),
  parseFloat: stringFn('parseFloat', 1, FLOAT, true),
  parseBool: stringFn('parseBool', 1, BOOL, true),
  parseJSON: stringFn('parseJSON', 1, ANY, true),
  indent: (args, ctx) => {
    arity(args, ctx, 2);
    want(args[0] as Value, ctx, (t) => t.k === 'int', 'a number of spaces', 0);
    want(args[1] as Value, ctx, isString, 'a string', 1);
    return call('indent', args, STRING, { mayFail: true });
  },
  timestamp: (args, ctx) => {
    arity(args, ctx, 0, 1);
    return call('timestamp', args, STRING, { volatile: 'clock' });
  },
  printf: printfCall,
  // Encoding: structures are ctmpl's own objects, not consul-template's, so only plain data.
  toJSON: encoder('toJSON'),
  toJSONPretty: encoder('toJSONPretty'),
  toYAML: encoder('toYAML'),
  // Lists and maps
  byTag: (args, ctx) => {
    arity(args, ctx, 1);
    const t = (args[0] as Value).type;
    if (!(t.k === 'list' && t.of.k === 'struct' && (t.of.name === 'HealthService' || t.of.name === 'CatalogSnippet'))) {
      refuse(ctx.pos, construct(ctx), `byTag of a ${describeType(t)}`, 'pass the result of service or services');
    }
    return call('byTag', args, mapOf(t));
  },
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
  loop: (args, ctx) => {
    arity(args, ctx, 1, 2);
    args.forEach((a, i) => want(a, ctx, (t) => t.k === 'int', 'an int', i));
    return call('loop', args, listOf(INT));
  },
  len: lenCall,
  index: indexCall,
  // Arithmetic (consul-template's order: `subtract 1 5` is 5 - 1)
  add: arithmetic('add', false),
  subtract: arithmetic('subtract', false),
  multiply: arithmetic('multiply', false),
  divide: arithmetic('divide', true),
  modulo: arithmetic('modulo', true),
  // Comparison and logic (Go builtins)
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

function encoder(helper: string): Handler {
  return (args, ctx) => {
    arity(args, ctx, 1);
    const plain = (t: GoType): boolean => t.k === 'string' || t.k === 'bool' || t.k === 'any' || ((t.k === 'list' || t.k === 'map') && plain(t.of));
    const [v] = args as [Value];
    if (!plain(v.type)) {
      refuse(ctx.pos, construct(ctx), `${helper} of a ${describeType(v.type)}: consul-template encodes its Go structures (field order, numbers as numbers), ctmpl its own objects`, 'encode a map or list of strings, or write the JSON out with the fields you need');
    }
    return call(helper, args, STRING);
  };
}
