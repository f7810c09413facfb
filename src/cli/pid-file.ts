import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputError } from '../errors.js';

/**
 * consul-template's pid_file: ctmpl's process id, written when it starts (the directory made if
 * needed), removed when it stops. `what` names the flag or key that set it, for errors.
 */
export async function writePidFile(path: string, what: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${process.pid}\n`, { mode: 0o644 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new InputError(`${what}: cannot write the PID file ${path} (${code})`, undefined, 'give a path in a directory ctmpl may write to');
  }
}

/** Removes the PID file, unless another process has written its own id there since. */
export function removePidFile(path: string): void {
  try {
    if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
  } catch {
    // Already gone, or unreadable: nothing of ours to remove.
  }
}
