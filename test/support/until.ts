/**
 * Waits, polling every few milliseconds, until `check` holds; fails with `what` after the deadline.
 * For events that take real time (file watches, sockets), never a fixed sleep.
 */
export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not met within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Lets `ms` of real time pass, to show that something does NOT happen in it (after a condition was met). */
export function quietFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
