import { z } from 'zod';
import type { BlockContext } from '../config/block.js';
import { DEFAULTS } from '../config/defaults.js';
import { parseDuration } from '../config/duration.js';
import { InputError } from '../errors.js';

const durationText = z.union([z.string().min(1), z.number().nonnegative()]).transform(String);

/** The reload command and how commands run. */
export const commandKeys = {
  command: z.string().trim().min(1, 'must not be empty').optional(),
  command_timeout: durationText.optional(),
  min_reload_interval: durationText.optional(),
  splay: durationText.optional(),
};

export interface CommandSettings {
  /** Run once after any batch in which a destination changed. */
  readonly command: string | undefined;
  readonly commandTimeoutMs: number;
  /** Least time between two batches' commands; changes meanwhile join the next batch. */
  readonly minReloadIntervalMs: number;
  /** Random delay up to this long before each batch's commands (0: none). */
  readonly splayMs: number;
}

/** A duration that must be longer than zero. */
function positiveDuration(text: string, what: string): number {
  const ms = parseDuration(text, what);
  if (ms <= 0) throw new InputError(`${what} must be longer than 0`, undefined, 'for example 30s');
  return ms;
}

export function commandsFrom({ flags, file, at }: BlockContext): CommandSettings {
  return {
    command: flags.command ?? file.command,
    commandTimeoutMs: at.pick(flags.commandTimeout, '--command-timeout', file.command_timeout, ['command_timeout'], positiveDuration) ?? DEFAULTS.commandTimeoutMs,
    minReloadIntervalMs: at.pick(flags.minReloadInterval, '--min-reload-interval', file.min_reload_interval, ['min_reload_interval'], parseDuration) ?? DEFAULTS.minReloadIntervalMs,
    splayMs: at.pick(flags.splay, '--splay', file.splay, ['splay'], parseDuration) ?? DEFAULTS.splayMs,
  };
}
