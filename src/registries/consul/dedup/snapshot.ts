import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { dependencyId, type Dependency, type DependencyValue } from '../../../catalog/types.js';

/** What a dedup leader publishes: the raw answers for every dependency its templates use. */
export interface DedupSnapshot {
  readonly version: 1;
  /** When the leader published it (ms since the epoch). */
  readonly publishedAt: number;
  /** sha256 of the answers, so identical data is never written again. */
  readonly contentHash: string;
  readonly entries: readonly { readonly dep: Dependency; readonly value: DependencyValue }[];
}

const VERSION = 1;

/** The content hash of a set of answers (independent of their order). */
export function contentHash(entries: readonly { dep: Dependency; value: DependencyValue }[]): string {
  const sorted = [...entries].map((e) => [dependencyId(e.dep), e.value] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

/** gzip + base64: KV values are limited (512 KiB by default) and the answers compress well. */
export function encodeSnapshot(entries: readonly { dep: Dependency; value: DependencyValue }[], publishedAt: number): { text: string; hash: string } {
  const hash = contentHash(entries);
  const snapshot: DedupSnapshot = { version: VERSION, publishedAt, contentHash: hash, entries };
  return { text: gzipSync(JSON.stringify(snapshot)).toString('base64'), hash };
}

export function decodeSnapshot(text: string): DedupSnapshot {
  const parsed = JSON.parse(gunzipSync(Buffer.from(text, 'base64')).toString('utf8')) as Partial<DedupSnapshot>;
  if (parsed.version !== VERSION || !Array.isArray(parsed.entries) || typeof parsed.publishedAt !== 'number' || typeof parsed.contentHash !== 'string') {
    throw new Error(`dedup data has an unknown format (version ${String(parsed.version)})`);
  }
  return parsed as DedupSnapshot;
}
