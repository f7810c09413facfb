import type { WatchCallback, ZkDigestAuth, ZkState } from '../../src/registries/zookeeper/client.js';

type Watch = { readonly kind: 'child' | 'data' | 'exists'; readonly path: string; readonly fire: WatchCallback; readonly session: ScriptedSessionLike };

interface ScriptedSessionLike {
  readonly hosts: readonly string[];
  readonly auth?: ZkDigestAuth;
  closed: boolean;
  state(state: ZkState): void;
}

const parentOf = (path: string): string => path.slice(0, path.lastIndexOf('/')) || '/';

/**
 * A ZooKeeper ensemble as a script, for the ZooKeeper source: a tree of nodes, one-shot watches
 * that fire on create, change and delete as ZooKeeper's do, reads refused by ACL (`denied`) or
 * failing (`failing`), and the sessions the source opened, whose state the test moves.
 * The source builds its own sessions: a test replaces ZkSession by `scriptedSessionClass` and
 * sets `ScriptedZooKeeper.current`.
 */
export class ScriptedZooKeeper {
  static current: ScriptedZooKeeper | undefined;
  private readonly nodes = new Map<string, string>([['/', '']]);
  private watches: Watch[] = [];
  readonly sessions: ScriptedSessionLike[] = [];
  /** Paths whose reads the node's ACL refuses. */
  readonly denied = new Set<string>();
  /** Paths whose reads fail (the connection dropped mid-read). */
  readonly failing = new Set<string>();
  /** Whether a new session connects by itself (one turn of the event loop after connect()). */
  autoConnect = true;
  /** Every read, as `kind path`. */
  readonly reads: string[] = [];

  /** Creates a node and its missing parents. */
  create(path: string, data = ''): void {
    const parent = parentOf(path);
    if (!this.nodes.has(parent)) this.create(parent);
    this.nodes.set(path, data);
    this.fire('exists', path);
    this.fire('child', parent);
  }

  setData(path: string, data: string): void {
    this.nodes.set(path, data);
    this.fire('data', path);
    this.fire('exists', path);
  }

  /** Deletes a node and everything under it. */
  remove(path: string): void {
    for (const p of [...this.nodes.keys()]) if (p === path || p.startsWith(`${path}/`)) this.nodes.delete(p);
    this.fire('data', path);
    this.fire('exists', path);
    this.fire('child', path);
    this.fire('child', parentOf(path));
  }

  /** The newest session the source opened. */
  get session(): ScriptedSessionLike | undefined {
    return this.sessions.at(-1);
  }

  /** Watches armed on live sessions, as `kind path`. */
  armed(): string[] {
    return this.watches.filter((w) => !w.session.closed).map((w) => `${w.kind} ${w.path}`);
  }

  read(session: ScriptedSessionLike, kind: Watch['kind'], path: string, watch: WatchCallback | undefined, notAuthorised: (path: string) => Error): unknown {
    this.reads.push(`${kind} ${path}`);
    if (this.denied.has(path)) throw notAuthorised(path);
    if (this.failing.has(path)) throw new Error(`connection loss reading ${path}`);
    const exists = this.nodes.has(path);
    if (watch && (exists || kind === 'exists')) this.watches.push({ kind, path, fire: watch, session });
    if (kind === 'exists') return exists;
    if (!exists) return undefined;
    if (kind === 'data') return Buffer.from(this.nodes.get(path) ?? '');
    const prefix = path === '/' ? '/' : `${path}/`;
    return [...this.nodes.keys()].filter((p) => p !== path && p.startsWith(prefix) && !p.slice(prefix.length).includes('/')).map((p) => p.slice(prefix.length));
  }

  private fire(kind: Watch['kind'], path: string): void {
    const due = this.watches.filter((w) => w.kind === kind && w.path === path);
    this.watches = this.watches.filter((w) => !due.includes(w));
    for (const w of due) if (!w.session.closed) w.fire(path, kind);
  }
}

/** A ZkSession class answering from `ScriptedZooKeeper.current`; `notAuthorised` builds the real ZkNotAuthorised. */
export function scriptedSessionClass(notAuthorised: (path: string) => Error) {
  return class ScriptedSession implements ScriptedSessionLike {
    closed = false;
    private readonly server: ScriptedZooKeeper;

    constructor(
      readonly hosts: readonly string[],
      _sessionTimeoutMs: number,
      private readonly onState: (state: ZkState) => void,
      readonly auth?: ZkDigestAuth,
    ) {
      if (!ScriptedZooKeeper.current) throw new Error('set ScriptedZooKeeper.current first');
      this.server = ScriptedZooKeeper.current;
      this.server.sessions.push(this);
    }

    connect(): void {
      if (this.server.autoConnect) setImmediate(() => this.state('connected'));
    }

    close(): void {
      this.closed = true;
    }

    state(state: ZkState): void {
      if (!this.closed) this.onState(state);
    }

    children(path: string, watch?: WatchCallback): Promise<string[] | undefined> {
      return this.answer('child', path, watch) as Promise<string[] | undefined>;
    }

    data(path: string, watch?: WatchCallback): Promise<Buffer | undefined> {
      return this.answer('data', path, watch) as Promise<Buffer | undefined>;
    }

    exists(path: string, watch?: WatchCallback): Promise<boolean> {
      return this.answer('exists', path, watch) as Promise<boolean>;
    }

    private answer(kind: 'child' | 'data' | 'exists', path: string, watch: WatchCallback | undefined): Promise<unknown> {
      return new Promise((resolve, reject) => {
        setImmediate(() => {
          try {
            resolve(this.server.read(this, kind, path, watch, notAuthorised));
          } catch (err) {
            reject(err);
          }
        });
      });
    }
  };
}
