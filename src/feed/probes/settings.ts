import * as z from 'zod';
import { parseDuration } from '../../config/duration.js';
import { InputError } from '../../errors.js';
import { isHostAddress, portText, splitHostPort } from '../../util/address.js';

/**
 * Settings of consumer-side probing, config-file block `probes:` (and `--probe`, see flag.ts).
 * Probing is off unless configured: an entry per service name, plus an optional `"*"` entry for
 * every service that has none of its own. A service's entry replaces `"*"` whole (nothing is
 * merged), and `false` (or "off") exempts a service from `"*"`.
 */

export const PROBE_TYPES = ['tcp', 'http', 'https'] as const;
export type ProbeType = (typeof PROBE_TYPES)[number];

/** The entry that applies to every service without one of its own. */
export const ALL_SERVICES = '*';

export const PROBE_DEFAULTS = {
  intervalMs: 5000,
  timeoutMs: 2000,
  /** Jitter is this share of the interval unless given. */
  jitterShare: 0.1,
  fall: 3,
  rise: 2,
  method: 'GET',
  path: '/',
  expect: { min: 200, max: 399 },
  panicPct: 50,
} as const;

/** Probing faster than this would be a load test, not a health check. */
const MIN_INTERVAL_MS = 100;
const MAX_BODY_TEXT = 1024;

export interface HttpProbeSpec {
  readonly method: 'GET' | 'HEAD';
  readonly path: string;
  /** Accepted status codes, inclusive. */
  readonly expect: { readonly min: number; readonly max: number };
  /** A substring the first 64 KiB of the body must contain. */
  readonly body: string | undefined;
  /** Host header (and TLS server name); defaults to the instance's address:port. */
  readonly host: string | undefined;
  /** https only: accept any certificate (backends often have none for their IP). */
  readonly tlsSkipVerify: boolean;
}

/** How one service's instances are probed, every default applied. */
export interface ProbeSpec {
  readonly type: ProbeType;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Each interval is intervalMs ± jitterMs (uniform), so probes do not synchronise. */
  readonly jitterMs: number;
  /** Consecutive failures that make an instance critical. */
  readonly fall: number;
  /** Consecutive successes that make a critical instance passing again. */
  readonly rise: number;
  /** Probe this port instead of the instance's own. */
  readonly port: number | undefined;
  /** When more than this share (percent) of a service looks down from here, nothing is marked down. */
  readonly panicPct: number;
  /** Set for http and https probes. */
  readonly http: HttpProbeSpec | undefined;
}

/** Per service name (`"*"` for all others): a spec, or null for "not probed". */
export interface ProbeSettings {
  readonly services: Readonly<Record<string, ProbeSpec | null>>;
}

export const NO_PROBES: ProbeSettings = Object.freeze({ services: Object.freeze({}) });

/** The spec for a service: its own entry, else `"*"`; undefined when it is not probed. */
export function probeSpecFor(settings: ProbeSettings, service: string): ProbeSpec | undefined {
  const own = Object.hasOwn(settings.services, service) ? settings.services[service] : undefined;
  if (own !== undefined) return own ?? undefined;
  return Object.hasOwn(settings.services, ALL_SERVICES) ? (settings.services[ALL_SERVICES] ?? undefined) : undefined;
}

/** Flags win: a service's `--probe` replaces its config-file entry whole. */
export function mergeProbeSettings(file: ProbeSettings | undefined, flags: ProbeSettings | undefined): ProbeSettings {
  return { services: { ...file?.services, ...flags?.services } };
}

/** Service names as keys; `__proto__` would not survive as an object key. */
export const SERVICE_NAME = /^(?!__proto__$)\S+$/;

const text = z.union([z.string(), z.number()]).transform(String);

function fail(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER as never;
}

const duration = text.transform((value, ctx) => {
  try {
    return parseDuration(value, 'duration');
  } catch {
    return fail(ctx, `"${value}" is not a duration (write 500ms, 2s, 1m30s, or a number of seconds)`);
  }
});

/** A duration, or a share of the interval such as "10%". */
const jitter = text.transform((value, ctx): { ms: number } | { share: number } => {
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(value.trim());
  if (pct) return { share: Number(pct[1]) / 100 };
  try {
    return { ms: parseDuration(value, 'jitter') };
  } catch {
    return fail(ctx, `"${value}" is neither a duration (500ms) nor a share of the interval (10%)`);
  }
});

const count = text.transform((value, ctx) => {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  return n >= 1 && n <= 100 ? n : fail(ctx, `"${value}" is not a whole number from 1 to 100`);
});

const percent = text.transform((value, ctx) => {
  const match = /^(\d+(?:\.\d+)?)%?$/.exec(value.trim());
  const n = match ? Number(match[1]) : NaN;
  return n >= 0 && n <= 100 ? n : fail(ctx, `"${value}" is not a percentage from 0 to 100 (such as 50 or "50%")`);
});

const port = text.transform((value, ctx) => {
  const checked = portText(value);
  return checked === undefined ? fail(ctx, `"${value}" is not a port (1-65535)`) : Number(checked);
});

const statusRange = text.transform((value, ctx) => {
  const match = /^(\d{3})(?:-(\d{3}))?$/.exec(value.trim());
  const min = Number(match?.[1]);
  const max = match?.[2] === undefined ? min : Number(match[2]);
  if (!match || min < 100 || max > 599 || min > max) return fail(ctx, `"${value}" is not a status or status range such as 200 or 200-399`);
  return { min, max };
});

const method = z.string().transform((value, ctx) => {
  const upper = value.trim().toUpperCase();
  return upper === 'GET' || upper === 'HEAD' ? upper : fail(ctx, `"${value}" is not GET or HEAD`);
});

const path = z.string().regex(/^\/[\x21-\x7e]*$/, 'must start with "/" and hold no spaces or control characters (percent-encode them)');

const host = z.string().refine((value) => isHostAddress(value) || splitHostPort(value) !== undefined, 'must be a host name or address, optionally with :port');

const body = z.string().min(1, 'must not be empty').max(MAX_BODY_TEXT, `must be at most ${MAX_BODY_TEXT} characters`);

const entryShape = z.strictObject({
    type: z.enum(PROBE_TYPES, 'must be tcp, http or https'),
    interval: duration.optional(),
    timeout: duration.optional(),
    jitter: jitter.optional(),
    fall: count.optional(),
    rise: count.optional(),
    port: port.optional(),
    panic: percent.optional(),
    method: method.optional(),
    path: path.optional(),
    expect: statusRange.optional(),
    body: body.optional(),
    host: host.optional(),
    tls_skip_verify: z.boolean().optional(),
});
type CheckedEntry = z.output<typeof entryShape>;

/** One entry of the `probes:` block, as written (snake_case keys, durations as text); output: the spec. */
export const probeEntrySchema = entryShape
  .superRefine((entry, ctx) => {
    const at = (key: string, message: string): void => ctx.addIssue({ code: 'custom', path: [key], message });
    if (entry.type === 'tcp') {
      for (const key of ['method', 'path', 'expect', 'body', 'host', 'tls_skip_verify'] as const) {
        if (entry[key] !== undefined) at(key, `only http and https probes have "${key}" (this one is tcp)`);
      }
    }
    if (entry.type === 'http' && entry.tls_skip_verify !== undefined) at('tls_skip_verify', 'only https probes use TLS');
    if (entry.body !== undefined && entry.method === 'HEAD') at('body', 'a HEAD answer has no body: use method GET to check the body');
    const interval = entry.interval ?? PROBE_DEFAULTS.intervalMs;
    if (interval < MIN_INTERVAL_MS) at('interval', `must be at least ${MIN_INTERVAL_MS}ms`);
    if (entry.timeout !== undefined && entry.timeout <= 0) at('timeout', 'must be more than 0');
    if (entry.jitter !== undefined && jitterMs(entry.jitter, interval) > interval / 2) {
      at('jitter', `must be at most half the interval (${interval} ms), or probes could run back to back`);
    }
  })
  .transform((entry): ProbeSpec => toSpec(entry));

export type ProbeEntry = z.input<typeof probeEntrySchema>;

function jitterMs(value: { ms: number } | { share: number }, intervalMs: number): number {
  return 'ms' in value ? value.ms : Math.round(value.share * intervalMs);
}

function toSpec(entry: CheckedEntry): ProbeSpec {
  const intervalMs = entry.interval ?? PROBE_DEFAULTS.intervalMs;
  return {
    type: entry.type,
    intervalMs,
    timeoutMs: entry.timeout ?? PROBE_DEFAULTS.timeoutMs,
    jitterMs: jitterMs(entry.jitter ?? { share: PROBE_DEFAULTS.jitterShare }, intervalMs),
    fall: entry.fall ?? PROBE_DEFAULTS.fall,
    rise: entry.rise ?? PROBE_DEFAULTS.rise,
    port: entry.port,
    panicPct: entry.panic ?? PROBE_DEFAULTS.panicPct,
    http:
      entry.type === 'tcp'
        ? undefined
        : {
            method: (entry.method ?? PROBE_DEFAULTS.method) as 'GET' | 'HEAD',
            path: entry.path ?? PROBE_DEFAULTS.path,
            expect: entry.expect ?? PROBE_DEFAULTS.expect,
            body: entry.body,
            host: entry.host,
            tlsSkipVerify: entry.tls_skip_verify ?? false,
          },
  };
}

/** A service's value in the block: an entry, or `false` / "off" (not probed, even under `"*"`). */
const serviceValue = z.unknown().transform((value, ctx): ProbeSpec | null => {
  if (value === false || value === 'off') return null;
  const result = probeEntrySchema.safeParse(value);
  if (result.success) return result.data;
  // Re-issued as they are, so the config loader still places each at its key.
  for (const issue of result.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
  return z.NEVER as never;
});

/**
 * The config-file block `probes:`: service name (or `"*"`) → entry or `false`. Output: the
 * resolved settings. Add it to the config schema as `probes: probesFileSchema.optional()`.
 */
export const probesFileSchema = z
  .record(z.string().regex(SERVICE_NAME, 'must be a service name (no spaces) or "*"'), serviceValue)
  .transform((services): ProbeSettings => ({ services }));

/** Most probes in flight at once, over every service, unless configured. */
export const DEFAULT_PROBE_CONCURRENCY = 64;

const concurrency = text.transform((value, ctx) => {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  return n >= 1 && n <= 4096 ? n : fail(ctx, `"${value}" is not a whole number from 1 to 4096`);
});

/**
 * The config-file keys of this block, for the config schema (as the other blocks' `…Keys`):
 * `probes:` and `probe_concurrency:` (the flag is `--probe-concurrency N`).
 */
export const probeKeys = {
  probes: probesFileSchema.optional(),
  probe_concurrency: concurrency.optional(),
};

/** `--probe-concurrency N`; the error names the flag. */
export function parseProbeConcurrency(value: string, flag = '--probe-concurrency'): number {
  const result = concurrency.safeParse(value);
  if (result.success) return result.data;
  throw new InputError(`${flag}: ${result.error.issues[0]?.message ?? 'invalid'}`, undefined, 'the most probes in flight at once, over every service (default 64)');
}
