import { describe, expect, it } from 'vitest';
import { redactCredentials } from '../../../src/util/redact.js';

describe('redactCredentials', () => {
  it.each([
    ['consul://bob:s3cret@h:8500', 'consul://…@h:8500'],
    ['etcd://u:p/w?x@h1:2379/services', 'etcd://…@h1:2379/services'],
    ['zk://ctmpl@zk1:2181/dubbo', 'zk://ctmpl@zk1:2181/dubbo'],
    ['r3t@zk1:2181/dubbo', '…@zk1:2181/dubbo'],
    ['file:catalog.yaml', 'file:catalog.yaml'],
  ])('%s → %s', (text, shown) => {
    expect(redactCredentials(text)).toBe(shown);
    expect(redactCredentials(text)).not.toMatch(/s3cret|r3t@|p\/w/);
  });
});

describe('redactCredentials, more forms', () => {
  it.each([
    ['consul://admin:hunter2@127.0.0.1:8500', 'consul://…@127.0.0.1:8500'],
    ['etcd://u:pa/ss@h:2379/services', 'etcd://…@h:2379/services'],
    ['consul:admin:hunter2@h', '…@h'],
    ['a:b@c@host', '…@host'],
    ['zk://ctmpl@zk1:2181/dubbo?password_file=zk.pw', 'zk://ctmpl@zk1:2181/dubbo?password_file=zk.pw'],
    ['file:catalog.yaml', 'file:catalog.yaml'],
  ])('%s → %s', (text, shown) => {
    expect(redactCredentials(text)).toBe(shown);
  });
});
