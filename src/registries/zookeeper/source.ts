import { selectInstances } from '../../catalog/select.js';
import { dependencyId, deepFreeze, type Dependency } from '../../catalog/types.js';
import { SourceHealth } from '../health.js';
import type { Source, SourceSink, SourceStats } from '../source.js';
import { ZkNotAuthorised } from './client.js';
import { LayoutReader } from './layout-reader.js';
import { SessionKeeper } from './session-keeper.js';
import { describeZooKeeper, type ZooKeeperSettings } from './settings.js';
import type { View } from './view.js';

/** Pause before a read that failed while connected is tried again. */
const RETRY_MS = 1000;

/**
 * ZooKeeper behind the Source interface, for the Curator and Dubbo layouts found below the root
 * path (see layout-reader.ts). Registrations are ephemeral nodes, so an instance lives as long as
 * its owner's session.
 *
 * ZooKeeper watches fire once: every read that sets one is redone (re-arming it) after it fires,
 * and a watch is set only where none is armed. A lost connection is retried by the client within
 * the session (watches survive); an expired session is replaced by a new one and everything is
 * read again (see session-keeper.ts). The last data stays in use meanwhile.
 *
 * With digest authentication the password file is read for each new session (start, SIGHUP,
 * expiry), so a rotated password is used from the next session on. A read the node's ACL refuses
 * is an error like any failed read (the last data stays), never an empty service.
 *
 * This module owns the dependencies, the views they share, and when each view is read.
 */
export class ZooKeeperSource implements Source {
  readonly live = true;
  readonly description: string;
  private sink: SourceSink | undefined;
  private readonly sessions: SessionKeeper;
  private readonly reader: LayoutReader;
  /** Per view key: a failed read waiting to be tried again (one per view, so none cancels another's). */
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  readonly health: SourceHealth;
  readonly stats: SourceStats = { requests: 0, failures: 0 };
  private readonly watched = new Map<string, Dependency>();
  private readonly views = new Map<string, View>();

  constructor(
    readonly name: string,
    settings: ZooKeeperSettings,
  ) {
    this.description = describeZooKeeper(settings);
    this.health = new SourceHealth(`ZooKeeper at ${this.description}`, () => this.sink);
    this.reader = new LayoutReader(settings.root, name, {
      isCurrent: (generation) => generation === this.sessions.generation,
      changed: (key) => {
        const current = this.views.get(key);
        if (current) this.refresh(current);
      },
      skipped: (path, reason) => this.sink?.error(`ZooKeeper at ${this.description}: skipping instance ${path}: ${reason}`, undefined),
      internalError: (err) => this.sink?.error(`ZooKeeper at ${this.description}: internal error on a watch event`, err),
    });
    this.sessions = new SessionKeeper(settings, this.health, {
      newSession: () => this.reader.newSession(),
      connected: () => {
        for (const view of this.views.values()) this.refresh(view);
      },
      internalError: (err) => this.sink?.error(`ZooKeeper at ${this.description}: internal error on a state change`, err),
    });
  }

  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
    // An unreadable password file at start is an input error (exit 2, or a SIGHUP refused).
    this.sessions.start();
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
      if (this.sessions.connectedOnce) this.refresh(view);
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
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    this.sessions.stop();
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
        const session = this.sessions.session;
        const generation = this.sessions.generation;
        if (!session || this.sessions.stopped) return;
        try {
          this.stats.requests += 1;
          const complete = await this.reader.read(session, generation, view);
          if (generation !== this.sessions.generation || this.views.get(view.key) !== view) return;
          if (!complete) {
            view.dirty = true;
            continue;
          }
          view.loaded = true;
          this.health.resolve(view.key);
          for (const dep of this.watched.values()) this.deliver(view, dep);
        } catch (err) {
          if (generation !== this.sessions.generation || this.sessions.stopped) return;
          this.stats.failures += 1;
          const what = view.service === undefined ? 'the list of services' : `service "${view.service}"`;
          if (err instanceof ZkNotAuthorised) {
            // The ACL may be fixed on the server at any time: tried again like any failed read.
            this.health.report(`not authorised: ${err.path}`, view.key, `not authorised to read ${err.path}: check the user and password_file of the ZooKeeper source; the last data stays in use`);
          } else {
            // Usually the connection dropped mid-read: the reconnection reads everything again.
            this.health.report(`read failed: ${what}`, view.key, `reading ${what} failed (${err instanceof Error ? err.message : String(err)}); it is read again when the connection is back`, undefined);
          }
          if (this.sessions.connected) this.retryLater(view);
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

  private deliver(view: View, dep: Dependency): void {
    if (!view.loaded || !this.watched.has(dependencyId(dep))) return;
    if (dep.kind === 'service' && view.service === dep.name) {
      this.sink?.data(dep, deepFreeze(selectInstances(view.instances, dep)));
    } else if (dep.kind === 'services' && view.service === undefined) {
      this.sink?.data(dep, deepFreeze(view.names.map((Name) => ({ Name, Tags: [] }))));
    }
  }
}
