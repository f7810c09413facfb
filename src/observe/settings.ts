import * as z from 'zod';
import type { BlockContext } from '../config/block.js';
import { DEFAULTS } from '../config/defaults.js';
import { parseDuration } from '../config/duration.js';
import { resolve } from 'node:path';
import { stopSignal } from '../actions/exec-settings.js';
import { InputError } from '../errors.js';
import { parseListen } from './http.js';
import { LOG_LEVELS, type LogLevel } from './log.js';

const durationText = z.union([z.string().min(1), z.number().nonnegative()]).transform(String);

/** The /metrics, /healthz and /status endpoint. */
export const observeKeys = {
  listen: z.string().trim().min(1, 'must not be empty').optional(),
  health_failing_after: durationText.optional(),
  health_grace: durationText.optional(),
  // How the process is driven from outside: consul-template's process keys.
  pid_file: z.string().trim().min(1, 'must not be empty').optional(),
  kill_signal: z.string().trim().min(1, 'must not be empty').optional(),
  reload_signal: z.string().trim().min(1, 'must not be empty').optional(),
};

/** Log lines. consul-template's `err` is error. */
export const loggingKeys = {
  log_level: z
    .enum([...LOG_LEVELS, 'err'])
    .transform((level): LogLevel => (level === 'err' ? 'error' : level))
    .optional(),
  log_format: z.enum(['json', 'pretty']).optional(),
};

export interface ObserveSettings {
  /** host:port of the /metrics, /healthz and /status endpoint; off when undefined. */
  readonly listen: { readonly host: string; readonly port: number } | undefined;
  /** A source failing longer than this makes /healthz unhealthy. */
  readonly healthFailingAfterMs: number;
  /** A template whose file is not current (failed write or reload, missing file) for longer than this makes /healthz unhealthy. */
  readonly healthGraceMs: number;
  /** ctmpl's process id is written here at start and the file removed at exit. */
  readonly pidFile?: string | undefined;
  /** Signals that stop ctmpl cleanly: SIGTERM, SIGINT, and consul-template's kill_signal (unset: the first two). */
  readonly stopSignals?: readonly NodeJS.Signals[];
  /** Signal that re-reads config and templates (unset: SIGHUP). */
  readonly reloadSignal?: NodeJS.Signals;
}

/** SIGUSR1 releases held instances; SIGTERM and SIGINT always stop. */
const RESERVED: Readonly<Record<string, string>> = { SIGUSR1: 'ctmpl releases held instances on SIGUSR1', SIGTERM: 'SIGTERM always stops ctmpl', SIGINT: 'SIGINT always stops ctmpl' };

function reloadSignalOf(text: string, what: string): NodeJS.Signals {
  const signal = stopSignal(text, what);
  const reserved = RESERVED[signal];
  if (reserved) throw new InputError(`${what}: ${signal} cannot be the reload signal`, undefined, `${reserved}; pick another, such as SIGHUP or SIGUSR2`);
  return signal;
}

export interface LoggingSettings {
  readonly logLevel: LogLevel;
  /** json lines, or pretty for a person; default pretty on a terminal. */
  readonly logFormat: 'json' | 'pretty' | undefined;
}

export function observeFrom({ flags, file, at, cwd, fileDir }: BlockContext): ObserveSettings {
  const reloadSignal = at.pick(flags.reloadSignal, '--reload-signal', file.reload_signal, ['reload_signal'], reloadSignalOf) ?? 'SIGHUP';
  const killSignal = at.pick(flags.killSignal, '--kill-signal', file.kill_signal, ['kill_signal'], (text, what) => {
    const signal = stopSignal(text, what);
    if (signal === reloadSignal) throw new InputError(`${what}: ${signal} is also the reload signal`, undefined, 'give the kill and the reload signal different signals');
    if (signal === 'SIGUSR1') throw new InputError(`${what}: SIGUSR1 cannot stop ctmpl`, undefined, `${RESERVED.SIGUSR1 ?? ''}; pick another, such as SIGQUIT`);
    return signal;
  });
  const pidFile = flags.pidFile !== undefined ? resolve(cwd, flags.pidFile) : file.pid_file !== undefined ? resolve(fileDir, file.pid_file) : undefined;
  return {
    pidFile,
    stopSignals: [...new Set<NodeJS.Signals>(['SIGTERM', 'SIGINT', ...(killSignal ? [killSignal] : [])])],
    reloadSignal,
    listen: at.pick(flags.listen, '--listen', file.listen, ['listen'], parseListen),
    healthFailingAfterMs: at.pick(flags.healthFailingAfter, '--health-failing-after', file.health_failing_after, ['health_failing_after'], parseDuration) ?? DEFAULTS.healthFailingAfterMs,
    healthGraceMs: at.pick(flags.healthGrace, '--health-grace', file.health_grace, ['health_grace'], parseDuration) ?? DEFAULTS.healthGraceMs,
  };
}

export function loggingFrom({ flags, file }: BlockContext): LoggingSettings {
  return { logLevel: flags.logLevel ?? file.log_level ?? DEFAULTS.logLevel, logFormat: flags.logFormat ?? file.log_format };
}
