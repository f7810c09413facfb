import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CAN_COMPACT_HEAP, compactHeap, memoryReducerFlag, V8_MAJOR } from '../../../src/util/compact-heap.js';

describe('compactHeap', () => {
  it('collects garbage at once where V8 can give pages back (Node 22+), and does nothing on older V8', () => {
    let garbage: unknown[] | undefined = Array.from({ length: 200_000 }, (_, i) => ({ i, text: `item ${i}` }));
    const withGarbage = process.memoryUsage().heapUsed;
    garbage = undefined;
    compactHeap();
    const after = process.memoryUsage().heapUsed;
    expect(garbage).toBeUndefined();
    if (CAN_COMPACT_HEAP) expect(after).toBeLessThan(withGarbage - 10 * 1024 * 1024);
    else expect(V8_MAJOR).toBeLessThan(12);
    // The program's own global scope gains no `gc`.
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});

describe('memoryReducerFlag', () => {
  /** A Node process like this one given `flag` at run time: its exit status and what V8 printed. */
  const setFlag = (flag: string) => spawnSync(process.execPath, ['-e', `require('node:v8').setFlagsFromString(${JSON.stringify(flag)})`], { encoding: 'utf8' });

  it("names a flag the running V8 knows (V8 reports an unknown one on stderr)", () => {
    const run = setFlag(memoryReducerFlag());
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    // The same check catches the other spelling: this V8 refuses it.
    expect(setFlag(memoryReducerFlag(V8_MAJOR >= 12 ? 11 : 12)).stderr).toContain('unrecognized flag');
  });
});
