import pino, { type Logger } from 'pino';
import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';
import { SECRET_LOG_PATHS } from '../util/redact.js';

/** pino-pretty, loaded only for pretty output (a terminal, or --log-format pretty). */
const prettyStream = (options: PinoPretty.PrettyOptions): PinoPretty.PrettyStream => (createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty)(options);

export type { Logger };
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * JSON lines (journald and docker friendly), or human-readable lines on a terminal or with
 * --log-format pretty. Written to stderr when stdout carries rendered output (--dry), to stdout
 * otherwise. Credentials are redacted wherever they appear in a line.
 */
export function createLogger(level: LogLevel, toStderr: boolean, format?: 'json' | 'pretty'): Logger {
  const fd = toStderr ? 2 : 1;
  const pretty = format === 'pretty' || (format === undefined && (toStderr ? process.stderr : process.stdout).isTTY === true);
  return pino(
    {
      name: 'ctmpl',
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...SECRET_LOG_PATHS], censor: '[redacted]' },
    },
    pretty ? prettyStream({ destination: fd, sync: true, colorize: (toStderr ? process.stderr : process.stdout).isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'name', singleLine: true }) : pino.destination({ fd, sync: true }),
  );
}
