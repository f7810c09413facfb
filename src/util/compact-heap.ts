import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/** The running V8's major version: which collections and flags it has depends on it. */
export const V8_MAJOR = Number(process.versions.v8.split('.')[0]);

/**
 * V8 12+ (Node 22+) takes a "last resort" collection: a full one that also shrinks the young
 * generation and returns the pages it keeps pooled. Older V8 has no such call; there only V8's
 * own memory reducer shrinks the heap, and the launcher keeps the young generation small instead.
 */
export const CAN_COMPACT_HEAP = V8_MAJOR >= 12;

let collect: Collect | undefined;

/** Whoever runs ctmpl set V8 flags of this kind (`semi-space`, `memory-reducer`): leave them alone. */
const tunedByOperator = (kind: string): boolean => `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`.includes(kind);

/**
 * The flag that lets V8's memory reducer run one collection instead of two (V8 11, Node 20, has
 * --memory-reducer-single-gc; V8 12+ counts them instead). V8 prints an error for a flag it does
 * not know, so the choice follows the running V8.
 */
export function memoryReducerFlag(v8Major = V8_MAJOR): string {
  return v8Major >= 12 ? '--memory-reducer-gc-count=1' : '--memory-reducer-single-gc';
}

/**
 * A daemon: V8's memory reducer, which shrinks the heap once a process goes quiet after
 * allocating, runs one collection instead of two. Measured at 10,000 instances (--trace-gc), the
 * first one shrinks the heap after start-up on Node 20 and finds nothing left after
 * compactHeap() on Node 22+; the second found nothing in either case (~50–80 ms of CPU each,
 * ~8 s after start). Later growth is still given back by the one collection.
 */
export function limitMemoryReducer(): void {
  if (!tunedByOperator('memory-reducer')) setFlagsFromString(memoryReducerFlag());
}

/**
 * Gives the start-up burst's memory back, once, when a daemon's files are first in place and it
 * has gone quiet: the first answers of a large catalog, decoded, are garbage by then, and the
 * young generation grew to take them in. V8 would do the same by itself only ~8 s later, in
 * incremental passes. From then on the young generation stays at its first size (1 MiB
 * semi-spaces): what a daemon allocates later comes in small bursts (a change, the blocking
 * queries of a thousand services timing out together), which then cost less CPU and ~10 MiB less
 * RSS than with a young generation grown to 32 MiB. `gc` comes from a fresh context after turning
 * on --expose-gc, which changes nothing in the program's own global scope. Does nothing where
 * CAN_COMPACT_HEAP is false.
 */
export function compactHeap(): void {
  if (!CAN_COMPACT_HEAP) return;
  if (collect === undefined) {
    const own = (globalThis as { gc?: Collect }).gc;
    if (own) collect = own;
    else {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as Collect;
    }
  }
  collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  if (!tunedByOperator('semi-space')) setFlagsFromString('--semi-space-growth-factor=1');
}
