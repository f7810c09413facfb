import { getHeapStatistics } from 'node:v8';
import { systemClock, type Clock, type Timer } from './clock.js';
import { CAN_COMPACT_HEAP, compactHeap } from './compact-heap.js';

/**
 * What the keeper reads and does; tests pass their own. `heapBytes` is the committed heap
 * (what V8 holds from the system for the JavaScript heap).
 */
export interface HeapKeeperOptions {
  readonly enabled?: boolean;
  readonly heapBytes?: () => number;
  readonly compact?: () => void;
  readonly clock?: Clock;
  /** How long after a burst of work is over (burstOver) its last answers are left to be processed before the compaction. */
  readonly settleMs?: number;
  /** How often the committed heap is read once the first compaction is done. */
  readonly checkEveryMs?: number;
  /** Growth over the size left by the last compaction that is worth a compaction: both must hold. */
  readonly growthFactor?: number;
  readonly growthBytes?: number;
}

const MiB = 1024 * 1024;

/**
 * Between compactions a daemon's heap breathes by ~15 % (30.5 → 35 MiB committed at 10,000
 * instances, --trace-gc): each wave of blocking queries timing out together leaves that much
 * until V8's next regular collection, which V8 schedules by itself. Growth well beyond that, as
 * after a large change in a large catalog, is what V8's memory reducer would have given back.
 */
const DEFAULTS = { settleMs: 1000, checkEveryMs: 30_000, growthFactor: 1.25, growthBytes: 8 * MiB } as const;

/**
 * Gives a daemon's memory back in place of V8's memory reducer, where V8 lets ctmpl compact its
 * heap (Node 22+; elsewhere it does nothing and V8's reducer keeps the job). Told when the
 * start-up burst is over, it compacts at once; from then on it compacts again whenever the
 * committed heap has grown well beyond what the last compaction left.
 */
export class HeapKeeper {
  private readonly enabled: boolean;
  private readonly heapBytes: () => number;
  private readonly compact: () => void;
  private readonly clock: Clock;
  private readonly settings: Required<Pick<HeapKeeperOptions, 'settleMs' | 'checkEveryMs' | 'growthFactor' | 'growthBytes'>>;
  private leftByLastCompaction = 0;
  private timer: Timer | undefined;

  constructor(options: HeapKeeperOptions = {}) {
    this.enabled = options.enabled ?? CAN_COMPACT_HEAP;
    this.heapBytes = options.heapBytes ?? (() => getHeapStatistics().total_heap_size);
    this.compact = options.compact ?? compactHeap;
    this.clock = options.clock ?? systemClock;
    this.settings = {
      settleMs: options.settleMs ?? DEFAULTS.settleMs,
      checkEveryMs: options.checkEveryMs ?? DEFAULTS.checkEveryMs,
      growthFactor: options.growthFactor ?? DEFAULTS.growthFactor,
      growthBytes: options.growthBytes ?? DEFAULTS.growthBytes,
    };
  }

  /**
   * Starts the checks before the first compaction: a daemon whose first render waits on a source
   * that does not answer is compacted at the first check (nothing compacted yet counts as growth),
   * as V8's reducer would have done.
   */
  watch(): void {
    if (this.enabled && this.timer === undefined) this.schedule();
  }

  /** A burst of work is over (the first files are in place): compact once it has settled, then keep watching. */
  burstOver(): void {
    if (!this.enabled) return;
    this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.compactNow(), this.settings.settleMs);
  }

  /** Compacts now, then keeps watching. */
  compactNow(): void {
    if (!this.enabled) return;
    this.compact();
    this.leftByLastCompaction = this.heapBytes();
    this.schedule();
  }

  stop(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => this.check(), this.settings.checkEveryMs);
  }

  private check(): void {
    const now = this.heapBytes();
    const base = this.leftByLastCompaction;
    if (now >= base * this.settings.growthFactor && now - base >= this.settings.growthBytes) this.compactNow();
    else this.schedule();
  }
}
