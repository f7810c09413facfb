import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay } from '../../../src/util/backoff.js';

describe('backoff', () => {
  it('doubles from the base up to the cap, without jitter when none is asked', () => {
    const policy = { baseMs: 100, capMs: 1000, jitter: 'none' as const };
    expect([1, 2, 3, 4, 5, 10, 100].map((n) => backoffDelay(n, policy))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('draws a full-jitter wait between the floor share and the step', () => {
    const at = (r: number, floor?: number) => backoffDelay(3, { baseMs: 100, capMs: 1000, jitter: 'full', random: () => r, ...(floor === undefined ? {} : { floor }) });
    expect(at(1)).toBe(400);
    expect(at(0)).toBe(0);
    expect(at(0.5)).toBe(200);
    expect(at(0, 0.1)).toBe(40);
    expect(at(1, 0.1)).toBe(400);
  });

  it('counts failures, peeks without counting, and starts over after a success', () => {
    const backoff = new Backoff({ baseMs: 10, capMs: 1000, jitter: 'none' });
    expect(backoff.peek()).toBe(10);
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([10, 20, 40]);
    expect(backoff.attempts).toBe(3);
    backoff.reset();
    expect(backoff.next()).toBe(10);
  });
});
