import { z } from 'zod';
import type { BlockContext } from '../config/block.js';
import { DEFAULTS } from '../config/defaults.js';
import { parseDuration } from '../config/duration.js';
import { parseListen } from './http.js';
import { LOG_LEVELS, type LogLevel } from './log.js';

const durationText = z.union([z.string().min(1), z.number().nonnegative()]).transform(String);

/** The /metrics, /healthz and /status endpoint. */
export const observeKeys = {
  listen: z.string().trim().min(1, 'must not be empty').optional(),
  health_failing_after: durationText.optional(),
  health_grace: durationText.optional(),
};

/** Log lines. */
export const loggingKeys = {
  log_level: z.enum(LOG_LEVELS).optional(),
  log_format: z.enum(['json', 'pretty']).optional(),
};

export interface ObserveSettings {
  /** host:port of the /metrics, /healthz and /status endpoint; off when undefined. */
  readonly listen: { readonly host: string; readonly port: number } | undefined;
  /** A source failing longer than this makes /healthz unhealthy. */
  readonly healthFailingAfterMs: number;
  /** A template whose file is not current (failed write or reload, missing file) for longer than this makes /healthz unhealthy. */
  readonly healthGraceMs: number;
}

export interface LoggingSettings {
  readonly logLevel: LogLevel;
  /** json lines, or pretty for a person; default pretty on a terminal. */
  readonly logFormat: 'json' | 'pretty' | undefined;
}

export function observeFrom({ flags, file, at }: BlockContext): ObserveSettings {
  return {
    listen: at.pick(flags.listen, '--listen', file.listen, ['listen'], parseListen),
    healthFailingAfterMs: at.pick(flags.healthFailingAfter, '--health-failing-after', file.health_failing_after, ['health_failing_after'], parseDuration) ?? DEFAULTS.healthFailingAfterMs,
    healthGraceMs: at.pick(flags.healthGrace, '--health-grace', file.health_grace, ['health_grace'], parseDuration) ?? DEFAULTS.healthGraceMs,
  };
}

export function loggingFrom({ flags, file }: BlockContext): LoggingSettings {
  return { logLevel: flags.logLevel ?? file.log_level ?? DEFAULTS.logLevel, logFormat: flags.logFormat ?? file.log_format };
}
