import { InputError } from '../../errors.js';
import { mergeConfigNodes } from './merge.js';
import type { AstItem, AstObject, AstValue } from './parser.js';
import type { Place, SourceText } from './source.js';
import { objectNode, type ListNode, type Node, type ObjectNode } from './tree.js';
import type { HclReadOptions, HclWarning } from './warning.js';

/**
 * Blocks that consul-template reads as one object (its `flattenKeys` list): given as a list of
 * objects (JSON `"consul": [{…}]`), they count as that many repeated blocks. `template[]` is one
 * template block.
 */
const SINGLE_BLOCKS = new Set([
  ...['consul', 'consul.auth', 'consul.retry', 'consul.ssl', 'consul.transport', 'deduplicate', 'default_delimiters'],
  ...['exec', 'exec.env', 'log_file', 'nomad', 'nomad.ssl', 'nomad.transport', 'syslog', 'wait'],
  ...['vault', 'vault.retry', 'vault.ssl', 'vault.transport', 'auth', 'ssl', 'env'],
  ...['template[].env', 'template[].exec', 'template[].exec.env', 'template[].wait'],
]);

const TEMPLATE_HINT = 'write each template as a block: template { source = "…" destination = "…" }';

interface Context {
  readonly source: SourceText;
  readonly options: HclReadOptions;
  readonly warnings: HclWarning[];
}

/**
 * One file's syntax tree as consul-template's decoder sees it: `template` blocks form a list (in
 * order), a repeated key keeps its last value, `consul = "host:port"` means `consul { address }`.
 * Keys keep consul-template's names; translate.ts maps them to ctmpl's.
 */
export function decodeFile(ast: AstObject, source: SourceText, options: HclReadOptions, warnings: HclWarning[]): ObjectNode {
  const context: Context = { source, options, warnings };
  const start = { source, offset: 0 };
  return decodeObject(ast, '', context, start);
}

const placeOf = (context: Context, offset: number): Place => ({ source: context.source, offset });

function decodeObject(ast: AstObject, path: string, context: Context, keyAt: Place): ObjectNode {
  const out = objectNode(placeOf(context, ast.start), keyAt);
  for (const item of ast.items) {
    const [first] = item.keys;
    if (!first) continue;
    const keyPlace = placeOf(context, first.start);
    const value = withLabelsNested(item);
    if (path === '' && first.name === 'templates') {
      throw context.source.error(first.start, '"templates" is the name in ctmpl\'s YAML config', 'in HCL, write one template { … } block per template, as consul-template does');
    }
    if (path === '' && first.name === 'template') {
      addTemplates(out, value, keyPlace, context);
      continue;
    }
    const childPath = path ? `${path}.${first.name}` : first.name;
    const node = decodeValue(value, childPath, keyPlace, context);
    const previous = out.entries.get(first.name);
    out.entries.set(first.name, previous ? repeated(previous, node, first.name, childPath, context) : node);
  }
  return out;
}

/** `name "a" "b" { … }` is `name { a { b { … } } }` in HCL 1. */
function withLabelsNested(item: AstItem): AstValue {
  let value = item.value;
  for (const label of item.keys.slice(1).reverse()) value = { kind: 'object', items: [{ keys: [label], value }], start: label.start };
  return value;
}

function decodeValue(ast: AstValue, path: string, keyAt: Place, context: Context): Node {
  const at = placeOf(context, ast.start);
  switch (ast.kind) {
    case 'literal': {
      const scalar = { kind: 'scalar', value: ast.value, raw: context.source.text.slice(ast.start, ast.end), at, keyAt } as const;
      if (path === 'consul' && typeof ast.value === 'string') {
        context.warnings.push({ where: context.source.where(ast.start), message: 'consul = "…" is the old form of consul { address = "…" }', hint: 'write consul { address = "…" }' });
        return objectNode(at, keyAt, new Map([['address', scalar]]));
      }
      return scalar;
    }
    case 'object':
      return decodeObject(ast, path, context, keyAt);
    case 'list': {
      if (SINGLE_BLOCKS.has(path) && ast.items.length > 0 && ast.items.every((item) => item.kind === 'object')) {
        const blocks = ast.items.map((item) => decodeValue(item, path, keyAt, context));
        return blocks.reduce((earlier, later) => repeated(earlier, later, path.slice(path.lastIndexOf('.') + 1), path, context));
      }
      const items = ast.items.map((item) => decodeValue(item, `${path}[]`, placeOf(context, item.start), context));
      return { kind: 'list', items, at, keyAt } satisfies ListNode;
    }
  }
}

function addTemplates(out: ObjectNode, value: AstValue, keyAt: Place, context: Context): void {
  const blocks = value.kind === 'list' ? value.items : [value];
  const existing = out.entries.get('template');
  const list: ListNode = existing?.kind === 'list' ? existing : { kind: 'list', items: [], at: placeOf(context, value.start), keyAt };
  for (const block of blocks) {
    if (block.kind !== 'object') throw context.source.error(block.start, 'template must be a block, not a value', TEMPLATE_HINT);
    list.items.push(decodeObject(block, 'template[]', context, keyAt));
  }
  out.entries.set('template', list);
}

/** The same key twice in one block: consul-template's decoder keeps the last one. */
function repeated(previous: Node, next: Node, key: string, path: string, context: Context): Node {
  const again = `at ${context.source.where(next.keyAt.offset)}`;
  const where = context.source.where(previous.keyAt.offset);
  if ((previous.kind === 'object') !== (next.kind === 'object')) {
    throw new InputError(`${key} is given both as a value and as a block (first at ${where})`, context.source.where(next.keyAt.offset), 'keep one of them');
  }
  if (next.kind !== 'object') {
    context.warnings.push({ where, message: `${key} is set again ${again}; the later value wins`, hint: 'remove one of them' });
    return next;
  }
  if (context.options.repeatedBlocks === 'merge') {
    context.warnings.push({ where, message: `${key} { } appears again ${again}: ctmpl merges the two, consul-template would keep only the last one`, hint: 'merge the two blocks into one' });
    return mergeConfigNodes(previous, next, path);
  }
  context.warnings.push({ where, message: `${key} { } appears again ${again}: only the last one counts (as in consul-template), so this one is ignored`, hint: 'merge the two blocks into one' });
  return next;
}
