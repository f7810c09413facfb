/**
 * A counting semaphore whose waiters can give up (an aborted signal): at most `size` holders at
 * once, served in arrival order.
 */
export class Slots {
  private holders = 0;
  private readonly waiting: { wake: () => void; onAbort: () => void }[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`slots: size must be a positive integer, not ${size}`);
  }

  /** Holders now. */
  get inUse(): number {
    return this.holders;
  }

  /** Waiters now. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves when a slot is taken; rejects with the signal's reason when it aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.holders < this.size) {
      this.holders += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        wake: (): void => {
          signal?.removeEventListener('abort', entry.onAbort);
          resolve();
        },
        onAbort: (): void => {
          const at = this.waiting.indexOf(entry);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(signal?.reason as Error);
        },
      };
      signal?.addEventListener('abort', entry.onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  /** Gives a slot back: it passes to the next waiter, if any. */
  give(): void {
    if (this.holders === 0) throw new Error('slots: give() without take()');
    const next = this.waiting.shift();
    if (next) next.wake();
    else this.holders -= 1;
  }
}
