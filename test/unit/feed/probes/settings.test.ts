import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { parseDataText, validateDataFile } from '../../../../src/config/data-file.js';
import { mergeProbeSettings, parseProbeConcurrency, probeEntrySchema, probeKeys, probesFileSchema, probeSpecFor, type ProbeSettings } from '../../../../src/feed/probes/settings.js';
import { inputErrorOf } from '../../../support/input-error.js';

/** The block as the config loader will see it: under `probes:` in a YAML file. */
const configSchema = z.strictObject({ probes: probesFileSchema.optional() });
function load(yaml: string): ProbeSettings | undefined {
  return validateDataFile(parseDataText('/etc/ctmpl.yaml', yaml), configSchema, 'see docs/probes.md').probes;
}
const issues = (value: unknown) => probesFileSchema.safeParse(value).error?.issues ?? [];

describe('probe settings', () => {
  it('fills in every default for an http probe', () => {
    expect(probeEntrySchema.parse({ type: 'http' })).toEqual({
      type: 'http',
      intervalMs: 5000,
      timeoutMs: 2000,
      jitterMs: 500,
      fall: 3,
      rise: 2,
      port: undefined,
      panicPct: 50,
      http: { method: 'GET', path: '/', expect: { min: 200, max: 399 }, body: undefined, host: undefined, tlsSkipVerify: false },
    });
  });

  it('has no http part for a tcp probe', () => {
    expect(probeEntrySchema.parse({ type: 'tcp' }).http).toBeUndefined();
  });

  it('reads every key of a full entry', () => {
    const spec = probeEntrySchema.parse({ type: 'https', interval: '2s', timeout: 500, jitter: '20%', fall: 5, rise: '1', port: 8443, panic: '30%', method: 'head', path: '/healthz?deep=1', expect: 204, host: 'web.internal:8443', tls_skip_verify: true });
    expect(spec).toMatchObject({ intervalMs: 2000, timeoutMs: 500_000, jitterMs: 400, fall: 5, rise: 1, port: 8443, panicPct: 30 });
    expect(spec.http).toEqual({ method: 'HEAD', path: '/healthz?deep=1', expect: { min: 204, max: 204 }, body: undefined, host: 'web.internal:8443', tlsSkipVerify: true });
  });

  it('takes jitter as a duration too', () => {
    expect(probeEntrySchema.parse({ type: 'tcp', interval: '10s', jitter: '1500ms' }).jitterMs).toBe(1500);
  });

  it('refuses jitter above half the interval (probes could run back to back)', () => {
    expect(issues({ web: { type: 'tcp', interval: '1s', jitter: '600ms' } })[0]).toMatchObject({ path: ['web', 'jitter'], message: expect.stringContaining('at most half the interval') });
  });

  it('refuses http keys on a tcp probe, at the key', () => {
    expect(issues({ db: { type: 'tcp', path: '/x' } })[0]).toMatchObject({ path: ['db', 'path'], message: 'only http and https probes have "path" (this one is tcp)' });
  });

  it('refuses a body check on HEAD, TLS options on plain http', () => {
    expect(issues({ web: { type: 'http', method: 'HEAD', body: 'ok' } })[0]).toMatchObject({ path: ['web', 'body'] });
    expect(issues({ web: { type: 'http', tls_skip_verify: true } })[0]).toMatchObject({ path: ['web', 'tls_skip_verify'] });
  });

  it.each([
    ['interval', 'fast', '"fast" is not a duration'],
    ['interval', '50ms', 'must be at least 100ms'],
    ['timeout', '0', 'must be more than 0'],
    ['fall', 0, 'not a whole number from 1 to 100'],
    ['rise', 2.5, 'not a whole number from 1 to 100'],
    ['port', 70000, 'not a port'],
    ['panic', '120%', 'not a percentage'],
    ['expect', '400-200', 'not a status or status range'],
    ['expect', '2xx', 'not a status or status range'],
    ['method', 'POST', 'not GET or HEAD'],
    ['path', 'healthz', 'must start with "/"'],
    ['path', '/a b', 'must start with "/"'],
    ['host', 'bad host', 'must be a host name'],
  ])('refuses %s %j', (key, value, message) => {
    const [issue] = issues({ web: { type: 'http', [key]: value } });
    expect(issue?.path).toEqual(['web', key]);
    expect(issue?.message).toContain(message);
  });

  it('refuses an unknown key and a missing type', () => {
    expect(issues({ web: { type: 'http', intervall: '1s' } })[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['intervall'], path: ['web'] });
    expect(issues({ web: { interval: '1s' } })[0]).toMatchObject({ path: ['web', 'type'], message: 'must be tcp, http or https' });
  });

  it('places errors at file:line:col through the config loader', () => {
    const err = inputErrorOf(() => load('probes:\n  web:\n    type: http\n    fall: many\n'));
    expect(err.where).toBe('/etc/ctmpl.yaml:4:11');
    expect(err.message).toBe('probes.web.fall: "many" is not a whole number from 1 to 100');
    const unknown = inputErrorOf(() => load('probes:\n  web:\n    type: http\n    falls: 3\n'));
    expect(unknown.where).toBe('/etc/ctmpl.yaml:4:5');
  });

  describe('which services are probed', () => {
    const settings = load(`
probes:
  "*": { type: tcp }
  web: { type: http, path: /healthz }
  batch: false
  cron: "off"
`) as ProbeSettings;

    it('gives a service its own entry, whole (nothing merged from "*")', () => {
      expect(probeSpecFor(settings, 'web')).toMatchObject({ type: 'http', http: { path: '/healthz' } });
    });
    it('gives every other service the "*" entry', () => {
      expect(probeSpecFor(settings, 'db')?.type).toBe('tcp');
    });
    it('exempts services set to false or "off"', () => {
      expect(probeSpecFor(settings, 'batch')).toBeUndefined();
      expect(probeSpecFor(settings, 'cron')).toBeUndefined();
    });
    it('probes nothing without configuration', () => {
      expect(probeSpecFor({ services: {} }, 'web')).toBeUndefined();
      expect(probeSpecFor(load('probes:\n  web: { type: tcp }\n') as ProbeSettings, 'db')).toBeUndefined();
    });
    it('ignores inherited object keys as service names', () => {
      expect(probeSpecFor({ services: {} }, 'constructor')).toBeUndefined();
      expect(probeSpecFor({ services: {} }, 'toString')).toBeUndefined();
    });
  });

  it('lets a flag replace a service entry of the file whole', () => {
    const file = load('probes:\n  web: { type: http, fall: 5 }\n  db: { type: tcp }\n') as ProbeSettings;
    const flags = { services: { web: probeEntrySchema.parse({ type: 'tcp' }), api: null } };
    const merged = mergeProbeSettings(file, flags);
    expect(probeSpecFor(merged, 'web')).toMatchObject({ type: 'tcp', fall: 3 });
    expect(probeSpecFor(merged, 'db')?.type).toBe('tcp');
    expect(Object.keys(merged.services).sort()).toEqual(['api', 'db', 'web']);
  });

  it('reads the probe concurrency from the config file and from its flag', () => {
    const schema = z.strictObject(probeKeys);
    expect(schema.parse({ probe_concurrency: 128 }).probe_concurrency).toBe(128);
    const err = inputErrorOf(() => validateDataFile(parseDataText('/etc/ctmpl.yaml', 'probe_concurrency: 0\n'), schema, 'hint'));
    expect(err.where).toBe('/etc/ctmpl.yaml:1:20');
    expect(parseProbeConcurrency('16')).toBe(16);
    expect(inputErrorOf(() => parseProbeConcurrency('lots')).message).toBe('--probe-concurrency: "lots" is not a whole number from 1 to 4096');
  });
});
