import { describe, expect, it } from 'vitest';
import { parseProbeFlag, probeSettingsFrom, probeSettingsFromFlags } from '../../../../src/feed/probes/flag.js';
import { probeEntrySchema, probeSpecFor } from '../../../../src/feed/probes/settings.js';
import { inputErrorOf } from '../../../support/input-error.js';

describe('--probe SERVICE=SPEC', () => {
  it('reads the example of the manual', () => {
    const { service, spec } = parseProbeFlag('web=http:/healthz,interval=2s,fall=3,rise=2,expect=200-299');
    expect(service).toBe('web');
    expect(spec).toMatchObject({ type: 'http', intervalMs: 2000, jitterMs: 200, fall: 3, rise: 2, http: { path: '/healthz', expect: { min: 200, max: 299 }, method: 'GET' } });
  });

  it('takes a bare type with defaults', () => {
    expect(parseProbeFlag('db=tcp').spec).toMatchObject({ type: 'tcp', intervalMs: 5000, timeoutMs: 2000, fall: 3, rise: 2, http: undefined });
    expect(parseProbeFlag('web=http').spec?.http?.path).toBe('/');
  });

  it('reads "*" for every service and "off" to exempt one', () => {
    const settings = probeSettingsFromFlags(['*=tcp,port=9100', 'batch=off']);
    expect(probeSpecFor(settings, 'anything')).toMatchObject({ type: 'tcp', port: 9100 });
    expect(probeSpecFor(settings, 'batch')).toBeUndefined();
  });

  it('percent-decodes body (so it can hold a comma) and nothing else', () => {
    const spec = parseProbeFlag('web=https:/a%2Cb,body=%22status%22%3A%22up%22%2C,host=web.internal,tls_skip_verify').spec;
    expect(spec?.http).toMatchObject({ path: '/a%2Cb', body: '"status":"up",', host: 'web.internal', tlsSkipVerify: true });
  });

  it('takes path as a key too', () => {
    expect(parseProbeFlag('web=http,path=/ready,method=HEAD').spec?.http).toMatchObject({ path: '/ready', method: 'HEAD' });
  });

  it.each([
    ['web', 'expected SERVICE=SPEC'],
    ['=tcp', 'expected SERVICE=SPEC'],
    ['web=udp', 'type: must be tcp, http or https'],
    ['web=http://10.0.0.1/healthz', 'looks like a URL'],
    ['web=http:/x,fall', '"fall" is not KEY=VALUE'],
    ['web=http:/x,fall=3,fall=4', '"fall" is given twice'],
    ['web=http:/x,type=tcp', 'the type comes first'],
    ['web=http:/x,intervall=2s', 'unknown key "intervall"'],
    ['web=http:/x,interval=2', ''],
    ['web=http:/x,interval=soon', 'interval: "soon" is not a duration'],
    ['web=tcp,path=/x', 'path: only http and https probes have "path"'],
    ['web=http,body=%E0%A4%A', 'bad %-escape'],
    ['web=https,tls_skip_verify=yes', 'not true or false'],
    ['web=tcp,jitter=80%', 'jitter: must be at most half the interval'],
  ])('%s → %s', (value, message) => {
    if (message === '') {
      expect(parseProbeFlag(value).spec?.intervalMs).toBe(2000);
      return;
    }
    const err = inputErrorOf(() => parseProbeFlag(value));
    expect(err.message.startsWith(`--probe "${value}": `)).toBe(true);
    expect(err.message).toContain(message);
    expect(err.hint).toContain('SERVICE=TYPE[:PATH]');
  });

  it('names the flag it was given as', () => {
    expect(inputErrorOf(() => parseProbeFlag('web=udp', '-probe')).message).toMatch(/^-probe "web=udp": /);
  });

  it('refuses the same service twice', () => {
    expect(inputErrorOf(() => probeSettingsFromFlags(['web=tcp', 'web=http'])).message).toContain('service web is probed by an earlier --probe already');
  });

  it('puts the flags over the config file, a service at a time', () => {
    const file = { services: { web: probeEntrySchema.parse({ type: 'http' }), db: probeEntrySchema.parse({ type: 'tcp' }) } };
    const merged = probeSettingsFrom(file, ['web=tcp,fall=5']);
    expect(probeSpecFor(merged, 'web')).toMatchObject({ type: 'tcp', fall: 5 });
    expect(probeSpecFor(merged, 'db')?.type).toBe('tcp');
    expect(probeSettingsFrom(undefined, undefined).services).toEqual({});
  });
});
