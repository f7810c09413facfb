import { rmSync } from 'node:fs';
import { mkdtemp, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerCleanup, type CleanupRegistrar } from './cleanup.js';

export { registerCleanup, type Cleanup, type CleanupRegistrar } from './cleanup.js';

/**
 * A fresh directory (real path, no symlinks) that is removed when the test (or file, or
 * benchmark) ends. Removed synchronously, so it also goes when the process is exiting.
 */
export async function tempDir(prefix = 'ctmpl-it-', cleanup: CleanupRegistrar = registerCleanup): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), prefix)));
  // Retries: a server killed a moment ago may still be finishing its last write in it.
  cleanup(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));
  return dir;
}
