/**
 * Writing the conversions: never over an existing file unless asked (`--force`), and never a
 * partly written one (each file is written beside its place, then renamed into it).
 */
import { lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';

/** The paths among `paths` where something already exists. */
export async function existing(paths: Iterable<string>): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    const there = await lstat(path).then(
      () => true,
      (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? false : Promise.reject(err)),
    );
    if (there) found.push(path);
  }
  return found;
}

/** Throws (nothing written yet) when a file would be replaced without `force`. */
export async function refuseOverwrite(paths: Iterable<string>, force: boolean, show: (path: string) => string): Promise<void> {
  if (force) return;
  const found = await existing(paths);
  if (found.length === 0) return;
  const list = found.slice(0, 5).map(show).join(', ');
  throw new InputError(`${found.length} file(s) to write already exist: ${list}${found.length > 5 ? ', …' : ''}`, '--out', 'choose another --out directory, or add --force to replace them');
}

/** Writes `text` to `path` whole: a temporary file in the same directory, renamed over it. */
export async function writeWhole(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, text, { flag: 'wx' });
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
