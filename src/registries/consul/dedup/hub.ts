import { hostname } from 'node:os';
import { dependencyId, type Dependency, type DependencyValue } from '../../../catalog/types.js';
import type { Deduplicator, RegistryLog } from '../../definition.js';
import type { ConsulClient } from '../client.js';
import { BlockingWatch, DEFAULT_TIMING } from '../watch.js';
import { DedupSource } from './source.js';
import { decodeSnapshot, encodeSnapshot, type DedupSnapshot } from './snapshot.js';
import type { Source } from '../../source.js';

export interface DedupSettings {
  /** KV prefix; the lock and data live under PREFIX/IDENTITY/. */
  readonly prefix: string;
  readonly identity: string;
  readonly sessionTtlSeconds: number;
  readonly lockDelaySeconds: number;
  /** Consul blocking wait for the lock and data watches. */
  readonly blockWaitMs: number;
}

interface KvEntry {
  Session?: unknown;
  Value?: unknown;
}

/** Answers arriving within this long of each other are published together. */
const PUBLISH_COALESCE_MS = 200;

/** How often a follower tries a free lock again (Consul refuses it during the lock-delay). */
const ACQUIRE_RETRY_MS = 1000;

/**
 * Dedup mode on Consul's own locks: every instance with the same identity contends for one lock
 * (a session with a TTL and behavior=delete). The leader runs the real watches and publishes the
 * raw answers (compressed, versioned, with a content hash so identical data is never rewritten)
 * to one KV key; followers run a single blocking query on that key and render from it locally
 * (guards, quiescence and commands still apply on each host). When the leader dies or loses its
 * session, the lock key goes away and a follower takes over after the lock-delay.
 */
export class DedupHub implements Deduplicator {
  leader = false;
  private readonly sources: DedupSource[] = [];
  private readonly latest = new Map<string, { dep: Dependency; value: DependencyValue }>();
  private snapshot: DedupSnapshot | undefined;
  private session: string | undefined;
  private lastHash: string | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private publishTimer: NodeJS.Timeout | undefined;
  private acquireTimer: NodeJS.Timeout | undefined;
  private leaderlessSince: number | undefined;
  private staleWarned = false;
  private watches: BlockingWatch[] = [];
  private acquiring: Promise<void> | undefined;
  private stopped = false;
  readonly stats = { publishes: 0, takeovers: 0 };

  constructor(
    private readonly client: ConsulClient,
    private readonly settings: DedupSettings,
    private readonly log: RegistryLog,
  ) {}

  private get lockKey(): string {
    return `${this.settings.prefix}${this.settings.identity}/lock`;
  }

  private get dataKey(): string {
    return `${this.settings.prefix}${this.settings.identity}/data`;
  }

  /** The longest a follower renders without a leader before it says so. */
  get staleBoundMs(): number {
    return (this.settings.sessionTtlSeconds * 2 + this.settings.lockDelaySeconds) * 1000;
  }

  wrap(inner: Source): DedupSource {
    const source = new DedupSource(inner, this);
    this.sources.push(source);
    return source;
  }

  async start(): Promise<void> {
    const options = { waitMs: this.settings.blockWaitMs, maxStaleMs: 0, consistent: false, timing: DEFAULT_TIMING };
    const quiet = { failing: (m: string) => this.log.warn({ dedup: this.settings.identity }, `dedup: ${m}`), recovered: () => undefined, requested: () => undefined };
    this.watches = [
      new BlockingWatch(this.client, { kind: 'entry', key: this.lockKey }, (body) => (body ?? null) as DependencyValue, { ...quiet, data: (entry) => void this.onLock(entry as KvEntry | null) }, options),
      new BlockingWatch(this.client, { kind: 'key', key: this.dataKey }, (body) => (body === undefined ? null : String((body as KvEntry).Value ?? '')), { ...quiet, data: (text) => this.onData(text as string | null) }, options),
    ];
    for (const w of this.watches) w.start();
    await this.tryAcquire();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.renewTimer);
    clearTimeout(this.publishTimer);
    clearTimeout(this.acquireTimer);
    await Promise.all(this.watches.map((w) => w.stop()));
    if (this.session && this.leader) await this.client.put(this.lockKey, '', { release: this.session }).catch(() => false);
    await this.dropSession();
    this.client.destroy();
  }

  /** Leader: a raw answer from a real source, to publish. */
  record(dep: Dependency, value: DependencyValue): void {
    this.latest.set(dependencyId(dep), { dep, value });
    // One publish for the answers a single registry event sends within a moment.
    clearTimeout(this.publishTimer);
    this.publishTimer = setTimeout(() => void this.publish(), PUBLISH_COALESCE_MS);
  }

  forget(dep: Dependency): void {
    this.latest.delete(dependencyId(dep));
  }

  /** Follower: the published answer for a dependency, if the leader has published one. */
  published(dep: Dependency): DependencyValue | undefined {
    const id = dependencyId(dep);
    return this.snapshot?.entries.find((e) => dependencyId(e.dep) === id)?.value;
  }

  private async newSession(): Promise<void> {
    this.session = await this.client.createSession(`ctmpl dedup ${this.settings.identity} on ${hostname()}`, this.settings.sessionTtlSeconds, this.settings.lockDelaySeconds);
    clearInterval(this.renewTimer);
    this.renewTimer = setInterval(() => void this.renew(), (this.settings.sessionTtlSeconds * 1000) / 2);
    this.renewTimer.unref();
  }

  private async renew(): Promise<void> {
    if (!this.session || this.stopped) return;
    try {
      if (await this.client.renewSession(this.session)) return;
      this.log.warn({ dedup: this.settings.identity }, 'dedup: our Consul session expired');
      this.session = undefined;
      clearInterval(this.renewTimer);
      if (this.leader) this.follow('the session expired');
      await this.tryAcquire();
    } catch (err) {
      this.log.warn({ dedup: this.settings.identity, err: err instanceof Error ? err.message : String(err) }, 'dedup: renewing the session failed; retrying');
    }
  }

  /** One attempt at a time: the start, the lock watch and the retry timer may all ask at once. */
  private tryAcquire(): Promise<void> {
    this.acquiring ??= this.acquire().finally(() => {
      this.acquiring = undefined;
    });
    return this.acquiring;
  }

  /**
   * Followers hold no session (no renewals to pay for while they follow): one is created only to
   * contend for a free lock, and given up again when another instance won.
   */
  private async acquire(): Promise<void> {
    if (this.leader || this.stopped) return;
    let acquired = false;
    try {
      if (!this.session) await this.newSession();
      acquired = await this.client.put(this.lockKey, hostname(), { acquire: this.session as string });
    } catch (err) {
      this.log.debug({ err: err instanceof Error ? err.message : String(err) }, 'dedup: lock attempt failed');
    }
    if (acquired) {
      this.lead();
    } else if (this.leaderlessSince !== undefined) {
      this.scheduleAcquire(); // still free: Consul's lock-delay refused it for now
    } else {
      await this.dropSession();
    }
  }

  private async dropSession(): Promise<void> {
    clearInterval(this.renewTimer);
    const session = this.session;
    this.session = undefined;
    if (session) await this.client.destroySession(session);
  }

  private scheduleAcquire(): void {
    clearTimeout(this.acquireTimer);
    this.acquireTimer = setTimeout(() => void this.tryAcquire(), ACQUIRE_RETRY_MS);
    this.acquireTimer.unref();
  }

  private async onLock(entry: KvEntry | null): Promise<void> {
    const holder = typeof entry?.Session === 'string' ? entry.Session : undefined;
    if (holder !== undefined) {
      this.leaderlessSince = undefined;
      this.staleWarned = false;
      if (holder === this.session) return;
      if (this.leader) this.follow('another instance holds the lock');
      if (!this.leader && this.session && !this.acquiring) await this.dropSession();
      return;
    }
    // A "no holder" reply may predate our own acquire (computed before it, handled after it):
    // the leader steps down only once a fresh read confirms the lock is not ours.
    if (this.leader && (await this.holdsLock())) return;
    this.leaderlessSince ??= Date.now();
    if (this.leader) this.follow('the lock was lost');
    await this.tryAcquire();
  }

  /** A consistent read of the lock key: whether our session holds it now. */
  private async holdsLock(): Promise<boolean> {
    try {
      const reply = await this.client.read({ kind: 'entry', key: this.lockKey }, { index: 0, waitMs: 1000, mode: 'consistent' }, new AbortController().signal);
      const entry = reply.body as KvEntry | null | undefined;
      return this.session !== undefined && entry?.Session === this.session;
    } catch {
      return false;
    }
  }

  private lead(): void {
    if (this.leader) return;
    this.leader = true;
    this.leaderlessSince = undefined;
    this.stats.takeovers += 1;
    this.lastHash = this.snapshot?.contentHash;
    this.log.info({ dedup: this.settings.identity }, 'dedup: this instance is the leader; it watches the registry and publishes for the others');
    for (const s of this.sources) s.lead();
  }

  private follow(reason: string): void {
    this.leader = false;
    this.latest.clear();
    this.log.warn({ dedup: this.settings.identity }, `dedup: no longer the leader (${reason}); following the published data`);
    for (const s of this.sources) s.follow();
  }

  private async publish(): Promise<void> {
    if (!this.leader || this.stopped) return;
    const watched = new Set(this.sources.flatMap((s) => s.watchedIds()));
    const entries = [...this.latest.entries()].filter(([id]) => watched.has(id)).map(([, e]) => e);
    const { text, hash } = encodeSnapshot(entries, Date.now());
    if (hash === this.lastHash) return;
    try {
      await this.client.put(this.dataKey, text);
      this.lastHash = hash;
      this.stats.publishes += 1;
      this.log.debug({ dedup: this.settings.identity, entries: entries.length, bytes: text.length }, 'dedup: published');
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'dedup: publishing failed; the next change retries');
    }
  }

  private onData(text: string | null): void {
    if (text === null || text === '') return;
    let snapshot: DedupSnapshot;
    try {
      snapshot = decodeSnapshot(text);
    } catch (err) {
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'dedup: the published data cannot be read; keeping the last good data');
      return;
    }
    this.snapshot = snapshot;
    if (this.leader) return;
    if (this.leaderlessSince !== undefined && Date.now() - this.leaderlessSince > this.staleBoundMs && !this.staleWarned) {
      this.staleWarned = true;
      this.log.warn({ publishedAt: new Date(snapshot.publishedAt).toISOString() }, 'dedup: no leader for longer than the stale bound; rendering from the last published data');
    }
    for (const s of this.sources) s.deliverPublished();
  }
}
