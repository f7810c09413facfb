import { describe, expect, it } from 'vitest';
import { describeNacos, grpcAddressOf, parseNacosUri } from '../../../../src/registries/nacos/settings.js';
import { inputErrorOf } from '../../../support/input-error.js';

const parse = (rest: string) => parseNacosUri(rest, '/etc/ctmpl', '--source nacos');

describe('nacos:// URIs', () => {
  it('defaults to port 8848, namespace public, DEFAULT_GROUP, all clusters, auto transport', () => {
    expect(parse('//nacos1')).toEqual({
      hosts: ['nacos1:8848'],
      contextPath: 'nacos',
      namespace: 'public',
      group: 'DEFAULT_GROUP',
      clusters: [],
      transport: 'auto',
      grpcPort: undefined,
      timeoutMs: 3000,
      pollIntervalMs: 5000,
    });
  });

  it('reads every option', () => {
    const settings = parse('//ctmpl@10.0.0.1:8848,10.0.0.2:8849/ctx?namespace=prod-ns&group=ORDERS&clusters=SH,BJ&password_file=nacos.pw&transport=grpc&grpc_port=9000&timeout=2s&poll_interval=10s');
    expect(settings).toEqual({
      hosts: ['10.0.0.1:8848', '10.0.0.2:8849'],
      contextPath: 'ctx',
      namespace: 'prod-ns',
      group: 'ORDERS',
      clusters: ['SH', 'BJ'],
      transport: 'grpc',
      grpcPort: 9000,
      timeoutMs: 2000,
      pollIntervalMs: 10_000,
      auth: { user: 'ctmpl', passwordFile: '/etc/ctmpl/nacos.pw' },
    });
  });

  it('finds the gRPC port at the HTTP port + 1000 unless grpc_port is given', () => {
    expect(grpcAddressOf('10.0.0.1:8848', { grpcPort: undefined })).toEqual({ host: '10.0.0.1', port: 9848 });
    expect(grpcAddressOf('[::1]:8848', { grpcPort: undefined })).toEqual({ host: '::1', port: 9848 });
    expect(grpcAddressOf('10.0.0.1:8848', { grpcPort: 7000 })).toEqual({ host: '10.0.0.1', port: 7000 });
  });

  it.each([
    ['//', 'no Nacos server'],
    ['//h:8848?transport=udp', 'transport="udp" is not one of auto, grpc, http'],
    ['//h:8848?grpc_port=70000', 'grpc_port="70000" is not a port'],
    ['//h:8848?transport=http&grpc_port=9848', 'transport=http never uses gRPC'],
    ['//h:65000', 'HTTP port + 1000'],
    ['//h:8848?namespace=a%20b', 'is not a Nacos namespace name'],
    ['//h:8848?group=A@@B', 'is not a Nacos group name'],
    ['//h:8848?clusters=SH,', 'is not a Nacos cluster name'],
    ['//h:8848?timeout=10ms', 'timeout must be at least 100ms'],
    ['//h:8848?poll_interval=100ms', 'poll_interval must be at least 500ms'],
    ['//h:8848?poll=1s', 'unknown option "poll"'],
    ['//ctmpl@h:8848', 'Nacos user "ctmpl" has no password'],
    ['//h:8848?password_file=pw', 'password_file is given but no user'],
    ['//u:secret@h:8848', 'never a password'],
  ])('refuses %s', (rest, message) => {
    const err = inputErrorOf(() => parse(rest));
    expect(err.message).toContain(message);
    expect(err.message).toMatch(/^--source nacos: /);
    expect(err.describe()).not.toContain('secret');
  });

  it('a server list with a high HTTP port is fine with grpc_port or transport=http', () => {
    expect(parse('//h:65000?grpc_port=9848').grpcPort).toBe(9848);
    expect(parse('//h:65000?transport=http').transport).toBe('http');
  });

  it('is described with its user, namespace and group, never the password file', () => {
    expect(describeNacos(parse('//ctmpl@h:8848?password_file=/run/pw&namespace=prod&transport=http'))).toBe(
      'nacos://ctmpl@h:8848?namespace=prod&group=DEFAULT_GROUP&transport=http',
    );
    expect(describeNacos(parse('//h/ctx?clusters=SH'))).toBe('nacos://h:8848/ctx?namespace=public&group=DEFAULT_GROUP&clusters=SH');
  });
});
