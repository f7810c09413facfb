import type { SourceSink } from './old-source.js';

/** Timing of a source's reconnect loop; tests shrink it. */
export interface Backoff {
  /** First wait after a failure; doubles per consecutive failure (full jitter). */
  readonly baseMs: number;
  readonly capMs: number;
  readonly random: () => number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 250, capMs: 30_000, random: Math.random };

/** Full jitter: a random wait between 0 and min(cap, base × 2^(failures-1)), at least 10% of the step. */
export function backoffDelay(failures: number, backoff: Backoff): number {
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(Math.max(failures, 1) - 1, 30));
  return Math.round(ceiling * (0.1 + 0.9 * backoff.random()));
}

/**
 * Reports a source's problems once each (not once per retry) and their end once: the sink's
 * `error` when a problem starts, `info` when the last thing affected by it works again.
 */
export class ProblemLog {
  /** Problem key → what it affects (a dependency id, "connection"…). */
  private readonly open = new Map<string, Set<string>>();

  constructor(
    private readonly prefix: string,
    private readonly sink: () => SourceSink | undefined,
  ) {}

  /** `key` identifies the problem (a message without volatile parts); `subject` what it affects. */
  report(key: string, subject: string, message: string, err?: unknown): void {
    const affected = this.open.get(key);
    if (affected) {
      affected.add(subject);
      return;
    }
    this.open.set(key, new Set([subject]));
    this.sink()?.error(`${this.prefix}: ${message}`, err);
  }

  /** `subject` works again: every problem it was the last one affected by is over. */
  resolve(subject: string): void {
    for (const [key, affected] of this.open) {
      if (!affected.delete(subject) || affected.size > 0) continue;
      this.open.delete(key);
      this.sink()?.info?.(`${this.prefix} answers again (${key} resolved)`);
    }
  }

  /** Forgets a subject without announcing a recovery (it is no longer watched). */
  forget(subject: string): void {
    for (const [key, affected] of this.open) {
      affected.delete(subject);
      if (affected.size === 0) this.open.delete(key);
    }
  }

  get size(): number {
    return this.open.size;
  }
}

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

/** host:port syntax check for addresses taken from a registry (untrusted). */
export function validAddress(address: string): boolean {
  if (address === '' || address.length > 253) return false;
  if (/^[0-9.]+$/.test(address)) {
    const parts = address.split('.');
    return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
  }
  if (address.includes(':')) return /^[0-9a-fA-F:.]+$/.test(address) && address.split(':').length <= 8 && address.split(':').length >= 3;
  return /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/.test(address);
}

/** A TCP port as text, or undefined when the value is not a port 1–65535. */
export function validPort(value: unknown): string | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? String(n) : undefined;
}

/** Splits `host:port` or `[v6]:port`; undefined when it is neither. */
export function splitHostPort(text: string): { host: string; port: string } | undefined {
  const trimmed = text.trim();
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(trimmed);
  const plain = v6 ? undefined : /^([^:\s]+):(\d+)$/.exec(trimmed);
  const host = v6?.[1] ?? plain?.[1];
  const port = validPort(v6?.[2] ?? plain?.[2]);
  if (host === undefined || port === undefined || !validAddress(host)) return undefined;
  return { host, port };
}

/** Any JSON value as a template string (objects as JSON). */
export function metaText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
