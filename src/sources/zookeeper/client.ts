import { createRequire } from 'node:module';

/**
 * A small typed adapter over node-zookeeper-client (CommonJS, untyped): only what ctmpl uses,
 * callbacks turned into promises, NO_NODE turned into `undefined`.
 */
interface RawState {
  readonly name: string;
  readonly code: number;
}
interface RawEvent {
  readonly name: string;
  getType(): number;
  getPath(): string;
}
interface RawStat {
  readonly version: number;
  readonly ephemeralOwner: Buffer;
}
interface RawException extends Error {
  getCode(): number;
}
type Watcher = (event: RawEvent) => void;
interface RawClient {
  connect(): void;
  close(): void;
  on(event: 'state', listener: (state: RawState) => void): void;
  removeAllListeners(): void;
  getState(): RawState;
  getSessionTimeout(): number;
  getChildren(path: string, watcher: Watcher | undefined, cb: (err: RawException | null, children: string[], stat: RawStat) => void): void;
  getData(path: string, watcher: Watcher | undefined, cb: (err: RawException | null, data: Buffer | undefined, stat: RawStat) => void): void;
  exists(path: string, watcher: Watcher | undefined, cb: (err: RawException | null, stat: RawStat | null) => void): void;
  create(path: string, data: Buffer | undefined, mode: number, cb: (err: RawException | null, path: string) => void): void;
  mkdirp(path: string, cb: (err: RawException | null, path: string) => void): void;
  remove(path: string, version: number, cb: (err: RawException | null) => void): void;
  setData(path: string, data: Buffer, version: number, cb: (err: RawException | null) => void): void;
}
interface RawModule {
  createClient(connectionString: string, options: { sessionTimeout: number; spinDelay: number; retries: number }): RawClient;
  State: Record<'SYNC_CONNECTED' | 'DISCONNECTED' | 'EXPIRED' | 'AUTH_FAILED' | 'CONNECTED_READ_ONLY', RawState>;
  Exception: { NO_NODE: number; NODE_EXISTS: number };
  CreateMode: { PERSISTENT: number; EPHEMERAL: number };
}

let loaded: RawModule | undefined;
/** node-zookeeper-client, loaded on first use rather than at every start of ctmpl. */
const zk = (): RawModule => (loaded ??= createRequire(import.meta.url)('node-zookeeper-client') as RawModule);

export type ZkState = 'connected' | 'read-only' | 'disconnected' | 'expired' | 'auth-failed' | 'other';

function stateOf(raw: RawState): ZkState {
  switch (raw.code) {
    case zk().State.SYNC_CONNECTED.code:
      return 'connected';
    case zk().State.CONNECTED_READ_ONLY.code:
      return 'read-only';
    case zk().State.DISCONNECTED.code:
      return 'disconnected';
    case zk().State.EXPIRED.code:
      return 'expired';
    case zk().State.AUTH_FAILED.code:
      return 'auth-failed';
    default:
      return 'other';
  }
}

function isNoNode(err: RawException | null): boolean {
  return err !== null && typeof err.getCode === 'function' && err.getCode() === zk().Exception.NO_NODE;
}

/** Called once when a one-shot ZooKeeper watch fires (any event on the path). */
export type WatchCallback = (path: string, event: string) => void;

/** One ZooKeeper session. A new session (after expiry) is a new ZkSession. */
export class ZkSession {
  private readonly raw: RawClient;

  constructor(hosts: readonly string[], sessionTimeoutMs: number, onState: (state: ZkState) => void) {
    // spinDelay: pause between connection attempts to the servers of the list.
    this.raw = zk().createClient(hosts.join(','), { sessionTimeout: sessionTimeoutMs, spinDelay: 500, retries: 0 });
    this.raw.on('state', (state) => onState(stateOf(state)));
  }

  connect(): void {
    this.raw.connect();
  }

  close(): void {
    this.raw.removeAllListeners();
    this.raw.close();
  }

  /** Children of `path`, or undefined when it does not exist. A watch is set when one is given. */
  children(path: string, watch?: WatchCallback): Promise<string[] | undefined> {
    return new Promise((resolve, reject) => {
      this.raw.getChildren(path, watch && ((e) => watch(path, e.name)), (err, children) => {
        if (isNoNode(err)) resolve(undefined);
        else if (err) reject(err);
        else resolve(children);
      });
    });
  }

  /** Data of `path`, or undefined when it does not exist. */
  data(path: string, watch?: WatchCallback): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      this.raw.getData(path, watch && ((e) => watch(path, e.name)), (err, data) => {
        if (isNoNode(err)) resolve(undefined);
        else if (err) reject(err);
        else resolve(data ?? Buffer.alloc(0));
      });
    });
  }

  /** Whether `path` exists; the watch fires when it is created, deleted or changed. */
  exists(path: string, watch?: WatchCallback): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.raw.exists(path, watch && ((e) => watch(path, e.name)), (err, stat) => {
        if (err) reject(err);
        else resolve(stat !== null && stat !== undefined);
      });
    });
  }

  /** Creates a node (its parents as persistent nodes first). For tests and benchmarks. */
  async create(path: string, data: string, mode: 'ephemeral' | 'persistent'): Promise<void> {
    const parent = path.slice(0, path.lastIndexOf('/'));
    if (parent !== '') await new Promise<void>((resolve, reject) => this.raw.mkdirp(parent, (err) => (err ? reject(err) : resolve())));
    await new Promise<void>((resolve, reject) =>
      this.raw.create(path, Buffer.from(data), mode === 'ephemeral' ? zk().CreateMode.EPHEMERAL : zk().CreateMode.PERSISTENT, (err) => (err ? reject(err) : resolve())),
    );
  }

  /** Sets a node's data. For tests and benchmarks. */
  setData(path: string, data: string): Promise<void> {
    return new Promise((resolve, reject) => this.raw.setData(path, Buffer.from(data), -1, (err) => (err ? reject(err) : resolve())));
  }

  /** Deletes a node (it must have no children). For tests and benchmarks. */
  remove(path: string): Promise<void> {
    return new Promise((resolve, reject) => this.raw.remove(path, -1, (err) => (err && !isNoNode(err) ? reject(err) : resolve())));
  }

  /** Resolves once connected (for tests and benchmarks); rejects after `timeoutMs`. */
  connected(timeoutMs: number): Promise<void> {
    if (stateOf(this.raw.getState()) === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not connected to ZooKeeper after ${timeoutMs} ms`)), timeoutMs);
      this.raw.on('state', (state) => {
        if (stateOf(state) !== 'connected') return;
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
