import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

type Cleanup = () => unknown;

/** Cleanups registered outside a running test (in beforeAll or at collection time). */
const suiteCleanups: Cleanup[] = [];

async function runAll(cleanups: Cleanup[]): Promise<void> {
  const errors: unknown[] = [];
  // Last registered first: processes (registered after their directories) stop before the dirs go.
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, 'cleanup failed');
}

// Registered once per test file (each file imports this module afresh).
afterAll(async () => {
  await runAll(suiteCleanups.splice(0));
});

/**
 * Runs `cleanup` when the current test finishes, passed or failed; outside a test (in beforeAll)
 * it runs after the file's last test instead.
 */
export function registerCleanup(cleanup: Cleanup): void {
  try {
    onTestFinished(async () => {
      await cleanup();
    });
  } catch {
    suiteCleanups.push(cleanup);
  }
}

/** A fresh directory (real path, no symlinks) that is removed when the test (or file) ends. */
export async function tempDir(prefix = 'ctmpl-it-'): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), prefix)));
  registerCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
