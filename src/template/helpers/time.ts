/**
 * consul-template's `timestamp`: the current time in UTC, as RFC 3339, as Unix seconds ("unix"),
 * or in any layout of Go's time.Format (written with Go's reference time, Mon Jan 2 15:04:05 MST
 * 2006). The clock is a parameter so tests can fix it.
 */
import { splitArgs, type Helper } from './args.js';
import { describe } from './go-values.js';

/** Milliseconds since the epoch, as Date.now(). */
export type Now = () => number;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** The fields a layout element prints, all in UTC. */
interface Clock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly yday: number;
  readonly weekday: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly nanos: number;
}

function fields(ms: number): Clock {
  const d = new Date(ms);
  const startOfYear = Date.UTC(d.getUTCFullYear(), 0, 1);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    yday: Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - startOfYear) / 86_400_000) + 1,
    weekday: d.getUTCDay(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    nanos: d.getUTCMilliseconds() * 1_000_000,
  };
}

type Element = (c: Clock, text: string) => string;

const hour12 = (c: Clock): number => (c.hour % 12 === 0 ? 12 : c.hour % 12);

/** Go's layout elements, longest first where one is a prefix of another (as time.nextStdChunk). */
const ELEMENTS: readonly (readonly [RegExp, Element])[] = [
  [/^January/, (c) => MONTHS[c.month - 1] as string],
  [/^Jan(?![a-z])/, (c) => (MONTHS[c.month - 1] as string).slice(0, 3)],
  [/^Monday/, (c) => DAYS[c.weekday] as string],
  [/^Mon(?![a-z])/, (c) => (DAYS[c.weekday] as string).slice(0, 3)],
  [/^MST/, () => 'UTC'],
  [/^01/, (c) => pad(c.month, 2)],
  [/^02/, (c) => pad(c.day, 2)],
  [/^03/, (c) => pad(hour12(c), 2)],
  [/^04/, (c) => pad(c.minute, 2)],
  [/^05/, (c) => pad(c.second, 2)],
  [/^06/, (c) => pad(c.year % 100, 2)],
  [/^002/, (c) => pad(c.yday, 3)],
  [/^15/, (c) => pad(c.hour, 2)],
  [/^1/, (c) => String(c.month)],
  [/^2006/, (c) => pad(c.year, 4)],
  [/^2/, (c) => String(c.day)],
  [/^_2006/, (c) => `_${pad(c.year, 4)}`],
  [/^_2/, (c) => (c.day < 10 ? ` ${c.day}` : String(c.day))],
  [/^__2/, (c) => String(c.yday).padStart(3, ' ')],
  [/^3/, (c) => String(hour12(c))],
  [/^4/, (c) => String(c.minute)],
  [/^5/, (c) => String(c.second)],
  [/^PM/, (c) => (c.hour >= 12 ? 'PM' : 'AM')],
  [/^pm/, (c) => (c.hour >= 12 ? 'pm' : 'am')],
  // Numeric zones: UTC is +0000 in every width; the Z forms print Z.
  [/^-070000/, () => '+000000'],
  [/^-07:00:00/, () => '+00:00:00'],
  [/^-0700/, () => '+0000'],
  [/^-07:00/, () => '+00:00'],
  [/^-07/, () => '+00'],
  [/^Z(?:070000|07:00:00|0700|07:00|07)/, () => 'Z'],
  // Fractional seconds: .000 (fixed digits) or .999 (trailing zeros dropped), also with a comma.
  [/^[.,](?:0+|9+)(?![0-9])/, (c, text) => fraction(text, c.nanos)],
];

function fraction(text: string, nanos: number): string {
  const separator = text[0] as string;
  const digits = pad(nanos, 9).slice(0, text.length - 1);
  if (text[1] === '0') return separator + digits;
  const trimmed = digits.replace(/0+$/, '');
  return trimmed === '' ? '' : separator + trimmed;
}

/** time.Time.Format(layout) for a UTC time. */
export function formatGoTime(ms: number, layout: string): string {
  const clock = fields(ms);
  let out = '';
  let i = 0;
  while (i < layout.length) {
    const rest = layout.slice(i);
    let matched = false;
    for (const [pattern, element] of ELEMENTS) {
      const m = pattern.exec(rest);
      if (!m) continue;
      out += element(clock, m[0]);
      i += m[0].length;
      matched = true;
      break;
    }
    if (!matched) {
      out += layout[i];
      i++;
    }
  }
  return out;
}

const RFC3339 = '2006-01-02T15:04:05Z07:00';

/** The timestamp helper with a given clock (production: Date.now). */
export function timeHelpers(now: Now = Date.now): Record<string, Helper> {
  return {
    /** `(timestamp)`: RFC 3339 in UTC; `(timestamp "unix")`: Unix seconds; `(timestamp LAYOUT)`: Go's time.Format. */
    timestamp(...args) {
      const { params } = splitArgs(args);
      if (params.length > 1) throw new Error(`timestamp: expected 0 or 1 argument, got ${params.length}`);
      const ms = now();
      if (params.length === 0) return formatGoTime(ms, RFC3339);
      const [layout] = params;
      if (layout === null || layout === undefined || typeof layout === 'object') throw new Error(`timestamp: expected a layout such as "2006-01-02", got ${describe(layout)}`);
      if (layout === 'unix') return String(Math.floor(ms / 1000));
      return formatGoTime(ms, String(layout));
    },
  };
}
