import { describe, expect, it } from 'vitest';
import { Slots } from '../../../../src/feed/probes/slots.js';

function slots(limit: number) {
  const started: string[] = [];
  const s = new Slots<string>(limit, (item) => void started.push(item));
  return { s, started };
}

describe('Slots', () => {
  it('runs at most `limit` at once and starts the rest in arrival order as slots free', () => {
    const { s, started } = slots(2);
    for (const item of ['a', 'b', 'c', 'd']) s.enqueue(item);
    expect(started).toEqual(['a', 'b']);
    expect([s.running, s.queued]).toEqual([2, 2]);
    s.release();
    expect(started).toEqual(['a', 'b', 'c']);
    s.release();
    s.release();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    expect([s.running, s.queued, s.maxRunning]).toEqual([1, 0, 2]);
  });

  it('takes a cancelled item out of the line', () => {
    const { s, started } = slots(1);
    for (const item of ['a', 'b', 'c']) s.enqueue(item);
    expect(s.cancel('b')).toBe(true);
    expect(s.cancel('a')).toBe(false);
    expect(s.queued).toBe(1);
    s.release();
    expect(started).toEqual(['a', 'c']);
  });

  it('does not line up a waiting item twice, and lines up a cancelled one again once', () => {
    const { s, started } = slots(1);
    s.enqueue('a');
    s.enqueue('b');
    s.enqueue('b');
    s.cancel('b');
    s.enqueue('b');
    s.release();
    s.release();
    expect(started).toEqual(['a', 'b']);
  });

  it('keeps the order over many items (the line is compacted as it goes)', () => {
    const { s, started } = slots(3);
    const items = Array.from({ length: 5000 }, (_, i) => `i${i}`);
    for (const item of items) s.enqueue(item);
    for (let i = 0; i < items.length - 3; i++) s.release();
    expect(started).toEqual(items);
    expect(s.running).toBe(3);
  });

  it('forgets the waiting items on clear', () => {
    const { s, started } = slots(1);
    for (const item of ['a', 'b']) s.enqueue(item);
    s.clear();
    s.release();
    expect(started).toEqual(['a']);
    expect(s.queued).toBe(0);
  });
});
