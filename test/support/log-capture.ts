import pino from 'pino';
import type { Logger } from '../../src/observe/log.js';

/** One log line as pino writes it (level 30 info, 40 warn, 50 error). */
export interface LogEntry {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** A real pino logger whose lines a test reads back, parsed. */
export function captureLog(level: pino.LevelWithSilent = 'debug'): { log: Logger; entries: LogEntry[]; at(level: keyof typeof LEVELS): LogEntry[] } {
  const entries: LogEntry[] = [];
  const log = pino({ level, base: undefined }, { write: (line: string) => void entries.push(JSON.parse(line) as LogEntry) });
  return { log, entries, at: (name) => entries.filter((e) => e.level === LEVELS[name]) };
}

/** A logger that writes nothing. */
export const silentLog = (): Logger => pino({ level: 'silent' });
