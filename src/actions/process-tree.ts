import { readdir, readFile } from 'node:fs/promises';

/**
 * Every process a command started, however it left the command's process group: a `setsid`
 * grandchild, a double-forked daemon reparented to init. Each command runs with a marker in its
 * environment (every descendant inherits it unless it clears its environment on purpose); the
 * tree is whatever carries the marker now. On Linux, from /proc; elsewhere, the group alone.
 */
export const TREE_MARKER = 'CTMPL_COMMAND_TREE';

/** PIDs of the live processes whose environment carries `marker=id`. */
export async function processesMarked(id: string): Promise<number[]> {
  const needle = Buffer.from(`${TREE_MARKER}=${id}\0`);
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  await Promise.all(
    entries.map(async (entry) => {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) return;
      try {
        const environ = await readFile(`/proc/${entry}/environ`);
        if (environ.includes(needle)) found.push(Number(entry));
      } catch {
        // gone meanwhile, or not ours to read
      }
    }),
  );
  return found;
}

/** Sends `signal` to the group `pgid` and to every process carrying the marker; false when none was left. */
export async function signalTree(pgid: number, id: string, signal: NodeJS.Signals | 0): Promise<boolean> {
  let any = signalProcess(-pgid, signal);
  for (const pid of await processesMarked(id)) any = signalProcess(pid, signal) || any;
  return any;
}

function signalProcess(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
