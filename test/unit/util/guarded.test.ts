import { describe, expect, it } from 'vitest';
import { guarded } from '../../../src/util/guarded.js';

describe('guarded', () => {
  it('never lets an exception out of an event handler, even from a broken error handler', () => {
    const seen: unknown[] = [];
    expect(() =>
      guarded(
        (err) => {
          seen.push(err);
          throw new Error('handler broken too');
        },
        () => {
          throw new Error('boom');
        },
      ),
    ).not.toThrow();
    expect(seen).toHaveLength(1);
  });
});
