import { describe, expect, it } from 'vitest';
import { relaxedSourcesFrom } from '../../../src/feed/settings.js';
import type { SourceConfig } from '../../../src/registries/settings.js';
import { blockContext, configPath } from '../../support/block-context.js';
import { inputErrorOf } from '../../support/input-error.js';

const sources = (...names: string[]): SourceConfig[] => names.map((name) => ({ name, registry: 'file', settings: {}, description: name }));

describe('relaxedSourcesFrom', () => {
  it('lists the sources named in the file, then those named by flags', () => {
    const { ctx } = blockContext({ file: 'relaxed_validation: [legacy]\n', flags: { relaxedValidation: ['lab'] } });
    expect(relaxedSourcesFrom(ctx, sources('legacy', 'lab', 'prod'))).toEqual(['legacy', 'lab']);
  });

  it('is empty by default', () => {
    expect(relaxedSourcesFrom(blockContext().ctx, sources('prod'))).toEqual([]);
  });

  it('refuses a name that is no configured source (a typo would keep the rules on), at its key', () => {
    const err = inputErrorOf(() => relaxedSourcesFrom(blockContext({ file: 'relaxed_validation:\n  - prod\n  - legacyy\n' }).ctx, sources('prod', 'legacy')));
    expect(err.describe()).toMatch(new RegExp(`^${configPath()}:3:\\d+: relaxed_validation\\[1\\]: "legacyy" names no configured source`));
    expect(err.hint).toBe('configured sources: prod, legacy');
  });

  it('refuses an unknown name given by the flag, naming the flag', () => {
    const err = inputErrorOf(() => relaxedSourcesFrom(blockContext({ flags: { relaxedValidation: ['nope'] } }).ctx, sources('prod')));
    expect(err.message).toBe('--relaxed-validation "nope" names no configured source');
  });
});
