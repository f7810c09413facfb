/**
 * Time as the scheduling parts see it. Production uses the system clock; tests pass a fake one (or
 * vitest's fake timers, which drive the system clock's functions).
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): Timer;
  clearTimeout(timer: Timer | undefined): void;
}

/** An opaque timer handle. */
export type Timer = { readonly __timer: unique symbol } | NodeJS.Timeout;

/** The real clock. Timers are unref'd: a pending wait never keeps ctmpl alive by itself. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref();
    return timer;
  },
  clearTimeout(timer) {
    if (timer !== undefined) clearTimeout(timer as NodeJS.Timeout);
  },
};
