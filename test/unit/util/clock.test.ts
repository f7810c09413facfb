import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/util/clock.js';

describe('systemClock', () => {
  it('runs a timer after its time, a negative one at once, and never keeps the process alive for it', async () => {
    const fired: string[] = [];
    const late = systemClock.setTimeout(() => fired.push('late'), 20);
    systemClock.setTimeout(() => fired.push('now'), -100);
    expect((late as NodeJS.Timeout).hasRef()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(fired).toEqual(['now', 'late']);
  });

  it('cancels a timer, and takes no timer at all', async () => {
    const fired: string[] = [];
    systemClock.clearTimeout(systemClock.setTimeout(() => fired.push('x'), 5));
    systemClock.clearTimeout(undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fired).toEqual([]);
  });

  it('tells the wall-clock time', () => {
    const before = Date.now();
    expect(systemClock.now()).toBeGreaterThanOrEqual(before);
  });
});
