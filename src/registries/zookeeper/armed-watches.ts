/**
 * ZooKeeper watches fire once, and each read that sets one adds another to the server. This module
 * remembers which watches are armed in the current session, so a path gets at most one of each
 * kind, and a watch that was never set (the read failed, or the node did not exist) is not
 * counted as armed.
 */
import type { WatchCallback } from './client.js';

/** `child` (getChildren), `data` (getData) or `exists`. */
export type WatchKind = 'child' | 'data' | 'exists';

/** The watches armed in one session, as `kind:/path`. */
export class ArmedWatches {
  private readonly armed = new Set<string>();

  /** A new session: no watch of the old one is armed there. */
  clear(): void {
    this.armed.clear();
  }

  isArmed(kind: WatchKind, path: string): boolean {
    return this.armed.has(`${kind}:${path}`);
  }

  /** The watch on `kind:path` fired: it is spent. */
  fired(kind: WatchKind, path: string): void {
    this.armed.delete(`${kind}:${path}`);
  }

  /**
   * Runs `read`, handing it `onFire` as the watch to set unless one is armed on `kind:path`
   * already (then it gets undefined and sets none).
   */
  async read<T>(kind: WatchKind, path: string, onFire: WatchCallback, read: (watch: WatchCallback | undefined) => Promise<T>): Promise<T> {
    const key = `${kind}:${path}`;
    const watch = this.armed.has(key) ? undefined : onFire;
    if (watch) this.armed.add(key);
    try {
      const result = await read(watch);
      // getChildren/getData set no watch on a node that does not exist.
      if (watch && result === undefined && kind !== 'exists') this.armed.delete(key);
      return result;
    } catch (err) {
      if (watch) this.armed.delete(key);
      throw err;
    }
  }
}
