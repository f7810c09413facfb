import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSourceSpec } from '../../../../src/registries/settings.js';
import { describeZooKeeper, parseZooKeeperUri, readZooKeeperAuth } from '../../../../src/registries/zookeeper/settings.js';
import { inputErrorOf } from '../../../support/input-error.js';

const parse = (rest: string) => parseZooKeeperUri(rest, '/etc/ctmpl', '--source');

describe('ZooKeeper source URI', () => {
  it('takes servers, a root path and timeouts', () => {
    expect(parse('//h1:2181,h2/services/?session_timeout=5s&connect_timeout=2s')).toEqual({
      hosts: ['h1:2181', 'h2:2181'], root: '/services', sessionTimeoutMs: 5000, connectTimeoutMs: 2000,
    });
  });

  it.each([['//h:2181', /no registry root/], ['///dubbo', /no ZooKeeper server/], ['//h:2181/x?foo=1', /unknown option/]])('refuses %s', (rest, message) => {
    expect(() => parse(rest)).toThrow(message);
  });

  it('takes a user with a password file, resolved against the directory the URI was written in', () => {
    expect(parse('//ctmpl@zk1:2181,zk2/dubbo?password_file=secrets/zk.pw&session_timeout=5s')).toEqual({
      hosts: ['zk1:2181', 'zk2:2181'], root: '/dubbo', sessionTimeoutMs: 5000, connectTimeoutMs: 10_000,
      digest: { user: 'ctmpl', passwordFile: '/etc/ctmpl/secrets/zk.pw' },
    });
    expect(parse('//ctmpl@zk1/dubbo?password_file=/run/zk.pw').digest).toEqual({ user: 'ctmpl', passwordFile: '/run/zk.pw' });
  });

  it('refuses a user without password_file, saying what to add (exit code 2)', () => {
    const err = inputErrorOf(() => parse('//ctmpl@zk1:2181/dubbo'));
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/user "ctmpl" has no password/);
    expect(err.hint).toMatch(/add password_file=PATH/);
  });

  it('refuses password_file without a user', () => {
    const err = inputErrorOf(() => parse('//zk1:2181/dubbo?password_file=zk.pw'));
    expect(err.message).toMatch(/password_file is given but no user/);
    expect(err.hint).toMatch(/zk:\/\/ctmpl@/);
  });

  it.each([
    ['//ctmpl:s3cr3t@zk1:2181/dubbo?password_file=zk.pw'],
    ['//ctmpl:s3cr3t@zk1:2181/dubbo'],
    ['//ctmpl:s3c/r3t@zk1:2181/dubbo'],
    ['//ctmpl:s3c?r3t@zk1:2181/dubbo'],
    ['//ctmpl:s3c@r3t@zk1:2181/dubbo'],
    ['ctmpl:s3cr3t@zk1:2181/dubbo'],
    ['//ctmpl:123/r3t@zk1:2181/dubbo'],
    ['//ctmpl:123?r3t@zk1:2181/dubbo'],
  ])('refuses a password in the URI (%s) without repeating it', (rest) => {
    const err = inputErrorOf(() => parse(rest));
    expect(err.exitCode).toBe(2);
    expect(err.describe()).not.toMatch(/s3c|r3t|123/);
  });

  it('says where the password goes when it is written in the URI', () => {
    expect(inputErrorOf(() => parse('//ctmpl:s3cr3t@zk1:2181/dubbo')).describe()).toMatch(/never a password[\s\S]*password_file=PATH/);
  });

  it('is described with its user, never its password', () => {
    expect(describeZooKeeper(parse('//ctmpl@zk1:2181,zk2/dubbo?password_file=zk.pw'))).toBe('zk://ctmpl@zk1:2181,zk2:2181/dubbo');
    expect(describeZooKeeper(parse('//zk1/services'))).toBe('zk://zk1:2181/services');
  });

  it('is parsed by --source and a config file against their own directory', () => {
    expect(parseSourceSpec('reg=zk://ctmpl@127.0.0.1:2181/dubbo?password_file=zk.pw', '/srv/app', '--source')).toMatchObject({
      name: 'reg', registry: 'zookeeper', settings: { root: '/dubbo', digest: { user: 'ctmpl', passwordFile: '/srv/app/zk.pw' } },
    });
  });
});

describe('ZooKeeper password file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctmpl-zk-pw-'));
  const settings = (file: string) => parseZooKeeperUri(`//ctmpl@zk1:2181/dubbo?password_file=${file}`, dir, '--source');

  it('is read each time, its trailing newline removed', () => {
    const file = join(dir, 'zk.pw');
    writeFileSync(file, 'first\n');
    const s = settings('zk.pw');
    expect(readZooKeeperAuth(s)).toEqual({ user: 'ctmpl', password: 'first' });
    writeFileSync(file, 'rotated\r\n');
    expect(readZooKeeperAuth(s)).toEqual({ user: 'ctmpl', password: 'rotated' });
  });

  it('gives no credentials without a user', () => {
    expect(readZooKeeperAuth(parseZooKeeperUri('//zk1:2181/dubbo', dir, '--source'))).toBeUndefined();
  });

  it('that cannot be read is an InputError naming the file', () => {
    const err = inputErrorOf(() => readZooKeeperAuth(settings('missing.pw')));
    expect(err.where).toBe(join(dir, 'missing.pw'));
    expect(err.message).toMatch(/cannot read the ZooKeeper password file \(ENOENT\)/);
  });

  it('that is empty is refused without showing anything of it', () => {
    writeFileSync(join(dir, 'empty.pw'), '\n');
    expect(inputErrorOf(() => readZooKeeperAuth(settings('empty.pw'))).message).toMatch(/password file is empty/);
  });
});
