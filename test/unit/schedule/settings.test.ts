import { describe, expect, it } from 'vitest';
import { waitFrom } from '../../../src/schedule/settings.js';
import { blockContext, configPath } from '../../support/block-context.js';
import { inputErrorOf } from '../../support/input-error.js';

describe('waitFrom', () => {
  it('waits 1 s of calm, at most 5 s, by default', () => {
    expect(waitFrom(blockContext().ctx)).toEqual({ minMs: 1000, maxMs: 5000 });
  });

  it('takes the config file, with the flag winning; 0 turns waiting off', () => {
    expect(waitFrom(blockContext({ file: 'wait: 2s:10s\n' }).ctx)).toEqual({ minMs: 2000, maxMs: 10_000 });
    expect(waitFrom(blockContext({ file: 'wait: 3\n' }).ctx), 'a bare number is seconds, max four times min').toEqual({ minMs: 3000, maxMs: 12_000 });
    expect(waitFrom(blockContext({ file: 'wait: 2s:10s\n', flags: { wait: '0' } }).ctx)).toEqual({ minMs: 0, maxMs: 0 });
  });

  it('places a bad wait at its key, or names the flag', () => {
    expect(inputErrorOf(() => waitFrom(blockContext({ file: 'wait: 5s:1s\n' }).ctx)).describe()).toMatch(new RegExp(`^${configPath()}:1:7: wait: max \\(1s\\) is shorter than min \\(5s\\)`));
    expect(inputErrorOf(() => waitFrom(blockContext({ flags: { wait: 'soon' } }).ctx)).message).toBe('--wait: "soon" is not a duration');
  });
});
