import * as z from 'zod';
import { parseDuration } from '../../config/duration.js';
import { parseSocketAddress, type SocketAddress } from './socket.js';

const durationText = z.union([z.string().min(1), z.number().nonnegative()]).transform(String);

/** A template's `haproxy:` key: apply its server changes through this admin socket instead of reloading. */
export const haproxyTemplateSchema = z
  .strictObject({
    socket: z.string().trim().min(1, 'must not be empty').describe("haproxy's admin socket (a unix socket path, or host:port) at level admin"),
    timeout: durationText.optional().describe('deadline of one Runtime API command (default 2s)'),
    budget: durationText.optional().describe('time one apply or reconcile may take before ctmpl reloads instead (default 10s)'),
    drain_wait: durationText.optional().describe("how long a removed server's sessions may finish before it is deleted (default 2s)"),
    reconcile_every: durationText.optional().describe('how often haproxy is compared with the file and drift put right (default 1m)'),
  })
  .describe("apply this template's server changes through haproxy's Runtime API, and reload only for the rest (docs/haproxy-runtime.md)");

export type HaproxyTemplateFile = z.output<typeof haproxyTemplateSchema>;

export interface HaproxyTemplateSettings {
  readonly socket: SocketAddress;
  /** One command's deadline. */
  readonly timeoutMs: number;
  /** One apply or reconcile; past it, a reload. */
  readonly budgetMs: number;
  /** How long an apply waits for removed servers to finish their sessions. */
  readonly drainWaitMs: number;
  /** How often haproxy is compared with the file and drift put right (pending removals finished). */
  readonly reconcileEveryMs: number;
}

/** The key's settings; errors name `what` (the key, placed at its file:line:col by the caller). */
export function haproxySettings(file: HaproxyTemplateFile, what: string): HaproxyTemplateSettings {
  const duration = (value: string | undefined, key: string, fallback: number): number => (value === undefined ? fallback : parseDuration(value, `${what}.${key}`));
  return {
    socket: parseSocketAddress(file.socket, `${what}.socket`),
    timeoutMs: duration(file.timeout, 'timeout', 2000),
    budgetMs: duration(file.budget, 'budget', 10_000),
    drainWaitMs: duration(file.drain_wait, 'drain_wait', 2000),
    reconcileEveryMs: duration(file.reconcile_every, 'reconcile_every', 60_000),
  };
}
