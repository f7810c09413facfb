import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

export interface WriteOptions {
  /** File mode to set; by default an existing file keeps its mode and a new file gets 0644. */
  perms?: number;
  /** Keep the previous content as `DEST.bak` before replacing it. */
  backup?: boolean;
  /** Told the temporary file's path (it sits next to the destination, so rename is atomic). */
  onTempFile?: (path: string) => void;
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

async function readExisting(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Writes a rendered file only when its content differs from what is on disk: temp file in the
 * destination's directory, fsync, rename. Owner and mode of an existing file are kept.
 */
export async function writeDestination(path: string, content: string, options: WriteOptions = {}): Promise<WriteOutcome> {
  try {
    const existing = await readExisting(path);
    if (existing === content) return 'unchanged';
    await mkdir(dirname(path), { recursive: true });
    if (options.backup && existing !== undefined) await copyFile(path, `${path}.bak`);
    const mode = options.perms ?? (existing === undefined ? 0o644 : undefined);
    await writeFileAtomic(path, content, {
      fsync: true,
      ...(mode === undefined ? {} : { mode }),
      ...(options.onTempFile ? { tmpfileCreated: options.onTempFile } : {}),
    });
    return 'written';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    const hint =
      code === 'EACCES' || code === 'EPERM'
        ? `check that ctmpl's user may write to ${dirname(path)}`
        : code === 'ENOTDIR' || code === 'EISDIR'
          ? 'the destination (or one of its parents) is not a directory/file as expected; fix the destination path'
          : 'check the destination path and the disk';
    throw new WriteError(path, code, `cannot write ${path} (${code}): ${hint}; the previous file is left as it was`);
  }
}
