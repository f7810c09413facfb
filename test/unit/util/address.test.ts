import { describe, expect, it } from 'vitest';
import { canonicalAddress, isHostAddress, joinHostPort, portText, splitHostPort } from '../../../src/util/address.js';

describe('host addresses', () => {
  it.each(['10.0.0.1', 'web-1.internal', 'localhost', '2001:db8::1', '::1', 'svc_1.example.'])('accepts %s', (a) => expect(isHostAddress(a)).toBe(true));
  it.each(['', '10.0.0.256', '999.1.1.1', '1.2.3', 'a b', 'a;b', 'x'.repeat(300), '-', 'http://x', '$(reboot)', 'fe80::1%eth0'])('refuses %j', (a) =>
    expect(isHostAddress(a)).toBe(false),
  );

  it('writes IPv6 in canonical form and leaves the rest alone', () => {
    expect(canonicalAddress('1:2:3:4:5:6:7::')).toBe('1:2:3:4:5:6:7:0');
    expect(canonicalAddress('2001:DB8::0:1')).toBe('2001:db8::1');
    expect(canonicalAddress('web')).toBe('web');
  });
});

describe('ports and host:port', () => {
  it('accepts ports 1-65535 only, and 0 where the registry allows "no port"', () => {
    expect([80, '443', ' 8080 ', 65535].map((p) => portText(p))).toEqual(['80', '443', '8080', '65535']);
    expect([0, 65536, -1, 1.5, '80a', null, {}].map((p) => portText(p))).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
    expect(portText(0, true)).toBe('0');
  });

  it('splits host:port and [v6]:port, and joins them back', () => {
    expect(splitHostPort('10.0.0.1:80')).toEqual({ host: '10.0.0.1', port: '80' });
    expect(splitHostPort('[::1]:80')).toEqual({ host: '::1', port: '80' });
    expect(splitHostPort('::1:80')).toBeUndefined();
    expect(splitHostPort('host')).toBeUndefined();
    expect(splitHostPort('999.1.1.1:80')).toBeUndefined();
    expect(joinHostPort('::1', '80')).toBe('[::1]:80');
    expect(joinHostPort('10.0.0.1', 80)).toBe('10.0.0.1:80');
  });
});
