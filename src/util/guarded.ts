/** Runs a callback from a library's event emitter so that nothing it throws escapes (etcd3 re-throws). */
export function guarded(onError: (err: unknown) => void, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    try {
      onError(err);
    } catch {
      // A broken error handler must not crash the daemon either.
    }
  }
}
