import { readdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The staged copy of DEST is `.DEST.ctmpl-` and 8 hex digits next to it (see stageDestination). */
const STAGED = (destination: string): RegExp => new RegExp(`^\\.${basename(destination).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.ctmpl-[0-9a-f]{8}$`);

/**
 * Staged copies a crash left behind (a SIGKILL between staging and commit): ctmpl's own naming
 * pattern only, next to its own destinations only, and only those older than this process — a
 * staged file of a ctmpl still running elsewhere is never touched. Returns the paths removed.
 */
export async function removeStaleStaged(destinations: readonly string[], startedAt: number): Promise<string[]> {
  const removed: string[] = [];
  for (const destination of destinations) {
    let names: string[];
    try {
      names = await readdir(dirname(destination));
    } catch {
      continue; // no directory yet: nothing left behind
    }
    const pattern = STAGED(destination);
    for (const name of names) {
      if (!pattern.test(name)) continue;
      const path = join(dirname(destination), name);
      try {
        if ((await stat(path)).mtimeMs >= startedAt) continue;
        await unlink(path);
        removed.push(path);
      } catch {
        // gone meanwhile, or not ours to remove: left alone
      }
    }
  }
  return removed;
}

/** At start: removes what a crashed ctmpl left next to these destinations, and says how much. */
export async function cleanUpAfterCrash(destinations: readonly string[], log: { info(fields: object, message: string): void }): Promise<void> {
  const removed = await removeStaleStaged(destinations, Date.now() - process.uptime() * 1000);
  if (removed.length > 0) log.info({ removed: removed.length, files: removed.slice(0, 20) }, `removed ${removed.length} staged file(s) an earlier ctmpl left behind (a crash between staging and commit)`);
}
