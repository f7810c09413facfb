import { compareStrings, selectInstances } from '../../catalog/select.js';
import { dependencyId, deepFreeze, type Dependency, type Instance } from '../../catalog/types.js';
import type { Parsed } from '../etcd/normalize.js';
import { guarded } from '../../util/guarded.js';
import { CONNECTION, SourceHealth } from '../health.js';
import type { Source, SourceSink, SourceStats } from '../source.js';
import { ZkNotAuthorised, ZkSession, type ZkDigestAuth, type ZkState } from './client.js';
import { parseCurator, parseDubbo } from './normalize.js';
import { describeZooKeeper, readZooKeeperAuth, type ZooKeeperSettings } from './settings.js';

/** A service (or the list of services) read from ZooKeeper, shared by every query on it. */
interface View {
  readonly key: string;
  /** Service name, or undefined for the list of services. */
  readonly service: string | undefined;
  loaded: boolean;
  instances: readonly Instance[];
  names: readonly string[];
  running: boolean;
  dirty: boolean;
}

/** Pause before a read that failed while connected is tried again. */
const RETRY_MS = 1000;
/** Pause before a new session is tried again when the password file could not be read. */
const PASSWORD_RETRY_MS = 5000;

/**
 * ZooKeeper behind the Source interface, for two registry layouts found below the root path:
 * - Curator service discovery: `/ROOT/<service>/<id>`, each node holding Curator's JSON;
 * - Dubbo: `/ROOT/<interface>/providers/<URL-encoded provider URL>` (ROOT is usually /dubbo).
 * A service with a `providers` child is read the Dubbo way, any other the Curator way.
 * Registrations are ephemeral nodes, so an instance lives as long as its owner's session.
 *
 * ZooKeeper watches fire once: every read that sets one is redone (re-arming it) after it fires,
 * and a watch is set only where none is armed. A lost connection is retried by the client within
 * the session (watches survive); an expired session is replaced by a new one and everything is
 * read again. The last data stays in use meanwhile.
 *
 * With digest authentication the password file is read for each new session (start, SIGHUP,
 * expiry), so a rotated password is used from the next session on. A read the node's ACL refuses
 * is an error like any failed read (the last data stays), never an empty service.
 */
export class ZooKeeperSource implements Source {
  readonly live = true;
  readonly description: string;
  private sink: SourceSink | undefined;
  private session: ZkSession | undefined;
  /** Incremented per session: a watch or read of an older session is ignored. */
  private generation = 0;
  private connectedOnce = false;
  private connected = false;
  private connectTimer: NodeJS.Timeout | undefined;
  /** A new session waiting for a readable password file. */
  private sessionTimer: NodeJS.Timeout | undefined;
  /** Per view key: a failed read waiting to be tried again (one per view, so none cancels another's). */
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  readonly health: SourceHealth;
  readonly stats: SourceStats = { requests: 0, failures: 0 };
  private readonly watched = new Map<string, Dependency>();
  private readonly views = new Map<string, View>();
  /** Watches armed in the current session (`child:/path`, `data:/path`, `exists:/path`). */
  private readonly armed = new Set<string>();
  /** Parsed Curator nodes whose data watch is still armed (unchanged since read). */
  private readonly nodeCache = new Map<string, Parsed>();
  /** Skipped nodes already reported (path → content). */
  private readonly reported = new Map<string, string>();

  constructor(
    readonly name: string,
    private readonly settings: ZooKeeperSettings,
  ) {
    this.description = describeZooKeeper(settings);
    this.health = new SourceHealth(`ZooKeeper at ${this.description}`, () => this.sink);
  }

  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
    // An unreadable password file at start is an input error (exit 2, or a SIGHUP refused).
    this.openSession(readZooKeeperAuth(this.settings));
  }

  watch(dep: Dependency): void {
    const id = dependencyId(dep);
    if (this.watched.has(id)) return;
    if (dep.kind !== 'service' && dep.kind !== 'services') {
      // The helpers refuse KV reads from a ZooKeeper source; this guards a direct caller.
      this.sink?.error(`ZooKeeper at ${this.description}: key/ls/tree are not supported`, undefined);
      return;
    }
    this.watched.set(id, dep);
    const key = dep.kind === 'service' ? `service:${dep.name}` : 'services';
    let view = this.views.get(key);
    if (!view) {
      view = { key, service: dep.kind === 'service' ? dep.name : undefined, loaded: false, instances: [], names: [], running: false, dirty: false };
      this.views.set(key, view);
      if (this.connectedOnce) this.refresh(view);
    } else if (view.loaded) {
      const loaded = view;
      queueMicrotask(() => this.deliver(loaded, dep));
    }
  }

  unwatch(dep: Dependency): void {
    const id = dependencyId(dep);
    this.watched.delete(id);
    const key = dep.kind === 'service' ? `service:${dep.name}` : 'services';
    const stillUsed = [...this.watched.values()].some((d) => (d.kind === 'service' ? `service:${d.name}` : d.kind === 'services' ? 'services' : '') === key);
    if (!stillUsed) {
      this.views.delete(key);
      clearTimeout(this.retryTimers.get(key));
      this.retryTimers.delete(key);
      this.health.forget(key);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.connectTimer);
    clearTimeout(this.sessionTimer);
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    this.session?.close();
    this.session = undefined;
  }

  /**
   * A new session after the old one expired: the password file is read again first. While it
   * cannot be read, that is reported and tried again; the last data stays in use.
   */
  private reopenSession(): void {
    if (this.stopped) return;
    let auth: ZkDigestAuth | undefined;
    try {
      auth = readZooKeeperAuth(this.settings);
    } catch (err) {
      this.health.report('password file unreadable', CONNECTION, `no new session: the password file cannot be read; trying again in ${PASSWORD_RETRY_MS / 1000} s, the last data stays in use`, err);
      clearTimeout(this.sessionTimer);
      this.sessionTimer = setTimeout(() => this.reopenSession(), PASSWORD_RETRY_MS);
      return;
    }
    this.openSession(auth);
  }

  private openSession(auth: ZkDigestAuth | undefined): void {
    if (this.stopped) return;
    this.generation += 1;
    const generation = this.generation;
    this.armed.clear();
    this.nodeCache.clear();
    const session = new ZkSession(
      this.settings.hosts,
      this.settings.sessionTimeoutMs,
      (state) =>
        guarded(
          (err) => this.sink?.error(`ZooKeeper at ${this.description}: internal error on a state change`, err),
          () => this.onState(generation, state),
        ),
      auth,
    );
    this.session = session;
    clearTimeout(this.connectTimer);
    this.connectTimer = setTimeout(() => {
      this.health.report('not connected', CONNECTION, `no server answers within ${this.settings.connectTimeoutMs} ms; still trying, the last data stays in use`);
    }, this.settings.connectTimeoutMs);
    session.connect();
  }

  private onState(generation: number, state: ZkState): void {
    if (generation !== this.generation || this.stopped) return;
    this.connected = state === 'connected' || state === 'read-only';
    switch (state) {
      case 'connected':
      case 'read-only':
        clearTimeout(this.connectTimer);
        this.connectedOnce = true;
        this.health.resolve(CONNECTION);
        // Watches survive a reconnection within the session, but what changed while the
        // connection was down is read again anyway (cheap, and never misses a change).
        for (const view of this.views.values()) this.refresh(view);
        break;
      case 'disconnected':
        this.health.report('disconnected', CONNECTION, 'lost the connection; reconnecting within the session, the last data stays in use');
        clearTimeout(this.connectTimer);
        this.connectTimer = setTimeout(() => {
          this.health.report('not connected', CONNECTION, `no server answers within ${this.settings.connectTimeoutMs} ms; still trying, the last data stays in use`);
        }, this.settings.connectTimeoutMs);
        break;
      case 'expired': {
        this.health.report('session expired', CONNECTION, 'the session expired; opening a new session and reading everything again, the last data stays in use');
        const old = this.session;
        this.session = undefined;
        old?.close();
        this.reopenSession();
        break;
      }
      case 'auth-failed':
        // The server refused the credentials and closed the session (the client does not retry).
        this.health.report('authentication failed', CONNECTION, 'the server refused the credentials; check the user and password_file of the ZooKeeper source, then reload ctmpl (SIGHUP)');
        break;
      case 'other':
        break;
    }
  }

  /** Reads a view again (coalesced: a refresh asked for during a read runs once after it). */
  private refresh(view: View): void {
    if (view.running) {
      view.dirty = true;
      return;
    }
    view.running = true;
    void this.readLoop(view);
  }

  private async readLoop(view: View): Promise<void> {
    try {
      do {
        view.dirty = false;
        const session = this.session;
        const generation = this.generation;
        if (!session || this.stopped) return;
        try {
          this.stats.requests += 1;
          const complete = view.service === undefined ? await this.readServices(session, generation, view) : await this.readService(session, generation, view, view.service);
          if (generation !== this.generation || this.views.get(view.key) !== view) return;
          if (!complete) {
            view.dirty = true;
            continue;
          }
          view.loaded = true;
          this.health.resolve(view.key);
          for (const dep of this.watched.values()) this.deliver(view, dep);
        } catch (err) {
          if (generation !== this.generation || this.stopped) return;
          this.stats.failures += 1;
          const what = view.service === undefined ? 'the list of services' : `service "${view.service}"`;
          if (err instanceof ZkNotAuthorised) {
            // The ACL may be fixed on the server at any time: tried again like any failed read.
            this.health.report(`not authorised: ${err.path}`, view.key, `not authorised to read ${err.path}: check the user and password_file of the ZooKeeper source; the last data stays in use`);
          } else {
            // Usually the connection dropped mid-read: the reconnection reads everything again.
            this.health.report(`read failed: ${what}`, view.key, `reading ${what} failed (${err instanceof Error ? err.message : String(err)}); it is read again when the connection is back`, undefined);
          }
          if (this.connected) this.retryLater(view);
          return;
        }
      } while (view.dirty);
    } finally {
      view.running = false;
    }
  }

  /** A read that failed while connected is retried after a pause (a node vanished mid-read, an ACL…). */
  private retryLater(view: View): void {
    clearTimeout(this.retryTimers.get(view.key));
    this.retryTimers.set(
      view.key,
      setTimeout(() => {
        this.retryTimers.delete(view.key);
        if (this.views.get(view.key) === view) this.refresh(view);
      }, RETRY_MS),
    );
  }

  /** Sets a one-shot watch on `kind:path` unless one is armed; when it fires, the view is read again. */
  private watcher(generation: number, view: View, kind: 'child' | 'data' | 'exists', path: string): ((path: string, event: string) => void) | undefined {
    const key = `${kind}:${path}`;
    if (this.armed.has(key)) return undefined;
    this.armed.add(key);
    return () =>
      guarded(
        (err) => this.sink?.error(`ZooKeeper at ${this.description}: internal error on a watch event`, err),
        () => {
          if (generation !== this.generation) return;
          this.armed.delete(key);
          if (kind === 'data') this.nodeCache.delete(path);
          const current = this.views.get(view.key);
          if (current) this.refresh(current);
        },
      );
  }

  /** Watch armed by a read that then failed must not stay marked (it was never set). */
  private async armedRead<T>(kind: 'child' | 'data' | 'exists', path: string, generation: number, view: View, read: (w: ((p: string, e: string) => void) | undefined) => Promise<T>): Promise<T> {
    const w = this.watcher(generation, view, kind, path);
    try {
      const result = await read(w);
      // getChildren/getData set no watch on a node that does not exist.
      if (w && result === undefined && kind !== 'exists') this.armed.delete(`${kind}:${path}`);
      return result;
    } catch (err) {
      if (w) this.armed.delete(`${kind}:${path}`);
      throw err;
    }
  }

  /** Returns false when the read raced with a change and must be redone. */
  private async readServices(session: ZkSession, generation: number, view: View): Promise<boolean> {
    const root = this.settings.root;
    const children = await this.armedRead('child', root, generation, view, (w) => session.children(root, w));
    if (children === undefined) {
      if (await this.armedRead('exists', root, generation, view, (w) => session.exists(root, w))) return false;
      view.names = [];
      return true;
    }
    view.names = children.filter((c) => !(root === '/' && c === 'zookeeper')).sort(compareStrings);
    return true;
  }

  private async readService(session: ZkSession, generation: number, view: View, service: string): Promise<boolean> {
    const base = `${this.settings.root}/${service}`;
    const children = await this.armedRead('child', base, generation, view, (w) => session.children(base, w));
    if (children === undefined) {
      if (await this.armedRead('exists', base, generation, view, (w) => session.exists(base, w))) return false;
      view.instances = [];
      return true;
    }
    const instances: Instance[] = [];
    if (children.includes('providers')) {
      const providersPath = `${base}/providers`;
      const providers = await this.armedRead('child', providersPath, generation, view, (w) => session.children(providersPath, w));
      if (providers === undefined) return false;
      for (const child of providers) this.keep(instances, `${providersPath}/${child}`, child, parseDubbo(service, child, this.name));
    } else {
      const present = new Set<string>();
      for (const child of children) {
        const path = `${base}/${child}`;
        present.add(path);
        let parsed = this.nodeCache.get(path);
        let content = '';
        if (!parsed || !this.armed.has(`data:${path}`)) {
          const data = await this.armedRead('data', path, generation, view, (w) => session.data(path, w));
          if (data === undefined) continue; // deleted meanwhile: the child watch fires
          content = data.toString('utf8');
          parsed = parseCurator(service, child, data, this.name);
          this.nodeCache.set(path, parsed);
          if (parsed.ok) this.reported.delete(path);
          else if (this.reported.get(path) !== content) {
            this.reported.set(path, content);
            this.sink?.error(`ZooKeeper at ${this.description}: skipping instance ${path}: ${parsed.reason}`, undefined);
          }
        }
        if (parsed.ok) instances.push(parsed.instance);
      }
      for (const path of this.nodeCache.keys()) if (path.startsWith(`${base}/`) && !present.has(path)) this.nodeCache.delete(path);
    }
    view.instances = instances;
    return true;
  }

  private keep(instances: Instance[], path: string, content: string, parsed: Parsed): void {
    if (parsed.ok) {
      instances.push(parsed.instance);
      return;
    }
    if (this.reported.get(path) === content) return;
    this.reported.set(path, content);
    this.sink?.error(`ZooKeeper at ${this.description}: skipping instance ${path}: ${parsed.reason}`, undefined);
  }

  private deliver(view: View, dep: Dependency): void {
    if (!view.loaded || !this.watched.has(dependencyId(dep))) return;
    if (dep.kind === 'service' && view.service === dep.name) {
      this.sink?.data(dep, deepFreeze(selectInstances(view.instances, dep)));
    } else if (dep.kind === 'services' && view.service === undefined) {
      this.sink?.data(dep, deepFreeze(view.names.map((Name) => ({ Name, Tags: [] }))));
    }
  }
}
