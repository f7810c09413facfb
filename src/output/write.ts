import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, fsync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { chmod, copyFile, open, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export type WriteMode = 'atomic' | 'in_place';

export interface WriteOptions {
  /** atomic: rename over the destination; in_place: truncate and write (bind-mounted files). */
  mode?: WriteMode;
  /** File mode; by default an existing file keeps its mode and a new file gets 0644. */
  perms?: number;
  /** Owner and group ids to set; by default an existing file keeps its owner and group. */
  uid?: number;
  gid?: number;
  /** Keep the previous content as `DEST.bak` before replacing it. */
  backup?: boolean;
  /** Told about a fallback from rename to in-place writing. */
  onFallback?: (destination: string, code: string) => void;
  /** The rename step, replaceable in tests to show EBUSY/EXDEV. */
  renameFile?: (from: string, to: string) => Promise<void>;
}

export type WriteOutcome = 'unchanged' | 'written';

/** A destination that could not be written; the message says which and what to check. */
export class WriteError extends Error {
  override readonly name = 'WriteError';
  constructor(
    readonly destination: string,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function writeError(path: string, err: unknown): WriteError {
  if (err instanceof WriteError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  const hint =
    code === 'EACCES' || code === 'EPERM'
      ? `check that ctmpl's user may write to ${dirname(path)}`
      : code === 'ENOTDIR' || code === 'EISDIR'
        ? 'the destination (or one of its parents) is not a directory/file as expected; fix the destination path'
        : 'check the destination path and the disk';
  return new WriteError(path, code, `cannot write ${path} (${code}): ${hint}; the previous file is left as it was`);
}

/*
 * The common path (stage, fsync, rename) makes its small system calls synchronously: each takes
 * microseconds on a local file system, where going through libuv's thread pool costs a round trip
 * of thread wake-ups per call — a dozen of them were most of the time from a catalog change to its
 * file in place. Only the fsync, which waits for the disk, runs off the event loop.
 */

function readExisting(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes and fsyncs a whole new file. */
async function writeFully(path: string, content: string, mode: number): Promise<void> {
  const fd = openSync(path, 'wx', mode);
  try {
    writeFileSync(fd, content);
    await new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
  } finally {
    closeSync(fd);
  }
}

async function renameNow(from: string, to: string): Promise<void> {
  renameSync(from, to);
}

/**
 * A rendered file written next to its destination but not yet in place, so a check command can
 * validate it first. `commit` puts it in place; `discard` drops it; after a commit, `restore`
 * puts the previous content back (rollback after a failed reload).
 */
export interface StagedFile {
  readonly destination: string;
  readonly staged: string;
  /** The destination's content before this write; undefined when it did not exist. */
  readonly previous: string | undefined;
  commit(): Promise<void>;
  discard(): Promise<void>;
  restore(): Promise<void>;
}

/**
 * Stages `content` for `path` when it differs from what is on disk: a temp file in the
 * destination's directory (so the final rename is atomic), with the mode and owner the destination
 * will have, fsynced. Returns 'unchanged' when the content is already there.
 */
export async function stageDestination(path: string, content: string, options: WriteOptions = {}): Promise<StagedFile | 'unchanged'> {
  let previous: string | undefined;
  let staged: string | undefined;
  try {
    previous = readExisting(path);
    if (previous === content) return 'unchanged';
    if (previous === undefined) mkdirSync(dirname(path), { recursive: true });
    const existing = previous === undefined ? undefined : statSync(path);
    const mode = options.perms ?? (existing ? existing.mode & 0o7777 : 0o644);
    staged = join(dirname(path), `.${basename(path)}.ctmpl-${randomBytes(4).toString('hex')}`);
    await writeFully(staged, content, 0o600);
    chmodSync(staged, mode);
    const uid = options.uid ?? existing?.uid;
    const gid = options.gid ?? existing?.gid;
    if ((uid !== undefined || gid !== undefined) && process.getuid?.() === 0) chownSync(staged, uid ?? -1, gid ?? -1);
  } catch (err) {
    if (staged) await unlink(staged).catch(() => undefined);
    throw writeError(path, err);
  }
  const stagedPath = staged;
  const prior = previous;
  return {
    destination: path,
    staged: stagedPath,
    previous: prior,
    commit: () => commitStaged(path, stagedPath, content, prior, options),
    discard: () => unlink(stagedPath).catch(() => undefined),
    restore: () => restoreDestination(path, prior, options),
  };
}

async function commitStaged(path: string, staged: string, content: string, previous: string | undefined, options: WriteOptions): Promise<void> {
  try {
    if (options.backup && previous !== undefined) await copyFile(path, `${path}.bak`);
    if (options.mode === 'in_place' && previous !== undefined) {
      await writeInPlace(path, content, previous, options);
      await unlink(staged);
      return;
    }
    try {
      await (options.renameFile ?? renameNow)(staged, path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      // A bind-mounted single file cannot be replaced by rename (EBUSY, or EXDEV across mounts).
      if ((code !== 'EBUSY' && code !== 'EXDEV') || previous === undefined) throw err;
      options.onFallback?.(path, code);
      await writeInPlace(path, content, previous, options);
      await unlink(staged);
    }
  } catch (err) {
    await unlink(staged).catch(() => undefined);
    throw writeError(path, err);
  }
}

/**
 * Rewrites the destination itself (its inode, owner and mode stay: bind-mounted files) without ever
 * leaving it cut short. The space the new text needs beyond the old one is claimed first, by
 * writing the new tail past the old end and syncing: a full disk fails there, and cutting the file
 * back leaves the old text as it was. Only then is the head overwritten (in blocks the file already
 * has) and the file cut to length. Should a write still fail, the previous text is written back
 * (it fits: the file is at least that large) and read back; the error says what the file holds.
 */
async function writeInPlace(path: string, content: string, previous: string, options: WriteOptions): Promise<void> {
  const next = Buffer.from(content);
  const old = Buffer.from(previous);
  const handle = await open(path, 'r+');
  try {
    if (next.length > old.length) {
      try {
        await writeAll(handle, next.subarray(old.length), old.length);
        await handle.sync();
      } catch (err) {
        await handle.truncate(old.length).catch(() => undefined);
        throw err;
      }
    }
    try {
      await writeAll(handle, next.subarray(0, Math.min(old.length, next.length)), 0);
      await handle.truncate(next.length);
      await handle.sync();
    } catch (err) {
      throw await putBack(path, handle, old, err);
    }
  } finally {
    await handle.close();
  }
  if (options.perms !== undefined) await chmod(path, options.perms);
}

async function writeAll(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/** After a failed in-place rewrite: the previous text back, verified; the error says what the file holds. */
async function putBack(path: string, handle: FileHandle, old: Buffer, cause: unknown): Promise<WriteError> {
  const code = (cause as NodeJS.ErrnoException).code ?? 'EIO';
  try {
    await writeAll(handle, old, 0);
    await handle.truncate(old.length);
    await handle.sync();
    const back = await readFile(path);
    if (back.equals(old)) return new WriteError(path, code, `cannot rewrite ${path} in place (${code}): its previous content was written back and verified; check the disk`);
  } catch {
    // reported below
  }
  return new WriteError(path, code, `cannot rewrite ${path} in place (${code}), and its previous content could not be written back: the file may be damaged; check the disk, ctmpl writes it again on its next attempt`);
}

/** Puts the previous content back, the same way it was replaced; a file that was new is removed. */
async function restoreDestination(path: string, previous: string | undefined, options: WriteOptions): Promise<void> {
  try {
    if (previous === undefined) {
      await unlink(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      return;
    }
    const staged = await stageDestination(path, previous, { ...options, backup: false });
    if (staged !== 'unchanged') await staged.commit();
  } catch (err) {
    throw writeError(path, err);
  }
}

/**
 * A destination that already holds the text, taken as changed (its reload must run again: the
 * last one failed and there was nothing to roll back to). There is nothing to commit or restore.
 */
export function inPlace(path: string): StagedFile {
  const nothing = async (): Promise<void> => undefined;
  return { destination: path, staged: path, previous: undefined, commit: nothing, discard: nothing, restore: nothing };
}

/** Stages and commits at once: for a destination without a check. */
export async function writeDestination(path: string, content: string, options: WriteOptions = {}): Promise<WriteOutcome> {
  const staged = await stageDestination(path, content, options);
  if (staged === 'unchanged') return 'unchanged';
  await staged.commit();
  return 'written';
}
