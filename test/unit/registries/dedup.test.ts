import { describe, expect, it } from 'vitest';
import { createDeduplicator, dedupFrom, dedupIdentity } from '../../../src/registries/dedup.js';
import type { SourceConfig } from '../../../src/registries/settings.js';
import { parseSourceSpec } from '../../../src/registries/settings.js';
import { blockContext, configPath } from '../../support/block-context.js';
import { inputErrorOf } from '../../support/input-error.js';
import { captureLog } from '../../support/log-capture.js';

const source = (spec: string): SourceConfig => {
  const { name, registry, settings } = parseSourceSpec(spec, '/', '--source', {});
  return { name, registry, settings, description: spec };
};
const CONSUL = [source('consul://127.0.0.1:8500')];
const FILE_ONLY = [source('file:cat.yaml')];

describe('dedupFrom', () => {
  it('is off unless asked for', () => {
    expect(dedupFrom(blockContext().ctx, CONSUL)).toBeUndefined();
    expect(dedupFrom(blockContext({ file: 'dedup: { enabled: false, prefix: x }\n' }).ctx, CONSUL)).toBeUndefined();
  });

  it('has the documented defaults, and a prefix always ending in /', () => {
    expect(dedupFrom(blockContext({ flags: { dedup: true } }).ctx, CONSUL)).toEqual({ prefix: 'ctmpl/dedup/', sessionTtlSeconds: 15, lockDelaySeconds: 15 });
    expect(dedupFrom(blockContext({ file: 'dedup: { enabled: true, prefix: team/locks, ttl: 30s, lock_delay: 0s }\n' }).ctx, CONSUL)).toEqual({ prefix: 'team/locks/', sessionTtlSeconds: 30, lockDelaySeconds: 0 });
  });

  it('lets flags win over the file', () => {
    const file = 'dedup: { enabled: false, prefix: file/, ttl: 30s }\n';
    expect(dedupFrom(blockContext({ file, flags: { dedup: true, dedupPrefix: 'flag', dedupTtl: '20s' } }).ctx, CONSUL)).toMatchObject({ prefix: 'flag/', sessionTtlSeconds: 20 });
  });

  it('refuses a session TTL under 10 s (Consul would), even while dedup is off', () => {
    expect(inputErrorOf(() => dedupFrom(blockContext({ flags: { dedupTtl: '5s' } }).ctx, CONSUL)).message).toBe('--dedup-ttl must be at least 10s');
    const err = inputErrorOf(() => dedupFrom(blockContext({ file: 'dedup:\n  ttl: abc\n' }).ctx, CONSUL));
    expect(err.describe()).toMatch(new RegExp(`^${configPath()}:2:\\d+: dedup\\.ttl`));
  });

  it('needs a source that can hold locks', () => {
    expect(inputErrorOf(() => dedupFrom(blockContext({ flags: { dedup: true } }).ctx, FILE_ONLY)).message).toMatch(/--dedup needs a Consul source/);
  });
});

describe('dedupIdentity', () => {
  it('gives instances with the same templates and sources one identity, whatever their paths', () => {
    expect(dedupIdentity(['tpl'], ['consul'])).toBe(dedupIdentity(['tpl'], ['consul']));
    expect(dedupIdentity(['tpl'], ['consul'])).not.toBe(dedupIdentity(['tpl2'], ['consul']));
    expect(dedupIdentity(['tpl'], ['consul'])).not.toBe(dedupIdentity(['tpl'], ['other']));
  });

  it('does not depend on the order of the source names', () => {
    expect(dedupIdentity(['t'], ['a', 'b'])).toBe(dedupIdentity(['t'], ['b', 'a']));
  });
});

describe('createDeduplicator', () => {
  const DEDUP = { prefix: 'ctmpl/dedup/', sessionTtlSeconds: 15, lockDelaySeconds: 15 };

  it('makes none when dedup is off or no source can hold locks', async () => {
    const { log } = captureLog();
    expect(await createDeduplicator(undefined, CONSUL, ['t'], log)).toBeUndefined();
    expect(await createDeduplicator(DEDUP, FILE_ONLY, ['t'], log)).toBeUndefined();
  });

  it("makes one on the first source able to hold locks, contending under the templates' identity", async () => {
    const { log, at } = captureLog();
    const dedup = await createDeduplicator(DEDUP, [...FILE_ONLY, ...CONSUL], ['t'], log);
    expect(dedup).toBeDefined();
    expect(at('info')[0]).toMatchObject({ msg: 'dedup: contending for leadership', identity: dedupIdentity(['t'], ['file', 'consul']), prefix: 'ctmpl/dedup/' });
  });
});
