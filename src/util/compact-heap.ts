import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * V8 12+ (Node 22+) takes a "last resort" collection: a full one that also shrinks the young
 * generation and returns the pages it keeps pooled. Older V8 has no such call; there only V8's
 * own memory reducer shrinks the heap, and the launcher keeps the young generation small instead.
 */
export const CAN_COMPACT_HEAP = Number(process.versions.v8.split('.')[0]) >= 12;

let collect: Collect | undefined;

/** Whoever runs ctmpl sized V8's young generation: leave it alone. */
const youngGenerationTuned = (): boolean => `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`.includes('semi-space');

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
  if (!youngGenerationTuned()) setFlagsFromString('--semi-space-growth-factor=1');
}
