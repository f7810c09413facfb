import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { BlockContext } from '../config/block.js';
import { DEFAULTS } from '../config/defaults.js';
import { parseDuration } from '../config/duration.js';
import { InputError } from '../errors.js';
import type { Deduplicator, RegistryLog } from './definition.js';
import { registryNamed } from './list.js';
import type { SourceConfig } from './settings.js';

const durationText = z.union([z.string().min(1), z.number().nonnegative()]).transform(String);

export const dedupKeys = {
  dedup: z
    .strictObject({
      enabled: z.boolean().optional(),
      prefix: z.string().trim().min(1, 'must not be empty').optional(),
      ttl: durationText.optional(),
      lock_delay: durationText.optional(),
    })
    .optional(),
};

/** Dedup mode's settings, when it is on. */
export interface DedupConfig {
  readonly prefix: string;
  readonly sessionTtlSeconds: number;
  readonly lockDelaySeconds: number;
}

/** Dedup settings, when dedup is on; it needs a source whose registry can hold locks. */
export function dedupFrom(ctx: BlockContext, sources: readonly SourceConfig[]): DedupConfig | undefined {
  const { flags, file, at } = ctx;
  const seconds = (min: number, floor: string) => (text: string, what: string): number => {
    const value = Math.round(parseDuration(text, what) / 1000);
    if (value < min) throw new InputError(`${what} must be at least ${min}s`, undefined, floor);
    return value;
  };
  const ttl = at.pick(flags.dedupTtl, '--dedup-ttl', file.dedup?.ttl, ['dedup', 'ttl'], seconds(10, 'Consul accepts session TTLs from 10s'));
  const lockDelay = at.pick(flags.dedupLockDelay, '--dedup-lock-delay', file.dedup?.lock_delay, ['dedup', 'lock_delay'], seconds(0, 'Consul accepts lock delays from 0s'));
  if (!(flags.dedup ?? file.dedup?.enabled ?? false)) return undefined;
  if (!sources.some((s) => registryNamed(s.registry).dedup !== undefined)) {
    throw new InputError('--dedup needs a Consul source (it runs on Consul sessions, locks and KV)', undefined, 'add --source consul://HOST:PORT, or drop --dedup');
  }
  const prefix = flags.dedupPrefix ?? file.dedup?.prefix ?? DEFAULTS.dedup.prefix;
  return {
    prefix: prefix.endsWith('/') ? prefix : `${prefix}/`,
    sessionTtlSeconds: ttl ?? DEFAULTS.dedup.sessionTtlSeconds,
    lockDelaySeconds: lockDelay ?? DEFAULTS.dedup.lockDelaySeconds,
  };
}

/**
 * The identity instances share a lock and data under: a hash of the templates' contents and the
 * source names — not of local paths, so hosts with different layouts still share.
 */
export function dedupIdentity(templateTexts: readonly string[], sourceNames: readonly string[]): string {
  const hash = createHash('sha256');
  for (const text of templateTexts) hash.update(createHash('sha256').update(text).digest('hex'));
  hash.update(JSON.stringify([...sourceNames].sort()));
  return hash.digest('hex').slice(0, 24);
}

/**
 * Dedup mode's deduplicator, on the first source whose registry can hold locks, keyed by the
 * templates' identity; undefined when dedup is off.
 */
export async function createDeduplicator(dedup: DedupConfig | undefined, sources: readonly SourceConfig[], templateTexts: readonly string[], log: RegistryLog): Promise<Deduplicator | undefined> {
  const source = sources.find((s) => registryNamed(s.registry).dedup !== undefined);
  const create = source ? registryNamed(source.registry).dedup : undefined;
  if (!dedup || !source || !create) return undefined;
  const identity = dedupIdentity(
    templateTexts,
    sources.map((s) => s.name),
  );
  log.info({ identity, prefix: dedup.prefix }, 'dedup: contending for leadership');
  return create(source.settings, { ...dedup, identity }, log);
}
