import * as z from 'zod';
import type { BlockContext } from '../config/block.js';
import { named, SettingOrigins, type KeyPath, type Origin } from '../config/origins.js';
import { requireDirectory, requireFile } from '../config/paths.js';
import { InputError } from '../errors.js';
import { redactCredentials } from '../util/redact.js';
import { blockReader } from './block-reader.js';
import type { FileCheck, RegistryDefinition } from './definition.js';
import { DEFAULT_SOURCE_URI, REGISTRIES, registryForScheme, registrySyntaxes } from './list.js';

const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** The `sources` key, and each registry's own block (`consul { … }`), of the config file. */
export const sourcesKeys = {
  // An empty list is a mistake, not "the default": without sources ctmpl would fall back to Consul.
  sources: z
    .union([
      z.array(nonEmpty).min(1, 'lists no source; remove the key to use the default (Consul), or add one such as file:catalog.yaml'),
      z
        .record(z.string().regex(/^[A-Za-z0-9_-]+$/, 'source names use letters, digits, "-" and "_"'), nonEmpty)
        .refine((named) => Object.keys(named).length > 0, 'names no source; remove the key to use the default (Consul), or add one such as web: file:catalog.yaml'),
    ])
    .optional(),
  ...Object.fromEntries(REGISTRIES.flatMap((r) => (r.shared ? [[r.shared.key, r.shared.schema.optional()]] : []))),
};

/** A configured source: its name, its registry and the registry's parsed settings. */
export interface SourceConfig {
  readonly name: string;
  /** Name of its registry in the registry list. */
  readonly registry: string;
  readonly settings: unknown;
  /** For logs and /status, never holding a credential. */
  readonly description: string;
}

interface Spec {
  readonly spec: string;
  readonly baseDir: string;
  /** The flag as typed, or the config key. */
  readonly origin: Origin;
  /** The name given in the config file's map form. */
  readonly name?: string;
}

/**
 * Sources from the config file (paths against its directory) and from flags, each parsed by its
 * registry, named, and their files queued for checking; Consul when none is given.
 */
export function sourcesFrom(ctx: BlockContext): SourceConfig[] {
  const { file, flags, at } = ctx;
  const fromFile: Spec[] = Array.isArray(file.sources)
    ? file.sources.map((spec, i) => ({ spec, baseDir: ctx.fileDir, origin: ['sources', i] }))
    : Object.entries(file.sources ?? {}).map(([name, spec]) => ({ spec, baseDir: ctx.fileDir, origin: ['sources', name], name }));
  const fromFlags: Spec[] = flags.source.map((spec) => ({ spec, baseDir: ctx.cwd, origin: `--source "${redactCredentials(spec)}"` }));
  const specs = fromFile.length + fromFlags.length > 0 ? [...fromFile, ...fromFlags] : [{ spec: DEFAULT_SOURCE_URI, baseDir: ctx.cwd, origin: 'default source' }];

  const shared = sharedSettings(ctx, new Set(specs.map((s) => registryOf(s.spec)?.name)));
  const seen = new Set<string>();
  return specs.map(({ spec, baseDir, origin, name: mapName }) => {
    const run = <T>(check: (what: string) => T): T => (typeof origin === 'string' ? named(origin, () => check(origin)) : at.key(origin, check));
    const { name, explicit, registry, settings } = run((what) => parseSpec(spec, baseDir, what, ctx.env, shared));
    const sourceName = mapName ?? name;
    if (seen.has(sourceName)) {
      const hint = explicit || mapName !== undefined ? 'give each source a different name' : `name them: --source a=${registry.schemes[0]}:… --source b=${registry.schemes[0]}:…`;
      const err = new InputError(`two sources are named "${sourceName}"`, undefined, hint);
      throw typeof origin === 'string' ? err : at.placeAtKey(err, origin);
    }
    seen.add(sourceName);
    for (const check of registry.files?.(settings) ?? []) queueCheck(ctx, check, origin);
    return { name: sourceName, registry: registry.name, settings, description: registry.describe(settings) };
  });
}

function registryOf(spec: string): RegistryDefinition | undefined {
  const uri = /^(?:[A-Za-z0-9_-]+=)?([A-Za-z][A-Za-z0-9+.-]*):/s.exec(spec);
  return uri ? registryForScheme((uri[1] as string).toLowerCase()) : undefined;
}

/**
 * One source URI on its own, with every registry block at its defaults (for tests and tools):
 * `[name=]scheme:rest` → its name, registry and settings.
 */
export function parseSourceSpec(spec: string, baseDir: string, what: string, env: NodeJS.ProcessEnv = process.env): { name: string; registry: string; settings: unknown } {
  const ctx: BlockContext = { flags: { template: [], source: [], once: false, dry: false }, file: {}, at: new SettingOrigins(undefined), fileDir: baseDir, cwd: baseDir, env, later: () => undefined };
  const { name, registry, settings } = parseSpec(spec, baseDir, what, env, sharedSettings(ctx, new Set([registryOf(spec)?.name])));
  return { name, registry: registry.name, settings };
}

/** `[name=]scheme:rest` → the registry and its settings. */
function parseSpec(spec: string, baseDir: string, what: string, env: NodeJS.ProcessEnv, shared: ReadonlyMap<string, unknown>) {
  const naming = /^([A-Za-z0-9_-]+)=(.*)$/s.exec(spec);
  const uri = naming ? (naming[2] as string) : spec;
  const colon = uri.indexOf(':');
  const scheme = colon > 0 ? uri.slice(0, colon).toLowerCase() : '';
  const registry = registryForScheme(scheme);
  if (!registry) {
    throw new InputError(`${what}: "${redactCredentials(spec)}" is not a source URI`, undefined, `write [name=]URI with one of ${registrySyntaxes()}, e.g. --source file:templates/examples/catalog.yaml`);
  }
  const settings = registry.parse({ scheme, rest: uri.slice(colon + 1) }, { baseDir, what, env, shared: shared.get(registry.name) });
  // Unnamed, a source is called by its scheme (`zk`, `consul` for consul+https): templates say source=zk.
  return { name: naming ? (naming[1] as string) : scheme.replace(/\+.*$/, ''), explicit: naming !== null, registry, settings };
}

/**
 * Every registry block is checked (a typo is a typo, used or not); the environment is read only
 * for the registries in use, and only their files are checked.
 */
function sharedSettings(ctx: BlockContext, used: ReadonlySet<string | undefined>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const registry of REGISTRIES) {
    const block = registry.shared;
    if (!block) continue;
    const reader = blockReader(ctx, block.key);
    const inUse = used.has(registry.name);
    const settings = block.resolve(reader, inUse ? ctx.env : {});
    out.set(registry.name, settings);
    if (inUse) for (const check of block.files?.(settings, reader) ?? []) queueCheck(ctx, check, [block.key]);
  }
  return out;
}

/** A file check, reported against the flag or block key that named the file, else the source's origin. */
function queueCheck(ctx: BlockContext, check: FileCheck, fallback: Origin): void {
  const origin: Origin = check.origin ? (check.origin.flag ?? ([...(typeof fallback === 'string' ? [] : fallback.slice(0, 1)), ...check.origin.key] as KeyPath)) : fallback;
  ctx.later(origin, async (name) => {
    if (check.kind === 'secret') check.read();
    else if (check.kind === 'file') await requireFile(check.path, name, check.describe);
    else await requireDirectory(check.path, name, check.describe);
  });
}
