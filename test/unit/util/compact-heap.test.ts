import { describe, expect, it } from 'vitest';
import { CAN_COMPACT_HEAP, compactHeap } from '../../../src/util/compact-heap.js';

describe('compactHeap', () => {
  it('collects garbage at once where V8 can give pages back (Node 22+), and does nothing on older V8', () => {
    let garbage: unknown[] | undefined = Array.from({ length: 200_000 }, (_, i) => ({ i, text: `item ${i}` }));
    const withGarbage = process.memoryUsage().heapUsed;
    garbage = undefined;
    compactHeap();
    const after = process.memoryUsage().heapUsed;
    expect(garbage).toBeUndefined();
    if (CAN_COMPACT_HEAP) expect(after).toBeLessThan(withGarbage - 10 * 1024 * 1024);
    else expect(Number(process.versions.v8.split('.')[0])).toBeLessThan(12);
    // The program's own global scope gains no `gc`.
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
