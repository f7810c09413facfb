import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Dependency } from '../../../../../src/catalog/types.js';
import { contentHash, decodeSnapshot, encodeSnapshot } from '../../../../../src/registries/consul/dedup/snapshot.js';

const web: Dependency = { kind: 'service', source: 'consul', name: 'web', status: ['passing'] };
const key: Dependency = { kind: 'key', source: 'consul', key: 'app/x' };

describe('dedup snapshot', () => {
  it('round-trips the answers through gzip + base64 with its version and time', () => {
    const entries = [
      { dep: web, value: [{ ID: 'a', Address: '10.0.0.1', Port: '80' }] as never },
      { dep: key, value: 'v' },
    ];
    const { text, hash } = encodeSnapshot(entries, 1234);
    expect(/^[A-Za-z0-9+/=]+$/.test(text)).toBe(true);
    const snapshot = decodeSnapshot(text);
    expect(snapshot).toEqual({ version: 1, publishedAt: 1234, contentHash: hash, entries });
  });

  it('hashes content independently of order and time, so identical data is never republished', () => {
    const a = { dep: web, value: [] };
    const b = { dep: key, value: 'v' };
    expect(contentHash([a, b])).toBe(contentHash([b, a]));
    expect(encodeSnapshot([a, b], 1).hash).toBe(encodeSnapshot([b, a], 2).hash);
    expect(contentHash([a, { dep: key, value: 'w' }])).not.toBe(contentHash([a, b]));
  });

  it('refuses data of an unknown format', () => {
    expect(() => decodeSnapshot(gzipSync(JSON.stringify({ version: 9 })).toString('base64'))).toThrow(/unknown format/);
    expect(() => decodeSnapshot('not base64 gzip')).toThrow();
  });
});
