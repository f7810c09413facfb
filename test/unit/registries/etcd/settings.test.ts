import { describe, expect, it } from 'vitest';
import { parseSourceSpec } from '../../../../src/registries/settings.js';
import { describeEtcd, parseEtcdUri } from '../../../../src/registries/etcd/settings.js';

const parse = (scheme: string, rest: string, env: NodeJS.ProcessEnv = {}) => parseEtcdUri(scheme, rest, '/etc/ctmpl', '--source', env);

describe('etcd source URI', () => {
  it('takes several endpoints and the key prefix after the first "/"', () => {
    const s = parse('etcd', '//10.0.0.1:2379,10.0.0.2/services');
    expect(s.endpoints).toEqual(['http://10.0.0.1:2379', 'http://10.0.0.2:2379']);
    expect(s.prefix).toBe('services/');
    expect(parse('etcd', '//h:2379//services/').prefix).toBe('/services/');
    expect(s.secure).toBe(false);
  });

  it('turns TLS on with etcd+https or a certificate option, resolving paths against the config directory', () => {
    const s = parse('etcd', '//h:2379/services?cacert=ca.pem&cert=/abs/c.pem&key=k.pem&timeout=3s');
    expect(s).toMatchObject({ secure: true, endpoints: ['https://h:2379'], tls: { caCert: '/etc/ctmpl/ca.pem', cert: '/abs/c.pem', key: '/etc/ctmpl/k.pem' }, timeoutMs: 3000 });
    expect(parse('etcd+https', '//h:2379/services').endpoints).toEqual(['https://h:2379']);
  });

  it('takes a user from the URI and the password from a file or the environment, never from the URI', () => {
    expect(parse('etcd', '//app@h:2379/services?password_file=pw')).toMatchObject({ user: 'app', passwordFile: '/etc/ctmpl/pw', password: undefined });
    expect(parse('etcd', '//h:2379/services', { ETCDCTL_USER: 'app:s3cret' })).toMatchObject({ user: 'app', password: 's3cret' });
    expect(parse('etcd', '//app@h:2379/services', { ETCDCTL_PASSWORD: 'pw' })).toMatchObject({ user: 'app', password: 'pw' });
    expect(() => parse('etcd', '//app:secret@h:2379/services')).toThrow(/never a password/);
    expect(() => parse('etcd', '//app@h:2379/services')).toThrow(/has no password/);
    expect(describeEtcd(parse('etcd', '//h:2379/services', { ETCDCTL_USER: 'app:s3cret' }))).not.toContain('s3cret');
  });

  it.each([
    ['//h:2379', /no key prefix/],
    ['///services', /no etcd endpoint/],
    ['//h:99999999/services', /not HOST:PORT/],
    ['//h:2379/services?bogus=1', /unknown option "bogus"/],
    ['//h:2379/services?cert=c.pem', /cert and key go together/],
    ['h:2379/services', /is not \/\/HOST:PORT/],
  ])('refuses %s', (rest, message) => {
    expect(() => parse('etcd', rest)).toThrow(message);
  });

  it('is parsed by --source, named after its scheme unless named', () => {
    expect(parseSourceSpec('etcd://127.0.0.1:2379/services', '/', '--source')).toMatchObject({ name: 'etcd', registry: 'etcd', settings: { prefix: 'services/' } });
    expect(parseSourceSpec('reg=etcd+https://127.0.0.1:2379/services', '/', '--source')).toMatchObject({ name: 'reg', registry: 'etcd', settings: { secure: true } });
    expect(parseSourceSpec('zk://127.0.0.1:2181/dubbo', '/', '--source')).toMatchObject({ name: 'zk', registry: 'zookeeper', settings: { root: '/dubbo', hosts: ['127.0.0.1:2181'] } });
    expect(parseSourceSpec('dns:', '/', '--source')).toMatchObject({ name: 'dns', registry: 'dns', settings: { server: undefined } });
    expect(parseSourceSpec('dns://127.0.0.1:5353?min_ttl=1s', '/', '--source')).toMatchObject({ settings: { server: '127.0.0.1:5353', minTtlMs: 1000 } });
  });
});
