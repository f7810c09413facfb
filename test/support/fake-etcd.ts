import { EventEmitter } from 'node:events';

type Match = { readonly prefix: string } | { readonly key: string };
const matches = (range: Match, key: string): boolean => ('prefix' in range ? key.startsWith(range.prefix) : key === range.key);

/** A watch as etcd3's Watcher shows it: `data`, `connected`, `disconnected` and `error` events, and cancel(). */
export class FakeWatcher extends EventEmitter {
  cancelled = false;
  constructor(
    readonly range: Match,
    readonly startRevision: string,
  ) {
    super();
  }

  async cancel(): Promise<void> {
    this.cancelled = true;
  }
}

/**
 * The part of etcd3's client the etcd source uses, as a script: range reads of a key or prefix at
 * a revision, and watches the test drives (put/remove send watch events to the matching live
 * watches; `failReads` makes reads fail). Every instance made is kept in `FakeEtcd.made`.
 */
export class FakeEtcd {
  static readonly made: FakeEtcd[] = [];
  readonly kvs = new Map<string, string>();
  readonly watchers: FakeWatcher[] = [];
  readonly reads: string[] = [];
  revision = 10;
  /** Reads of ranges matching this fail with this error. */
  failReads: { range: (key: string) => boolean; error: Error } | undefined;
  closed = false;

  constructor(readonly options?: unknown) {
    FakeEtcd.made.push(this);
  }

  getAll(): { prefix(prefix: string): { exec(): Promise<unknown> } } {
    return { prefix: (prefix) => ({ exec: () => this.read({ prefix }) }) };
  }

  get(key: string): { exec(): Promise<unknown> } {
    return { exec: () => this.read({ key }) };
  }

  watch(): { prefix(p: string): { startRevision(r: string): { watcher(): FakeWatcher } }; key(k: string): { startRevision(r: string): { watcher(): FakeWatcher } } } {
    const from = (range: Match) => ({
      startRevision: (revision: string) => ({
        watcher: () => {
          const watcher = new FakeWatcher(range, revision);
          this.watchers.push(watcher);
          return watcher;
        },
      }),
    });
    return { prefix: (prefix) => from({ prefix }), key: (key) => from({ key }) };
  }

  close(): void {
    this.closed = true;
  }

  /** Live watches (not cancelled) on ranges holding `key`. */
  watching(key: string): FakeWatcher[] {
    return this.watchers.filter((w) => !w.cancelled && matches(w.range, key));
  }

  /** Writes a key and tells the live watches on it. */
  put(key: string, value: string): void {
    this.revision += 1;
    this.kvs.set(key, value);
    for (const w of this.watching(key)) w.emit('data', { events: [{ type: 'Put', kv: { key: Buffer.from(key), value: Buffer.from(value) } }] });
  }

  /** Deletes a key and tells the live watches on it. */
  remove(key: string): void {
    this.revision += 1;
    this.kvs.delete(key);
    for (const w of this.watching(key)) w.emit('data', { events: [{ type: 'Delete', kv: { key: Buffer.from(key), value: Buffer.alloc(0) } }] });
  }

  private async read(range: Match): Promise<unknown> {
    this.reads.push('prefix' in range ? `prefix ${range.prefix}` : `key ${range.key}`);
    const failing = this.failReads;
    if (failing && ('prefix' in range ? failing.range(range.prefix) : failing.range(range.key))) throw failing.error;
    const kvs = [...this.kvs].filter(([k]) => matches(range, k)).map(([k, v]) => ({ key: Buffer.from(k), value: Buffer.from(v) }));
    return { kvs, header: { revision: String(this.revision) } };
  }
}
