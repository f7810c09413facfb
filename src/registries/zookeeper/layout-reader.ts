/**
 * Reads the two registry layouts below the root path into a view, arming a one-shot watch on
 * everything it read so that any change is noticed. Kept apart from the source, which decides
 * when to read (and what to do with the result), and from the session keeper, which decides
 * against which session.
 * - Curator service discovery: `/ROOT/<service>/<id>`, each node holding Curator's JSON;
 * - Dubbo: `/ROOT/<interface>/providers/<URL-encoded provider URL>` (ROOT is usually /dubbo).
 * A service with a `providers` child is read the Dubbo way, any other the Curator way.
 */
import { compareStrings } from '../../catalog/select.js';
import type { Instance } from '../../catalog/types.js';
import type { Parsed } from '../etcd/normalize.js';
import { guarded } from '../../util/guarded.js';
import { ArmedWatches, type WatchKind } from './armed-watches.js';
import type { WatchCallback, ZkSession } from './client.js';
import { parseCurator, parseDubbo } from './normalize.js';
import type { View } from './view.js';

/** What the reader needs from the source that owns it. */
export interface LayoutReaderHooks {
  /** Whether `generation` is the current session's (a watch of an older session is ignored). */
  isCurrent(generation: number): boolean;
  /** A watch fired: the view with this key, if still in use, is read again. */
  changed(viewKey: string): void;
  /** An instance node that cannot be used (reported once for each content it has). */
  skipped(path: string, reason: string): void;
  /** A watch callback threw: reported, never thrown into the client library. */
  internalError(err: unknown): void;
}

/** Reads views from a registry root, watching what it read. */
export class LayoutReader {
  /** Watches armed in the current session. */
  private readonly watches = new ArmedWatches();
  /** Parsed Curator nodes whose data watch is still armed (unchanged since read). */
  private readonly nodeCache = new Map<string, Parsed>();
  /** Skipped nodes already reported (path → content). */
  private readonly reported = new Map<string, string>();

  constructor(
    private readonly root: string,
    /** The source's name, recorded in each instance. */
    private readonly sourceName: string,
    private readonly hooks: LayoutReaderHooks,
  ) {}

  /** A new session: its watches are all to be set again, so no cached node can be trusted. */
  newSession(): void {
    this.watches.clear();
    this.nodeCache.clear();
  }

  /** Reads `view` (its service, or the list of services). Returns false when the read raced with a change and must be redone. */
  read(session: ZkSession, generation: number, view: View): Promise<boolean> {
    return view.service === undefined ? this.readServices(session, generation, view) : this.readService(session, generation, view, view.service);
  }

  /** The one-shot watch for `kind:path`: when it fires, the view is read again. */
  private onFire(generation: number, view: View, kind: WatchKind, path: string): WatchCallback {
    return () =>
      guarded(
        (err) => this.hooks.internalError(err),
        () => {
          if (!this.hooks.isCurrent(generation)) return;
          this.watches.fired(kind, path);
          if (kind === 'data') this.nodeCache.delete(path);
          this.hooks.changed(view.key);
        },
      );
  }

  private watchedRead<T>(kind: WatchKind, path: string, generation: number, view: View, read: (w: WatchCallback | undefined) => Promise<T>): Promise<T> {
    return this.watches.read(kind, path, this.onFire(generation, view, kind, path), read);
  }

  private async readServices(session: ZkSession, generation: number, view: View): Promise<boolean> {
    const root = this.root;
    const children = await this.watchedRead('child', root, generation, view, (w) => session.children(root, w));
    if (children === undefined) {
      if (await this.watchedRead('exists', root, generation, view, (w) => session.exists(root, w))) return false;
      view.names = [];
      return true;
    }
    view.names = children.filter((c) => !(root === '/' && c === 'zookeeper')).sort(compareStrings);
    return true;
  }

  private async readService(session: ZkSession, generation: number, view: View, service: string): Promise<boolean> {
    const base = `${this.root}/${service}`;
    const children = await this.watchedRead('child', base, generation, view, (w) => session.children(base, w));
    if (children === undefined) {
      if (await this.watchedRead('exists', base, generation, view, (w) => session.exists(base, w))) return false;
      view.instances = [];
      return true;
    }
    const instances: Instance[] = [];
    if (children.includes('providers')) {
      const providersPath = `${base}/providers`;
      const providers = await this.watchedRead('child', providersPath, generation, view, (w) => session.children(providersPath, w));
      if (providers === undefined) return false;
      for (const child of providers) this.keep(instances, `${providersPath}/${child}`, child, parseDubbo(service, child, this.sourceName));
    } else {
      const present = new Set<string>();
      for (const child of children) {
        const path = `${base}/${child}`;
        present.add(path);
        let parsed = this.nodeCache.get(path);
        let content = '';
        if (!parsed || !this.watches.isArmed('data', path)) {
          const data = await this.watchedRead('data', path, generation, view, (w) => session.data(path, w));
          if (data === undefined) continue; // deleted meanwhile: the child watch fires
          content = data.toString('utf8');
          parsed = parseCurator(service, child, data, this.sourceName);
          this.nodeCache.set(path, parsed);
          if (parsed.ok) this.reported.delete(path);
          else if (this.reported.get(path) !== content) {
            this.reported.set(path, content);
            this.hooks.skipped(path, parsed.reason);
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
    this.hooks.skipped(path, parsed.reason);
  }
}
