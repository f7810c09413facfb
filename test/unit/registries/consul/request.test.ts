import { describe, expect, it } from 'vitest';
import { basePath, keyPath, pathSegment } from '../../../../src/registries/consul/request.js';

describe('Consul request paths', () => {
  it('encodes a name made of dots only, which routers would otherwise resolve away', () => {
    expect(pathSegment('.')).toBe('%2E');
    expect(pathSegment('..')).toBe('%2E%2E');
    expect(pathSegment('...')).toBe('...');
    expect(pathSegment('v1.api')).toBe('v1.api');
    expect(pathSegment('a b/c')).toBe('a%20b%2Fc');
  });

  it('keeps the slashes of a KV path and encodes each segment', () => {
    expect(keyPath('app/../x/./y')).toBe('app/%2E%2E/x/%2E/y');
    expect(keyPath('app/a b')).toBe('app/a%20b');
  });

  it('asks for a service and a node by their exact names', () => {
    expect(basePath({ kind: 'health', service: '.', passingOnly: true }, false)).toMatch(/^\/v1\/health\/service\/%2E\?/);
    expect(basePath({ kind: 'node', name: '..' }, false)).toMatch(/^\/v1\/catalog\/node\/%2E%2E(\?|$)/);
  });
});
