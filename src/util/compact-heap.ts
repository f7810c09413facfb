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
 * The flag that limits V8's memory reducer. On V8 12+ (Node 22+) it runs no collection at all:
 * ctmpl compacts the heap itself (HeapKeeper), right after start-up and after large growth. V8 11
 * (Node 20) has no count, only --memory-reducer-single-gc (one collection instead of two), and
 * there the reducer stays the one that shrinks the heap. V8 prints an error for a flag it does not
 * know, so the choice follows the running V8.
 */
export function memoryReducerFlag(v8Major = V8_MAJOR): string {
  return v8Major >= 12 ? '--memory-reducer-gc-count=0' : '--memory-reducer-single-gc';
}

/**
 * A daemon. Measured at 10,000 instances (--trace-gc): V8's reducer ran full collections ~8 s
 * after start-up (two by default). On Node 20 the first shrinks the heap; on Node 22+, after
 * compactHeap(), they found nothing left (28.2 → 28.0 MiB; 20 ms on the main thread plus
 * concurrent marking). Over the next two minutes, with a wave of blocking queries each minute, it
 * ran no other. The count is read at run time, so it can be set here rather than on Node's
 * command line.
 */
export function limitMemoryReducer(): void {
  if (!tunedByOperator('memory-reducer')) setFlagsFromString(memoryReducerFlag());
}

/**
 * One full collection that gives memory back (HeapKeeper decides when). After start-up: the first
 * answers of a large catalog, decoded, are garbage by then, and the young generation grew to take
 * them in. From the first call on the young generation stays at its first size (1 MiB
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
