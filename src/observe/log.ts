import pino, { type Logger } from 'pino';

export type { Logger };
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * JSON lines (journald and docker friendly). Written to stderr when stdout carries rendered
 * output (--dry), to stdout otherwise. Credentials are redacted wherever they appear in a line.
 */
export function createLogger(level: LogLevel, toStderr: boolean): Logger {
  return pino(
    {
      name: 'ctmpl',
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['token', '*.token', 'password', '*.password', 'headers["x-consul-token"]'], censor: '[redacted]' },
    },
    pino.destination({ fd: toStderr ? 2 : 1, sync: true }),
  );
}
