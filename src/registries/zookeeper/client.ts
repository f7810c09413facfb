import { createRequire } from 'node:module';

/**
 * A small typed adapter over node-zookeeper-client (CommonJS, untyped): only what ctmpl uses,
 * callbacks turned into promises, NO_NODE turned into `undefined`, NO_AUTH into ZkNotAuthorised.
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
/** An ACL entry as the library builds it (`new ACL(permission, new Id(scheme, id))`). */
interface RawId {
  readonly scheme: string;
  readonly id: string;
}
interface RawAcl {
  readonly permission: number;
  readonly id: RawId;
}
interface RawClient {
  connect(): void;
  /** Kept by the client and sent in the handshake of every connection of the session. */
  addAuthInfo(scheme: string, auth: Buffer): void;
  close(): void;
  on(event: 'state', listener: (state: RawState) => void): void;
  removeAllListeners(): void;
  getState(): RawState;
  getSessionTimeout(): number;
  getChildren(path: string, watcher: Watcher | undefined, cb: (err: RawException | null, children: string[], stat: RawStat) => void): void;
  getData(path: string, watcher: Watcher | undefined, cb: (err: RawException | null, data: Buffer | undefined, stat: RawStat) => void): void;
  exists(path: string, watcher: Watcher | undefined, cb: (err: RawException | null, stat: RawStat | null) => void): void;
  create(path: string, data: Buffer | undefined, acls: RawAcl[], mode: number, cb: (err: RawException | null, path: string) => void): void;
  mkdirp(path: string, acls: RawAcl[], cb: (err: RawException | null, path: string) => void): void;
  remove(path: string, version: number, cb: (err: RawException | null) => void): void;
  setData(path: string, data: Buffer, version: number, cb: (err: RawException | null) => void): void;
}
interface RawModule {
  createClient(connectionString: string, options: { sessionTimeout: number; spinDelay: number; retries: number }): RawClient;
  State: Record<'SYNC_CONNECTED' | 'DISCONNECTED' | 'EXPIRED' | 'AUTH_FAILED' | 'CONNECTED_READ_ONLY', RawState>;
  Exception: { NO_NODE: number; NODE_EXISTS: number; NO_AUTH: number };
  CreateMode: { PERSISTENT: number; EPHEMERAL: number };
  ACL: (new (permission: number, id: RawId) => RawAcl) & { OPEN_ACL_UNSAFE: RawAcl[] };
  Id: new (scheme: string, id: string) => RawId;
  Permission: { ALL: number };
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

/**
 * A read refused by the node's ACL (NO_AUTH, -102): the session has no credentials the ACL
 * accepts. A digest login itself always succeeds, so a wrong password shows up here.
 */
export class ZkNotAuthorised extends Error {
  constructor(readonly path: string) {
    super(`not authorised to read ${path}`);
    this.name = 'ZkNotAuthorised';
  }
}

/** The error a read rejects with: NO_AUTH as ZkNotAuthorised (with the path), others as they are. */
function readError(err: RawException, path: string): Error {
  return typeof err.getCode === 'function' && err.getCode() === zk().Exception.NO_AUTH ? new ZkNotAuthorised(path) : err;
}

/** Digest credentials of a session. */
export interface ZkDigestAuth {
  readonly user: string;
  readonly password: string;
}

/** Called once when a one-shot ZooKeeper watch fires (any event on the path). */
export type WatchCallback = (path: string, event: string) => void;

/** One ZooKeeper session. A new session (after expiry) is a new ZkSession. */
export class ZkSession {
  private readonly raw: RawClient;

  constructor(hosts: readonly string[], sessionTimeoutMs: number, onState: (state: ZkState) => void, auth?: ZkDigestAuth) {
    // spinDelay: pause between connection attempts to the servers of the list.
    this.raw = zk().createClient(hosts.join(','), { sessionTimeout: sessionTimeoutMs, spinDelay: 500, retries: 0 });
    this.raw.on('state', (state) => onState(stateOf(state)));
    // Before connect(): the client then sends the credentials in the handshake of the first
    // connection and again on each reconnection, so no read goes out unauthenticated.
    if (auth) this.raw.addAuthInfo('digest', Buffer.from(`${auth.user}:${auth.password}`));
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
        else if (err) reject(readError(err, path));
        else resolve(children);
      });
    });
  }

  /** Data of `path`, or undefined when it does not exist. */
  data(path: string, watch?: WatchCallback): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      this.raw.getData(path, watch && ((e) => watch(path, e.name)), (err, data) => {
        if (isNoNode(err)) resolve(undefined);
        else if (err) reject(readError(err, path));
        else resolve(data ?? Buffer.alloc(0));
      });
    });
  }

  /** Whether `path` exists; the watch fires when it is created, deleted or changed. */
  exists(path: string, watch?: WatchCallback): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.raw.exists(path, watch && ((e) => watch(path, e.name)), (err, stat) => {
        if (err) reject(readError(err, path));
        else resolve(stat !== null && stat !== undefined);
      });
    });
  }

  /**
   * Creates a node (its missing parents as persistent nodes first). For tests and benchmarks.
   * `digestOnly` (`user:base64(sha1(user:password))`) gives the nodes created an ACL granting
   * everything to that digest identity and nothing to anyone else; without it they are open.
   */
  async create(path: string, data: string, mode: 'ephemeral' | 'persistent', digestOnly?: string): Promise<void> {
    const { ACL, Id, Permission, CreateMode } = zk();
    const acls = digestOnly === undefined ? ACL.OPEN_ACL_UNSAFE : [new ACL(Permission.ALL, new Id('digest', digestOnly))];
    const parent = path.slice(0, path.lastIndexOf('/'));
    if (parent !== '') await new Promise<void>((resolve, reject) => this.raw.mkdirp(parent, acls, (err) => (err ? reject(err) : resolve())));
    await new Promise<void>((resolve, reject) =>
      this.raw.create(path, Buffer.from(data), acls, mode === 'ephemeral' ? CreateMode.EPHEMERAL : CreateMode.PERSISTENT, (err) => (err ? reject(err) : resolve())),
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
