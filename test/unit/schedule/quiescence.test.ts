import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Quiescence } from '../../../src/schedule/quiescence.js';

describe('Quiescence', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires once min has passed with no further change', async () => {
    const fire = vi.fn();
    const q = new Quiescence({ minMs: 1000, maxMs: 5000 }, fire);
    q.notify();
    await vi.advanceTimersByTimeAsync(999);
    expect(fire).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('turns a burst of changes into one firing', async () => {
    const fire = vi.fn();
    const q = new Quiescence({ minMs: 1000, maxMs: 5000 }, fire);
    for (let i = 0; i < 4; i++) {
      q.notify();
      await vi.advanceTimersByTimeAsync(500);
    }
    expect(fire).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(500);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('never waits longer than max after the first pending change, even under a constant drizzle', async () => {
    const fire = vi.fn();
    const q = new Quiescence({ minMs: 1000, maxMs: 5000 }, fire);
    q.notify();
    for (let t = 0; t < 4900; t += 700) {
      await vi.advanceTimersByTimeAsync(700);
      q.notify();
    }
    expect(fire).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(5000 - 4900);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('starts a fresh max window after firing', async () => {
    const fire = vi.fn();
    const q = new Quiescence({ minMs: 100, maxMs: 300 }, fire);
    q.notify();
    await vi.advanceTimersByTimeAsync(100);
    expect(fire).toHaveBeenCalledTimes(1);
    expect(q.pending).toBe(false);
    q.notify();
    await vi.advanceTimersByTimeAsync(99);
    expect(fire).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fire).toHaveBeenCalledTimes(2);
  });

  it('fires at once when waiting is off', () => {
    const fire = vi.fn();
    new Quiescence({ minMs: 0, maxMs: 0 }, fire).notify();
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('fires nothing after cancel', async () => {
    const fire = vi.fn();
    const q = new Quiescence({ minMs: 100, maxMs: 300 }, fire);
    q.notify();
    q.cancel();
    await vi.advanceTimersByTimeAsync(1000);
    expect(fire).not.toHaveBeenCalled();
  });
});
