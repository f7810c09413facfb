import type { DependencyValue } from '../../catalog/types.js';
import { backoffDelay, type BackoffPolicy } from '../../util/backoff.js';
import { sleep } from '../../util/sleep.js';
import { ConsulRequestError, type BlockingOptions, type ConsulReply, type ConsulRequest, type ReadMode } from './client.js';

/** What a watch needs of a client: one read (ConsulClient in production, a script in tests). */
export interface ConsulReader {
  read(request: ConsulRequest, blocking: BlockingOptions, signal: AbortSignal): Promise<ConsulReply>;
}

/** Timing rules of one blocking loop; tests shrink them. */
export interface WatchTiming {
  /** Least time between two requests of one query (Consul asks clients not to loop hot). */
  readonly minIntervalMs: number;
  /** Random extra spacing added to the minimum interval, so many watches do not sync up. */
  readonly intervalJitterMs: number;
  /** Retries after a failure (full jitter: a thousand watches failing together spread out). */
  readonly backoff: BackoffPolicy;
  /** Pause after a reply without X-Consul-Index (it cannot block, so it would loop hot). */
  readonly noIndexPauseMs: number;
  readonly random: () => number;
}

export const DEFAULT_TIMING: WatchTiming = {
  minIntervalMs: 100,
  intervalJitterMs: 50,
  backoff: { baseMs: 250, capMs: 60_000, jitter: 'full' },
  noIndexPauseMs: 1000,
  random: Math.random,
};

export interface WatchEvents {
  data(value: DependencyValue): void;
  /** The query started failing (called on the change of state, not on every retry). */
  failing(message: string): void;
  /** The query answered again after failing. */
  recovered(): void;
  /** Every request sent, for counting. */
  requested(): void;
  /** Every request that failed, for counting. */
  failed?(): void;
  /**
   * The watch stopped trying (only with `giveUp`): `attempts` requests failed in a row, or one was
   * refused for lack of permission (`denied`). `message` is the last error.
   */
  gaveUp?(message: string, attempts: number, denied: boolean): void;
}

/**
 * When a watch gives up (--once only; the daemon retries for ever): consul-template's retry
 * settings, and whether a permission error (403) ends it at once.
 */
export interface GiveUpRule {
  /** false: at the first failure. */
  readonly retry: boolean;
  /** Retries after the first failure; 0 = never give up (but a 403 still does). */
  readonly attempts: number;
}

export interface WatchOptions {
  readonly waitMs: number;
  readonly maxStaleMs: number;
  readonly consistent: boolean;
  readonly timing: WatchTiming;
  /** Set in --once: the watch gives up as consul-template's retry settings say. */
  readonly giveUp?: GiveUpRule;
  /**
   * --once: the first answer delivered is the only one used, so the loop ends there instead of
   * sending a blocking query that would only be aborted at exit (one request per dependency, not
   * two) — unless it says the key or node does not exist yet: that one is waited for.
   */
  readonly firstAnswerOnly?: boolean;
}

/**
 * Next index to send, by Consul's rules: reset to 0 when the index went backwards (a snapshot
 * restore or a new leader), and never send less than 1 after the first reply.
 */
export function nextIndex(previous: number, replied: number | undefined): number {
  if (replied === undefined) return 0;
  if (replied < previous) return 0;
  return Math.max(replied, 1);
}

/**
 * One blocking-query loop for one dependency (as consul-template's watch/view.go): ask with the
 * last index, convert the reply, hand it on; back off with full jitter on failure and keep the
 * last good data (nothing is delivered on an error).
 */
export class BlockingWatch {
  private readonly controller = new AbortController();
  private running: Promise<void> | undefined;
  private index = 0;
  private failures = 0;
  private lastStart = 0;
  /** Whether data was delivered since the last failure (see unchanged()). */
  private delivered = false;

  constructor(
    private readonly client: ConsulReader,
    private readonly request: ConsulRequest,
    private readonly convert: (body: unknown) => DependencyValue,
    private readonly events: WatchEvents,
    private readonly options: WatchOptions,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  private get mode(): ReadMode {
    if (this.options.consistent) return 'consistent';
    return this.options.maxStaleMs > 0 ? 'stale' : 'default';
  }

  private async loop(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      await this.spaceOut(signal);
      if (signal.aborted) return;
      try {
        const reply = await this.ask(signal);
        if (signal.aborted) return;
        if (this.unchanged(reply)) continue;
        const value = this.convert(reply.body);
        this.index = nextIndex(this.index, reply.index);
        if (this.failures > 0) {
          this.failures = 0;
          this.events.recovered();
        }
        this.events.data(value);
        this.delivered = true;
        // A key or node that does not exist yet (null) is waited for, as consul-template's `key` does.
        if (this.options.firstAnswerOnly && value !== null) return;
        // A timer's turn: the render this answer scheduled (setImmediate) goes before the next
        // request is sent, so the change reaches its file first and the request goes out while
        // the file is synced to disk.
        await sleep(1, signal);
        if (reply.index === undefined) {
          await sleep(this.options.timing.noIndexPauseMs, signal);
        }
      } catch (err) {
        if (signal.aborted || (err instanceof ConsulRequestError && err.aborted)) return;
        this.failures += 1;
        this.events.failed?.();
        this.delivered = false;
        const message = err instanceof Error ? err.message : String(err);
        if (this.failures === 1) this.events.failing(message);
        const denied = err instanceof ConsulRequestError && err.status === 403;
        if (this.givesUp(denied)) {
          this.events.gaveUp?.(message, this.failures, denied);
          return;
        }
        // After a failure the server may be a new one (restarted agent, failover) whose index is
        // lower: a query with the old index would block for the whole wait. Start again from 0
        // (one non-blocking read; identical data is not a change). A 4xx keeps the index.
        if (!(err instanceof ConsulRequestError) || err.status === undefined || err.status >= 500) this.index = 0;
        await sleep(backoffDelay(this.failures, this.options.timing.backoff), signal);
      }
    }
  }

  /** consul-template's rule (config/retry.go): `attempts` retries after the first failure, then stop. */
  private givesUp(denied: boolean): boolean {
    const rule = this.options.giveUp;
    if (rule === undefined) return false;
    return denied || !rule.retry || (rule.attempts > 0 && this.failures > rule.attempts);
  }

  /**
   * A health query that comes back with the index it was sent (its blocking wait ran out) has
   * the data already delivered: Consul moves the index whenever the answer changes. Skipping the
   * conversion, guards and comparison matters at scale, where the queries of a thousand services
   * time out together every wait. Not after a failure (a 4xx keeps the index), and not for `near`
   * (sorted by round-trip times, which move without the index) nor other kinds (a token's view of
   * the service list can change at one index).
   */
  private unchanged(reply: ConsulReply): boolean {
    return this.delivered && this.failures === 0 && reply.index !== undefined && reply.index === this.index && this.request.kind === 'health' && this.request.near === undefined;
  }

  /** A stale read from a server too far behind the leader is asked again of the leader. */
  private async ask(signal: AbortSignal): Promise<ConsulReply> {
    const blocking = { index: this.index, waitMs: this.options.waitMs };
    this.events.requested();
    const reply = await this.client.read(this.request, { ...blocking, mode: this.mode }, signal);
    if (this.mode !== 'stale' || reply.lastContactMs <= this.options.maxStaleMs) return reply;
    this.events.requested();
    return this.client.read(this.request, { ...blocking, index: 0, mode: 'default' }, signal);
  }

  /** Keeps at least the minimum interval (plus jitter) between two requests of this query. */
  private async spaceOut(signal: AbortSignal): Promise<void> {
    const { minIntervalMs, intervalJitterMs, random } = this.options.timing;
    const due = this.lastStart + minIntervalMs + random() * intervalJitterMs;
    await sleep(due - Date.now(), signal);
    this.lastStart = Date.now();
  }
}
