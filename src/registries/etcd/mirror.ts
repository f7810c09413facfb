import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import { sleep } from '../../util/sleep.js';
import { backoffDelay, type BackoffPolicy } from '../../util/backoff.js';
import { guarded } from '../../util/guarded.js';

/** What a mirror tells its owner. Every callback is guarded: nothing thrown reaches etcd3. */
export interface MirrorEvents {
  /** The full content of the range after a load or a batch of watch events. */
  changed(kvs: ReadonlyMap<string, string>, changedKeys: readonly string[] | 'all'): void;
  /** A problem started (`key` names it for the problem log). */
  failing(key: string, message: string, err?: unknown): void;
  /** Reading and watching work again. */
  recovered(): void;
  /** A range read was sent (for the request counter). */
  requested(): void;
}

export type Range = { readonly prefix: string } | { readonly key: string };

/** What ends one watch: a cancel by etcd (compaction…) or a stop. */
type WatchEnd = { kind: 'canceled'; err: unknown } | { kind: 'stopped' };

function describeRange(range: Range): string {
  return 'prefix' in range ? `prefix "${range.prefix}"` : `key "${range.key}"`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A local copy of one etcd key range, kept current: a range read at revision R, then a watch
 * from R + 1 (no change between the two is lost). When etcd cancels the watch (the revision was
 * compacted, or another watch error), the range is read again and watched again. While the
 * stream is disconnected, etcd3 reconnects it by itself and resumes from the last revision seen;
 * the copy (the last data) stays in use meanwhile. Reads that fail are retried with backoff.
 */
export class RangeMirror {
  private readonly controller = new AbortController();
  private running: Promise<void> | undefined;
  private watcher: Watcher | undefined;
  private endWatch: ((end: WatchEnd) => void) | undefined;
  private readonly kvs = new Map<string, string>();
  private failures = 0;
  /** A problem is open (reported, not yet recovered). */
  private failing = false;

  constructor(
    private readonly client: Etcd3,
    readonly range: Range,
    private readonly events: MirrorEvents,
    private readonly backoff: BackoffPolicy,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    this.endWatch?.({ kind: 'stopped' });
    await this.running;
  }

  private get signal(): AbortSignal {
    return this.controller.signal;
  }

  private async loop(): Promise<void> {
    while (!this.signal.aborted) {
      let revision: number;
      try {
        revision = await this.load();
      } catch (err) {
        if (this.signal.aborted) return;
        this.failures += 1;
        this.fail('read failed', `reading ${describeRange(this.range)} failed (${errorText(err)}); retrying with backoff, the last data stays in use`, err);
        await sleep(backoffDelay(this.failures, this.backoff), this.signal);
        continue;
      }
      if (this.signal.aborted) return;
      this.failures = 0;
      const end = await this.watchFrom(revision + 1);
      if (end.kind === 'stopped' || this.signal.aborted) return;
      // Canceled by etcd (usually: the revision to resume from was compacted). Read again.
      this.fail('watch canceled', `the watch on ${describeRange(this.range)} was canceled (${errorText(end.err)}); reading it again`, end.err);
      await sleep(backoffDelay(1, this.backoff), this.signal);
    }
  }

  /** One consistent read of the range; returns its revision. */
  private async load(): Promise<number> {
    this.events.requested();
    const response = 'prefix' in this.range ? await this.client.getAll().prefix(this.range.prefix).exec() : await this.client.get(this.range.key).exec();
    if (this.signal.aborted) return 0;
    this.kvs.clear();
    for (const kv of response.kvs) this.kvs.set(kv.key.toString(), kv.value.toString());
    this.recover();
    this.emitChanged('all');
    return Number(response.header.revision);
  }

  /** Watches from `revision` until etcd cancels the watch or the mirror stops. */
  private async watchFrom(revision: number): Promise<WatchEnd> {
    const builder = this.client.watch();
    const configured = ('prefix' in this.range ? builder.prefix(this.range.prefix) : builder.key(this.range.key)).startRevision(String(revision));
    const ended = new Promise<WatchEnd>((resolve) => {
      this.endWatch = resolve;
    });
    const watcher = configured.watcher();
    this.watcher = watcher;
    const onError = (err: unknown): void => this.events.failing('handler', `internal error handling an etcd event: ${errorText(err)}`, err);
    watcher.on('data', (response) =>
      guarded(onError, () => {
        const changed: string[] = [];
        for (const event of response.events) {
          const kv: IKeyValue = event.kv;
          const key = kv.key.toString();
          if (event.type === 'Delete') this.kvs.delete(key);
          else this.kvs.set(key, kv.value.toString());
          changed.push(key);
        }
        if (changed.length > 0) this.emitChanged(changed);
      }),
    );
    watcher.on('connected', () => guarded(onError, () => this.recover()));
    watcher.on('disconnected', (err) =>
      guarded(onError, () => this.fail('disconnected', `lost the connection to etcd (${errorText(err)}); reconnecting, the last data stays in use`, err)),
    );
    watcher.on('error', (err) => guarded(onError, () => this.endWatch?.({ kind: 'canceled', err })));
    const end = await ended;
    this.endWatch = undefined;
    this.watcher = undefined;
    await this.cancel(watcher);
    return end;
  }

  /** Cancels a watcher; never waits long (a disconnected stream cannot confirm the cancel). */
  private async cancel(watcher: Watcher): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      watcher.cancel().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 1000);
      }),
    ]);
    clearTimeout(timer);
    watcher.removeAllListeners();
    // A late 'error' or 'disconnected' from etcd3 must find a listener, never crash the process.
    watcher.on('error', () => undefined);
  }

  private emitChanged(keys: readonly string[] | 'all'): void {
    this.events.changed(this.kvs, keys);
  }

  private fail(key: string, message: string, err: unknown): void {
    this.failing = true;
    this.events.failing(key, message, err);
  }

  private recover(): void {
    if (!this.failing) return;
    this.failing = false;
    this.events.recovered();
  }
}
