import * as z from 'zod';
import type { BlockContext } from '../config/block.js';
import { DEFAULTS } from '../config/defaults.js';
import { parseDuration } from '../config/duration.js';
import { InputError } from '../errors.js';
import { shellQuote } from './shell.js';

const durationText = z.union([z.string().min(1), z.number().nonnegative()]).transform(String);

/**
 * A command: a shell command line, or consul-template's list form (`["nginx", "-s", "reload"]`,
 * run without a shell there), which becomes a command line of quoted words here, so it runs the
 * same program with the same arguments.
 */
export const commandSchema = z
  .union([z.string().trim().min(1, 'must not be empty'), z.array(z.string()).min(1, 'lists no word; give the program and its arguments')])
  .transform((value) => (typeof value === 'string' ? value : commandLine(value)));

/** `["nginx", "-s", "reload"]` → `'nginx' '-s' 'reload'`: one shell word each, whatever they contain. */
export function commandLine(words: readonly string[]): string {
  return words.map((word) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : shellQuote(word))).join(' ');
}

/** The reload command and how commands run. */
export const commandKeys = {
  command: commandSchema.optional(),
  command_timeout: durationText.optional(),
  min_reload_interval: durationText.optional(),
  splay: durationText.optional(),
  reload_retry: durationText.optional(),
};

export interface CommandSettings {
  /** Run once after any batch in which a destination changed. */
  readonly command: string | undefined;
  readonly commandTimeoutMs: number;
  /** Least time between two batches' commands; changes meanwhile join the next batch. */
  readonly minReloadIntervalMs: number;
  /** Random delay up to this long before each batch's commands (0: none). */
  readonly splayMs: number;
  /** After a failed write or reload: the first wait before trying again, doubling up to the max. */
  readonly reloadRetry: { readonly firstMs: number; readonly maxMs: number };
}

/** A duration that must be longer than zero. */
function positiveDuration(text: string, what: string): number {
  const ms = parseDuration(text, what);
  if (ms <= 0) throw new InputError(`${what} must be longer than 0`, undefined, 'for example 30s');
  return ms;
}

/** `10s:5m`: the first wait and the longest; `10s` alone doubles up to 5 minutes. */
function parseRetry(text: string, what: string): { firstMs: number; maxMs: number } {
  const [first = '', max, extra] = text.split(':');
  const firstMs = positiveDuration(first, what);
  const maxMs = max === undefined ? Math.max(firstMs, DEFAULTS.retry.maxMs) : positiveDuration(max, what);
  if (extra !== undefined || maxMs < firstMs) throw new InputError(`${what}: "${text}" is not FIRST[:MAX] with MAX at least FIRST`, undefined, 'for example 10s:5m');
  return { firstMs, maxMs };
}

export function commandsFrom({ flags, file, at }: BlockContext): CommandSettings {
  return {
    command: flags.command ?? file.command,
    commandTimeoutMs: at.pick(flags.commandTimeout, '--command-timeout', file.command_timeout, ['command_timeout'], positiveDuration) ?? DEFAULTS.commandTimeoutMs,
    minReloadIntervalMs: at.pick(flags.minReloadInterval, '--min-reload-interval', file.min_reload_interval, ['min_reload_interval'], parseDuration) ?? DEFAULTS.minReloadIntervalMs,
    splayMs: at.pick(flags.splay, '--splay', file.splay, ['splay'], parseDuration) ?? DEFAULTS.splayMs,
    reloadRetry: at.pick(flags.reloadRetry, '--reload-retry', file.reload_retry, ['reload_retry'], parseRetry) ?? DEFAULTS.retry,
  };
}
