import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { InputError } from '../errors.js';

/**
 * Paths named in flags and the config file are checked when the config is loaded, so a typo is
 * reported against the flag or key that holds it (file:line:col) rather than later, by whichever
 * part first opens the file. The parts that open them still check: a file can go away later.
 */
async function requirePath(path: string, kind: 'file' | 'directory', what: string, describe: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
    await access(path, constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const reason = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`;
    throw new InputError(`${what}: ${describe} ${path} ${reason}`, undefined, `give the path of a readable ${kind}`);
  }
  if (isDirectory !== (kind === 'directory')) {
    throw new InputError(`${what}: ${path} is ${isDirectory ? 'a directory' : 'not a directory'}`, undefined, `give the path of a ${kind}`);
  }
}

export const requireFile = (path: string, what: string, describe: string): Promise<void> => requirePath(path, 'file', what, describe);
export const requireDirectory = (path: string, what: string, describe: string): Promise<void> => requirePath(path, 'directory', what, describe);
