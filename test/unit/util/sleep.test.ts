import { afterEach, describe, expect, it, vi } from 'vitest';
import { sleep } from '../../../src/util/sleep.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('sleep', () => {
  it('waits the time it is given', async () => {
    vi.useFakeTimers();
    let done = false;
    const waiting = sleep(1000, new AbortController().signal).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });

  it('ends at once when the signal aborts, and leaves no timer behind', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort();
    await waiting;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not wait at all when already aborted or for no time', async () => {
    vi.useFakeTimers();
    const aborted = AbortSignal.abort();
    await sleep(60_000, aborted);
    await sleep(0, new AbortController().signal);
    await sleep(-5, new AbortController().signal);
    expect(vi.getTimerCount()).toBe(0);
  });
});
