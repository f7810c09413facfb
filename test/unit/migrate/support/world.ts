/**
 * A Handlebars environment set up like ctmpl's for converted templates (`noEscape`,
 * `ignoreStandalone`, missing helpers are errors): ctmpl's real text helpers, catalog helpers
 * answering from a fixed world (the same data the consul-template reference run used) with
 * ctmpl's semantics, and the reference helpers for what ctmpl does not have yet.
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { parseServiceQuery } from '../../../../src/catalog/query.js';
import type { Instance } from '../../../../src/catalog/types.js';
import { textHelpers } from '../../../../src/template/helpers/text.js';
import { referenceHelpers } from './reference-helpers.js';

export interface World {
  readonly Services: Readonly<Record<string, readonly Instance[]>>;
  readonly KV: Readonly<Record<string, string>>;
}

export const ENV: Readonly<Record<string, string>> = { CT_ENV: 'prod', CT_EMPTY: '' };

export function loadWorld(path: string): World {
  return JSON.parse(readFileSync(path, 'utf8')) as World;
}

type Options = { hash: Record<string, unknown> };
const split = (args: unknown[]): { ps: unknown[]; options: Options } => ({ ps: args.slice(0, -1), options: args[args.length - 1] as Options });
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const folder = (prefix: string): string => {
  const p = prefix.replace(/^\/+/, '');
  return p === '' || p.endsWith('/') ? p : `${p}/`;
};

function catalogHelpers(world: World): Record<string, (...args: unknown[]) => unknown> {
  const kv = (prefix: string): { Key: string; Value: string }[] =>
    Object.keys(world.KV)
      .filter((k) => k.startsWith(prefix))
      .sort(byString)
      .map((k) => ({ Key: k.slice(prefix.length), Value: world.KV[k] as string }));
  const key = (k: unknown): string | undefined => (Object.hasOwn(world.KV, String(k)) ? world.KV[String(k)] : undefined);
  return {
    service(...args) {
      const { ps, options } = split(args);
      const q = parseServiceQuery(String(ps[0]), { source: 'consul', ...(options.hash as Record<string, string>) });
      return (world.Services[q.name] ?? [])
        .filter((i) => (q.tag === undefined || i.Tags.includes(q.tag)) && (q.dc === undefined || i.Datacenter === q.dc) && (q.status === 'any' || q.status.includes(i.Status)))
        .sort((a, b) => byString(a.Node, b.Node) || byString(a.ID, b.ID));
    },
    services() {
      return Object.keys(world.Services)
        .sort(byString)
        .map((Name) => ({ Name, Tags: [...new Set((world.Services[Name] ?? []).flatMap((i) => i.Tags))].sort(byString) }));
    },
    key(...args) {
      const v = key(split(args).ps[0]);
      if (v === undefined) throw new Error(`key ${String(split(args).ps[0])} does not exist (ctmpl would wait)`);
      return v;
    },
    keyOrDefault(...args) {
      const { ps } = split(args);
      return key(ps[0]) ?? ps[1];
    },
    keyExists: (...args) => key(split(args).ps[0]) !== undefined,
    ls(...args) {
      return kv(folder(String(split(args).ps[0]))).filter((p) => p.Key !== '' && !p.Key.includes('/'));
    },
    tree(...args) {
      return kv(folder(String(split(args).ps[0]))).filter((p) => p.Key !== '' && !p.Key.endsWith('/'));
    },
    env: (...args) => ENV[String(split(args).ps[0])] ?? '',
  };
}

/** Renders a converted template the way ctmpl would with `whitespace: go`. */
export function renderConverted(template: string, world: World): string {
  const hbs = Handlebars.create();
  hbs.registerHelper({ ...textHelpers, ...referenceHelpers, ...catalogHelpers(world) });
  hbs.registerHelper('helperMissing', (...args: unknown[]) => {
    throw new Error(`unknown helper "${(args[args.length - 1] as { name?: string }).name ?? '?'}"`);
  });
  const compiled = hbs.compile(template, { noEscape: true, strict: false, ignoreStandalone: true } as CompileOptions);
  return compiled({}, { data: { scratch: new Map<string, unknown>() } });
}
