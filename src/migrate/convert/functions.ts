/**
 * consul-template's functions and Go's builtins, each mapped to the ctmpl helper call that gives
 * the same result, with Go's argument order (a piped value arrives as the last argument). Each
 * entry checks what it can statically (argument count and Go types) and refuses the rest.
 */
import { arity, construct, isNumber, isString, want, type CallContext, type Handler } from './calls.js';
import { checkFormatArgs, parseFormat } from './format.js';
import { LOGIC_FUNCTIONS } from './logic-functions.js';
import { refuse } from './problems.js';
import { ANY, BOOL, FLOAT, INT, STRING, describeType, listOf, mapOf, struct, type GoType } from './types.js';
import { call, type Value } from './values.js';

export type { CallContext } from './calls.js';

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

/** Go function name → conversion. Functions missing here are refused by the caller. */
export const FUNCTIONS: Readonly<Record<string, Handler>> = {
  ...LOGIC_FUNCTIONS,
  // Catalog
  service: serviceCall,
  services: servicesCall,
  key: stringFn('key', 1),
  keyExists: stringFn('keyExists', 1, BOOL),
  // Like consul-template's, ctmpl's gives the default for a missing key and for an empty value.
  keyOrDefault: stringFn('keyOrDefault', 2),
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
  base64URLEncode: stringFn('base64URLEncode', 1),
  base64URLDecode: stringFn('base64URLDecode', 1, STRING, true),
  sha256Hex: stringFn('sha256Hex', 1),
  md5sum: stringFn('md5sum', 1),
  hmacSHA256Hex: stringFn('hmacSHA256Hex', 2),
  parseInt: stringFn('parseInt', 1, INT, true),
  parseUint: stringFn('parseUint', 1, INT, true),
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
  toUnescapedJSON: encoder('toUnescapedJSON'),
  toUnescapedJSONPretty: encoder('toUnescapedJSONPretty'),
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
  maximum: arithmetic('maximum', false),
  minimum: arithmetic('minimum', false),
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
