/**
 * consul-template's catalog node helpers: `node`, `nodes` and `datacenters` (its template/funcs.go
 * and dependency/catalog_node*.go). Only a registry with catalog nodes answers them (Consul:
 * RegistryCapabilities.nodes); asked of another, a render fails with an error naming the source.
 */
import { QueryError } from '../../catalog/query.js';
import type { RenderContext } from '../render-context.js';
import { optionalString, renderContextOf, splitArgs, type Helper, type HelperOptions } from './args.js';

/** Datacenter and node names as consul-template's patterns take them (`[[:word:].-]`). */
const NAME = /^[A-Za-z0-9_.-]+$/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The source that answers: `source=`, else the first configured source with catalog nodes. */
function nodeSource(helper: string, ctx: RenderContext, name: unknown): string {
  try {
    return ctx.sourcesFor(name, (c) => c.nodes, 'catalog nodes')[0] as string;
  } catch (err) {
    throw new Error(`${helper}: ${err instanceof Error ? err.message : String(err)}; only Consul has catalog nodes: name a Consul source with source=`);
  }
}

/** The one optional string argument (consul-template's `"name@dc"`, `"@dc~near"`). */
function textArg(helper: string, params: unknown[]): string {
  if (params.length > 1) throw new QueryError(`${helper}: expected at most one argument, got ${params.length}`);
  const text = params[0] ?? '';
  if (typeof text !== 'string') throw new QueryError(`${helper}: expected a string such as "name@dc", got ${typeof text}`);
  return text;
}

function checked(helper: string, what: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!NAME.test(value)) throw new QueryError(`${helper}: bad ${what} "${value}" (letters, digits, "_", "." and "-")`);
  return value;
}

/** Splits `text` at `mark`: what comes before, and what follows (undefined without the mark). */
function cut(text: string, mark: string): [string, string | undefined] {
  const at = text.indexOf(mark);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function call(args: unknown[]): { params: unknown[]; options: HelperOptions; ctx: RenderContext } {
  const { params, options } = splitArgs(args);
  return { params, options, ctx: renderContextOf(options) };
}

export const nodeHelpers: Record<string, Helper> = {
  /**
   * `(node)`: the node of the agent ctmpl talks to, `(node "name")` or `(node "name@dc")` (or
   * `dc=`) another: `{ Node: {ID, Node, Address, Datacenter, TaggedAddresses, Meta}, Services }`,
   * services sorted by name then ID. Null (so `{{#with}}` takes its `{{else}}`) for a node the
   * catalog does not have. Consul sources only.
   */
  node(...args) {
    const { params, options, ctx } = call(args);
    const [name, dcText] = cut(textArg('node', params), '@');
    const dc = checked('node', 'datacenter', optionalString(options.hash.dc) ?? dcText);
    if (CONTROL.test(name)) throw new QueryError(`node: bad node name ${JSON.stringify(name)}`);
    if (name === '' && dcText !== undefined) throw new QueryError(`node "@${dcText}": name the node to read in another datacenter`);
    const source = nodeSource('node', ctx, options.hash.source);
    return ctx.need({ kind: 'node', source, ...(name !== '' ? { name } : {}), ...(dc ? { dc } : {}) }) ?? null;
  },

  /**
   * `(nodes)`: every node of the catalog as `{ID, Node, Address, Datacenter, TaggedAddresses,
   * Meta}`, sorted by name then address; `(nodes "@dc2~_agent")` (or `dc=`, `near=`) in another
   * datacenter, or in round-trip order from a node (`_agent`: the agent's). Consul sources only.
   */
  nodes(...args) {
    const { params, options, ctx } = call(args);
    const [head, nearText] = cut(textArg('nodes', params), '~');
    const [before, dcText] = cut(head, '@');
    if (before !== '') throw new QueryError(`nodes "${before}": expected "@dc", "~near" or "@dc~near"`);
    const dc = checked('nodes', 'datacenter', optionalString(options.hash.dc) ?? dcText);
    const near = checked('nodes', 'near node', optionalString(options.hash.near) ?? nearText);
    const source = nodeSource('nodes', ctx, options.hash.source);
    return ctx.need({ kind: 'nodes', source, ...(dc ? { dc } : {}), ...(near ? { near } : {}) }) ?? [];
  },

  /**
   * `(datacenters)`: the names of every datacenter Consul knows, sorted; `(datacenters true)`
   * leaves out those that cannot answer a consistent read now (one request per datacenter, as
   * consul-template; Consul's list is polled, it cannot be watched). Consul sources only.
   */
  datacenters(...args) {
    const { params, options, ctx } = call(args);
    if (params.length > 1) throw new QueryError(`datacenters: expected at most one argument (true to leave out failing datacenters), got ${params.length}`);
    const ignore = params[0] ?? false;
    if (typeof ignore !== 'boolean') throw new QueryError(`datacenters: expected true or false, got ${JSON.stringify(ignore)}`);
    const source = nodeSource('datacenters', ctx, options.hash.source);
    return ctx.need({ kind: 'datacenters', source, ignoreFailing: ignore }) ?? [];
  },
};
