import { ConsulRequestError, type BlockingOptions, type ConsulReply, type ConsulRequest } from '../../src/registries/consul/client.js';

interface Entry {
  Key: string;
  Value: string;
  Session?: string;
}

/**
 * Consul's KV store, sessions and locks as a script, shared by several ctmpl instances in one test:
 * the part of ConsulClient that dedup mode uses (blocking reads of one key, put with acquire and
 * release, sessions whose locks go when they are destroyed, behavior=delete). Blocking reads
 * return when the store's index moves past the one they were sent, or when their wait runs out.
 */
export class ScriptedConsulKv {
  private readonly entries = new Map<string, Entry>();
  private readonly sessions = new Set<string>();
  private index = 1;
  private nextSession = 1;
  private waiters: (() => void)[] = [];
  /** Every put, in order: `KEY` or `KEY acquire=S` / `KEY release=S`, with whether it was written. */
  readonly puts: { key: string; acquire?: string; release?: string; written: boolean }[] = [];
  /** When set, puts and session calls fail (Consul unreachable). */
  down = false;

  /** The client one ctmpl instance uses (destroy() leaves the shared store alone). */
  client(): ScriptedConsulClient {
    return new ScriptedConsulClient(this);
  }

  value(key: string): string | undefined {
    return this.entries.get(key)?.Value;
  }

  holder(key: string): string | undefined {
    return this.entries.get(key)?.Session;
  }

  get liveSessions(): number {
    return this.sessions.size;
  }

  /** Invalidates a session, as a TTL running out does: its locks' keys are deleted (behavior=delete). */
  expire(session: string): void {
    this.sessions.delete(session);
    for (const [key, entry] of this.entries) if (entry.Session === session) this.entries.delete(key);
    this.bump();
  }

  async read(request: ConsulRequest, blocking: BlockingOptions, signal: AbortSignal): Promise<ConsulReply> {
    if (request.kind !== 'key' && request.kind !== 'entry') throw new Error(`the scripted KV answers key reads only, not ${request.kind}`);
    if (blocking.index >= this.index) await this.change(blocking.waitMs, signal);
    if (signal.aborted) throw new ConsulRequestError('request aborted', undefined, true);
    const entry = this.entries.get(request.key);
    return { body: entry === undefined ? undefined : { ...entry }, index: this.index, knownLeader: true, lastContactMs: 0, backend: undefined };
  }

  put(key: string, value: string, options: { acquire?: string; release?: string }): boolean {
    this.reachable();
    const entry = this.entries.get(key);
    let written = true;
    if (options.acquire !== undefined) {
      written = this.sessions.has(options.acquire) && (entry?.Session === undefined || entry.Session === options.acquire);
      if (written) this.entries.set(key, { Key: key, Value: value, Session: options.acquire });
    } else if (options.release !== undefined) {
      written = entry?.Session === options.release;
      if (written && entry) this.entries.set(key, { Key: key, Value: value });
    } else {
      this.entries.set(key, { ...entry, Key: key, Value: value });
    }
    this.puts.push({ key, ...options, written });
    if (written) this.bump();
    return written;
  }

  createSession(): string {
    this.reachable();
    const id = `session-${this.nextSession++}`;
    this.sessions.add(id);
    return id;
  }

  renewSession(id: string): boolean {
    this.reachable();
    return this.sessions.has(id);
  }

  destroySession(id: string): void {
    if (this.sessions.has(id)) this.expire(id);
  }

  private reachable(): void {
    if (this.down) throw new ConsulRequestError('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:8500', undefined);
  }

  private bump(): void {
    this.index += 1;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private change(waitMs: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      signal.addEventListener('abort', done, { once: true });
      this.waiters.push(done);
    });
  }
}

/** A reply that travels: computed now, delivered a turn of the event loop later, like a network round trip. */
function travel<T>(compute: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    let reply: { ok: true; value: T } | { ok: false; err: unknown };
    try {
      reply = { ok: true, value: compute() };
    } catch (err) {
      reply = { ok: false, err };
    }
    setImmediate(() => (reply.ok ? resolve(reply.value) : reject(reply.err)));
  });
}

/** What DedupHub calls on its ConsulClient, answered by the shared store, each reply one turn of the event loop away. */
export class ScriptedConsulClient {
  constructor(private readonly kv: ScriptedConsulKv) {}

  async read(request: ConsulRequest, blocking: BlockingOptions, signal: AbortSignal): Promise<ConsulReply> {
    const reply = await this.kv.read(request, blocking, signal);
    return travel(() => reply);
  }

  put(key: string, value: string, options: { acquire?: string; release?: string } = {}): Promise<boolean> {
    return travel(() => this.kv.put(key, value, options));
  }

  createSession(): Promise<string> {
    return travel(() => this.kv.createSession());
  }

  renewSession(id: string): Promise<boolean> {
    return travel(() => this.kv.renewSession(id));
  }

  destroySession(id: string): Promise<void> {
    return travel(() => this.kv.destroySession(id));
  }

  destroy(): void {}
}
