import { constants as osConstants } from 'node:os';
import * as z from 'zod';
import type { BlockContext } from '../config/block.js';
import { DEFAULTS } from '../config/defaults.js';
import { parseDuration } from '../config/duration.js';
import { InputError } from '../errors.js';
import { commandSchema } from './settings.js';

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const durationText = z.union([z.string().min(1), z.number().nonnegative()]).transform(String);

export const execKeys = {
  exec: z
    .strictObject({
      command: commandSchema,
      reload_signal: nonEmpty.optional(),
      kill_signal: nonEmpty.optional().describe('signal that stops the child when ctmpl stops (default: the signal ctmpl got, SIGTERM or SIGINT)'),
      kill_timeout: durationText.optional(),
      splay: durationText.optional(),
      restart_backoff_max: durationText.optional(),
    })
    .optional(),
};

/** Exec mode: ctmpl supervises one child (the docker-sidecar pattern). */
export interface ExecSettings {
  readonly command: string;
  /** Signal sent on change; undefined restarts the child instead. */
  readonly reloadSignal: NodeJS.Signals | undefined;
  readonly killTimeoutMs: number;
  /** Signal that stops the child when ctmpl stops; undefined passes on the one ctmpl got. */
  readonly killSignal?: NodeJS.Signals | undefined;
  /** Random delay up to this long before signalling the child. */
  readonly splayMs: number;
  /** Restart backoff after an unexpected exit: doubles from 1 s up to this. */
  readonly restartBackoffMaxMs: number;
}

const SIGNALS = new Set(Object.keys(osConstants.signals));

/** `SIGHUP`, `hup`, or `none` (restart the child instead) → the signal, or undefined for none. */
export function parseSignal(text: string, what: string): NodeJS.Signals | undefined {
  if (text.toLowerCase() === 'none') return undefined;
  const signal = text.toUpperCase().startsWith('SIG') ? text.toUpperCase() : `SIG${text.toUpperCase()}`;
  if (!SIGNALS.has(signal)) throw new InputError(`${what}: "${text}" is not a signal`, undefined, 'use a signal name such as SIGHUP or SIGUSR2, or none to restart the child instead');
  return signal as NodeJS.Signals;
}

/** A signal that stops a process: `none` is no answer here, and SIGKILL/SIGSTOP cannot be caught or passed on cleanly. */
export function stopSignal(text: string, what: string): NodeJS.Signals {
  const signal = text.toLowerCase() === 'none' ? undefined : parseSignal(text, what);
  if (signal === undefined || signal === 'SIGKILL' || signal === 'SIGSTOP') {
    throw new InputError(`${what}: "${text}" cannot be used here`, undefined, 'give a signal the process can catch, such as SIGTERM, SIGINT or SIGQUIT');
  }
  return signal;
}

/**
 * Exec mode settings; undefined when no exec command is given. The other exec settings are checked
 * even then: a typo in a setting that does nothing yet is still a typo.
 */
export function execFrom({ flags, file, at }: BlockContext): ExecSettings | undefined {
  const own = file.exec;
  const reloadSignal = at.pick(flags.execReloadSignal, '--exec-reload-signal', own?.reload_signal, ['exec', 'reload_signal'], (v, name) => ({ signal: parseSignal(v, name) }));
  const killSignal = at.pick(flags.execKillSignal, '--exec-kill-signal', own?.kill_signal, ['exec', 'kill_signal'], stopSignal);
  const killTimeoutMs = at.pick(flags.execKillTimeout, '--exec-kill-timeout', own?.kill_timeout, ['exec', 'kill_timeout'], parseDuration);
  const splayMs = at.pick(flags.execSplay, '--exec-splay', own?.splay, ['exec', 'splay'], parseDuration);
  const restartBackoffMaxMs = at.pick(undefined, '', own?.restart_backoff_max, ['exec', 'restart_backoff_max'], parseDuration);
  const command = flags.exec ?? own?.command;
  if (command === undefined) return undefined;
  if (flags.once) {
    throw new InputError(`${flags.exec !== undefined ? '--exec' : 'exec (in the config file)'} cannot be combined with --once`, undefined, 'exec mode supervises a long-running child; drop --once, or use -c for a one-off command');
  }
  return {
    command,
    reloadSignal: reloadSignal === undefined ? DEFAULTS.exec.reloadSignal : reloadSignal.signal,
    killTimeoutMs: killTimeoutMs ?? DEFAULTS.exec.killTimeoutMs,
    killSignal,
    splayMs: splayMs ?? DEFAULTS.exec.splayMs,
    restartBackoffMaxMs: restartBackoffMaxMs ?? DEFAULTS.exec.restartBackoffMaxMs,
  };
}
