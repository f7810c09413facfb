import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../src/errors.js';
import { describeConsul, parseAddress, readToken, resolveConsulSettings } from '../../../../src/registries/consul/settings.js';

describe('Consul settings', () => {
  it('defaults to http://127.0.0.1:8500, stale reads up to 2s, 60s blocking waits', () => {
    expect(resolveConsulSettings({}, {})).toMatchObject({
      scheme: 'http',
      address: '127.0.0.1:8500',
      token: undefined,
      maxStaleMs: 2000,
      blockWaitMs: 60_000,
      consistent: false,
      tls: { verify: true },
    });
  });

  it('reads the CONSUL_HTTP_* environment', () => {
    const env = {
      CONSUL_HTTP_ADDR: 'consul.service:8501',
      CONSUL_HTTP_SSL: 'true',
      CONSUL_HTTP_SSL_VERIFY: 'false',
      CONSUL_HTTP_TOKEN: 't1',
      CONSUL_HTTP_TOKEN_FILE: '/run/token',
      CONSUL_HTTP_AUTH: 'ops:pw',
      CONSUL_CACERT: '/ca.pem',
      CONSUL_CAPATH: '/cas',
      CONSUL_CLIENT_CERT: '/c.pem',
      CONSUL_CLIENT_KEY: '/k.pem',
      CONSUL_TLS_SERVER_NAME: 'consul.local',
    };
    expect(resolveConsulSettings({}, env)).toEqual({
      scheme: 'https',
      address: 'consul.service:8501',
      token: 't1',
      tokenFile: '/run/token',
      auth: 'ops:pw',
      tls: { caCert: '/ca.pem', caPath: '/cas', clientCert: '/c.pem', clientKey: '/k.pem', serverName: 'consul.local', verify: false },
      blockWaitMs: 60_000,
      maxStaleMs: 2000,
      consistent: false,
      cached: false,
      minIntervalMs: 100,
      retry: { enabled: true, attempts: 12 },
    });
  });

  it("retries as consul-template does by default (12 attempts), with the backoff of the watch unless one is given", () => {
    expect(resolveConsulSettings({}, {}).retry).toEqual({ enabled: true, attempts: 12 });
    expect(resolveConsulSettings({ retryEnabled: false, retryAttempts: 0, retryBackoffMs: 10, retryMaxBackoffMs: 50 }, {}).retry).toEqual({ enabled: false, attempts: 0, backoffMs: 10, maxBackoffMs: 50 });
  });

  it('takes basic auth from the config over CONSUL_HTTP_AUTH, and an empty one (auth turned off) over it too', () => {
    expect(resolveConsulSettings({ auth: 'ct:pw' }, { CONSUL_HTTP_AUTH: 'env:pw' }).auth).toBe('ct:pw');
    expect(resolveConsulSettings({ auth: '' }, { CONSUL_HTTP_AUTH: 'env:pw' }).auth).toBeUndefined();
    expect(resolveConsulSettings({}, { CONSUL_HTTP_AUTH: 'env:pw' }).auth).toBe('env:pw');
  });

  it('lets flags win over the environment', () => {
    const s = resolveConsulSettings({ address: 'https://10.0.0.9', token: 'flag' }, { CONSUL_HTTP_ADDR: '1.1.1.1:1', CONSUL_HTTP_TOKEN: 'env' });
    expect(s).toMatchObject({ scheme: 'https', address: '10.0.0.9:8501', token: 'flag' });
  });

  it.each([
    ['127.0.0.1:8500', false, { scheme: 'http', address: '127.0.0.1:8500' }],
    ['consul', false, { scheme: 'http', address: 'consul:8500' }],
    ['consul', true, { scheme: 'https', address: 'consul:8501' }],
    ['http://[::1]:8500/', false, { scheme: 'http', address: '[::1]:8500' }],
    ['unix:///run/consul/http.sock', false, { scheme: 'unix', address: '/run/consul/http.sock' }],
  ])('parses the address %s', (raw, ssl, expected) => {
    expect(parseAddress(raw, ssl)).toEqual(expected);
  });

  it.each(['ftp://x:1', 'http://', 'a b:80'])('refuses the address %s', (raw) => {
    expect(() => parseAddress(raw, false)).toThrow(InputError);
  });

  it('refuses a CONSUL_HTTP_SSL that is not a boolean, naming the variable', () => {
    expect(() => resolveConsulSettings({}, { CONSUL_HTTP_SSL: 'maybe' })).toThrow(/CONSUL_HTTP_SSL="maybe" is not a boolean/);
  });

  it('refuses a CONSUL_HTTP_AUTH without a password, without showing it', () => {
    const err = (() => {
      try {
        resolveConsulSettings({}, { CONSUL_HTTP_AUTH: 'secretuser' });
      } catch (e) {
        return e as InputError;
      }
      throw new Error('expected an error');
    })();
    expect(err.describe()).not.toContain('secretuser');
  });

  it('reads the token file, which wins over the token', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctmpl-token-'));
    writeFileSync(join(dir, 'token'), 'file-token\n');
    expect(readToken(resolveConsulSettings({ token: 'plain', tokenFile: join(dir, 'token') }, {}))).toBe('file-token');
    expect(readToken(resolveConsulSettings({ token: 'plain' }, {}))).toBe('plain');
  });

  it('names an unreadable token file without leaking anything else', () => {
    expect(() => readToken(resolveConsulSettings({ tokenFile: '/nonexistent/token' }, {}))).toThrow(/cannot read the Consul token file \(ENOENT\)/);
  });

  it('describes the source without credentials', () => {
    const s = resolveConsulSettings({ token: 'tok-123', auth: 'u:p' }, {});
    expect(describeConsul(s)).toBe('consul+http://127.0.0.1:8500');
  });
});
