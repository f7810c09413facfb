import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeEureka, parseEurekaUri, readEurekaPassword } from '../../../../src/registries/eureka/settings.js';
import { inputErrorOf } from '../../../support/input-error.js';

const parse = (rest: string, scheme = 'eureka') => parseEurekaUri(scheme, rest, '/etc/ctmpl', '--source');

describe('Eureka source URI', () => {
  it('defaults to port 8761, the /eureka context, a 30 s interval, and application names', () => {
    expect(parse('//eu1')).toEqual({ hosts: ['eu1:8761'], tls: false, context: '/eureka', intervalMs: 30_000, timeoutMs: 10_000, names: 'app' });
  });

  it('takes a peer group in order, a context path and options', () => {
    expect(parse('//h1:8761,h2:9000/eureka/v2/?interval=5s&timeout=2s&names=vip')).toEqual({
      hosts: ['h1:8761', 'h2:9000'], tls: false, context: '/eureka/v2', intervalMs: 5000, timeoutMs: 2000, names: 'vip',
    });
    expect(parse('//h1/eureka?names=secure_vip').names).toBe('secure_vip');
  });

  it('uses TLS for eureka+https, with a CA file resolved against the directory the URI was written in', () => {
    expect(parse('//h1:8443?ca_file=tls/ca.pem', 'eureka+https')).toMatchObject({ tls: true, caFile: '/etc/ctmpl/tls/ca.pem' });
    expect(parse('//h1:8761', 'eureka+http').tls).toBe(false);
    expect(inputErrorOf(() => parse('//h1?ca_file=ca.pem')).message).toMatch(/ca_file is given but the scheme is not eureka\+https/);
  });

  it('takes a user with a password file (basic authentication)', () => {
    expect(parse('//ctmpl@h1:8761?password_file=secrets/eureka.pw').auth).toEqual({ user: 'ctmpl', passwordFile: '/etc/ctmpl/secrets/eureka.pw' });
  });

  it('refuses a user without password_file and password_file without a user, saying what to add', () => {
    const noPassword = inputErrorOf(() => parse('//ctmpl@h1:8761'));
    expect(noPassword.exitCode).toBe(2);
    expect(noPassword.message).toMatch(/user "ctmpl" has no password/);
    expect(noPassword.hint).toMatch(/password_file=PATH/);
    expect(inputErrorOf(() => parse('//h1?password_file=x')).message).toMatch(/password_file is given but no user/);
  });

  it('refuses a password in the URI without showing it, even a misplaced one that parses as a path', () => {
    // "ctmpl:8080/s3cret@h1" reads as server ctmpl:8080 with the path "s3cret@h1/eureka".
    for (const rest of ['//ctmpl:s3cret@h1:8761', '//ctmpl:8080/s3cret@h1:8761/eureka']) {
      const err = inputErrorOf(() => parse(rest));
      expect(err.describe()).not.toMatch(/s3cret/);
      expect(err.describe()).toMatch(/password/);
    }
  });

  it.each([
    ['//', /no Eureka server/],
    ['//h1:8761?foo=1', /unknown option "foo"/],
    ['//h1:8761?interval=500ms', /interval must be at least 1s/],
    ['//h1:8761?interval=soon', /not a duration/],
    ['//h1:8761?timeout=10ms', /timeout must be at least 100ms/],
    ['//h1:8761?names=service', /names="service" is not one of app, vip, secure_vip/],
    ['//h1:8761/eu reka', /not a plain path/],
    ['//h1:99999', /is not HOST:PORT/],
  ])('refuses %s', (rest, message) => {
    expect(inputErrorOf(() => parse(rest)).message).toMatch(message);
  });

  it('is described without a password, with the user, servers, context and a non-default names option', () => {
    expect(describeEureka(parse('//ctmpl@h1,h2:9000/eu?password_file=p&names=vip', 'eureka+https'))).toBe('eureka+https://ctmpl@h1:8761,h2:9000/eu?names=vip');
    expect(describeEureka(parse('//h1'))).toBe('eureka://h1:8761/eureka');
  });
});

describe('Eureka password file', () => {
  it('is read when asked (one trailing newline dropped), and an empty or missing file is an InputError naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctmpl-eureka-'));
    writeFileSync(join(dir, 'good.pw'), 'pa55 word\n');
    writeFileSync(join(dir, 'empty.pw'), '\n');
    expect(readEurekaPassword(parseEurekaUri('eureka', '//u@h1?password_file=good.pw', dir, '--source'))).toBe('pa55 word');
    expect(readEurekaPassword(parse('//h1'))).toBeUndefined();
    const empty = inputErrorOf(() => readEurekaPassword(parseEurekaUri('eureka', '//u@h1?password_file=empty.pw', dir, '--source')));
    expect(empty.message).toMatch(/Eureka password file is empty/);
    expect(empty.where).toBe(join(dir, 'empty.pw'));
    expect(inputErrorOf(() => readEurekaPassword(parseEurekaUri('eureka', '//u@h1?password_file=none.pw', dir, '--source'))).message).toMatch(/cannot read the Eureka password file \(ENOENT\)/);
  });
});
