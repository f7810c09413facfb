import { InputError } from '../../errors.js';
import { mergeProbeSettings, probeEntrySchema, SERVICE_NAME, type ProbeSettings, type ProbeSpec } from './settings.js';

/**
 * The `--probe SERVICE=SPEC` flag (repeatable). SPEC is
 *
 *     TYPE[:PATH][,KEY=VALUE]...      or      off
 *
 * TYPE is tcp, http or https; PATH (http/https only) is the request path; KEY is any key of the
 * config-file entry (interval, timeout, jitter, fall, rise, port, panic, method, path, expect, body,
 * host, tls_skip_verify; `tls_skip_verify` alone means true). Values run to the next comma: a comma
 * inside `body` is written %2C (body is percent-decoded, nothing else is). SERVICE `*` applies to
 * every service without its own entry; `off` exempts a service from `*`.
 *
 *     --probe web=http:/healthz,interval=2s,fall=3,rise=2,expect=200-299
 *     --probe db=tcp
 *     --probe '*=tcp,port=9100'   --probe batch=off
 */
export const PROBE_FLAG_SYNTAX = 'SERVICE=TYPE[:PATH][,KEY=VALUE]... such as web=http:/healthz,interval=2s,fall=3 or db=tcp';

const HINT = `write --probe ${PROBE_FLAG_SYNTAX}; keys: interval, timeout, jitter, fall, rise, port, panic, method, path, expect, body, host, tls_skip_verify`;

export interface ProbeFlagEntry {
  readonly service: string;
  /** null: `off`. */
  readonly spec: ProbeSpec | null;
}

/** Parses one `--probe` value; errors name the flag and the value as typed. */
export function parseProbeFlag(value: string, flag = '--probe'): ProbeFlagEntry {
  const problem = (message: string): InputError => new InputError(`${flag} "${value}": ${message}`, undefined, HINT);
  const eq = value.indexOf('=');
  const service = value.slice(0, eq).trim();
  if (eq < 0 || !SERVICE_NAME.test(service)) throw problem('expected SERVICE=SPEC');
  const [head = '', ...options] = value.slice(eq + 1).split(',');
  if (head.trim() === 'off' && options.length === 0) return { service, spec: null };

  const raw: Record<string, unknown> = {};
  const colon = head.indexOf(':');
  raw.type = (colon < 0 ? head : head.slice(0, colon)).trim();
  if (colon >= 0) {
    const path = head.slice(colon + 1);
    if (path.startsWith('//')) throw problem(`"${head}" looks like a URL; give only the path (the address is each instance's own), such as http:/healthz`);
    raw.path = path;
  }
  for (const option of options) {
    const at = option.indexOf('=');
    const key = (at < 0 ? option : option.slice(0, at)).trim();
    // tls_skip_verify alone means true; every other key needs a value.
    if ((at < 0 && key !== 'tls_skip_verify') || key === '') throw problem(`"${option}" is not KEY=VALUE`);
    if (key === 'type') throw problem('the type comes first (http:/path, tcp), not as type=');
    if (Object.hasOwn(raw, key)) throw problem(`"${key}" is given twice`);
    raw[key] = typed(key, at < 0 ? '' : option.slice(at + 1), problem);
  }

  const result = probeEntrySchema.safeParse(raw);
  if (result.success) return { service, spec: result.data };
  const issue = result.error.issues[0];
  const keys = issue?.code === 'unrecognized_keys' ? issue.keys : [];
  if (keys.length > 0) throw problem(`unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}`);
  const where = issue?.path.map(String).join('.') ?? '';
  throw problem(`${where === '' ? '' : `${where}: `}${issue?.message ?? 'invalid'}`);
}

/** Values as the schema wants them: booleans for tls_skip_verify, body percent-decoded. */
function typed(key: string, value: string, problem: (message: string) => InputError): unknown {
  if (key === 'tls_skip_verify') {
    if (value === 'true' || value === '') return true;
    if (value === 'false') return false;
    throw problem(`tls_skip_verify: "${value}" is not true or false`);
  }
  if (key === 'body') {
    try {
      return decodeURIComponent(value);
    } catch {
      throw problem(`body: "${value}" has a bad %-escape (write a comma as %2C, a percent sign as %25)`);
    }
  }
  return value;
}

/** Every `--probe` value; a service given twice is an error (which one was meant?). */
export function probeSettingsFromFlags(values: readonly string[], flag = '--probe'): ProbeSettings {
  const services: Record<string, ProbeSpec | null> = {};
  for (const value of values) {
    const entry = parseProbeFlag(value, flag);
    if (Object.hasOwn(services, entry.service)) {
      throw new InputError(`${flag} "${value}": service ${entry.service} is probed by an earlier ${flag} already`, undefined, 'give one --probe per service');
    }
    services[entry.service] = entry.spec;
  }
  return { services };
}

/**
 * The settings of the `probes:` block (already validated by its schema) with the `--probe` flags
 * over it: a service's flag replaces its file entry whole.
 */
export function probeSettingsFrom(file: ProbeSettings | undefined, flagValues: readonly string[] | undefined, flag = '--probe'): ProbeSettings {
  return mergeProbeSettings(file, probeSettingsFromFlags(flagValues ?? [], flag));
}
