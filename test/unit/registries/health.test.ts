import { describe, expect, it } from 'vitest';
import { backoffDelay, guarded, ProblemLog, splitHostPort, validAddress, validPort } from '../../../src/registries/problems.js';
import type { SourceSink } from '../../../src/registries/old-source.js';

describe('source problem reporting', () => {
  function recorder(): { sink: SourceSink; lines: string[] } {
    const lines: string[] = [];
    return { lines, sink: { data: () => undefined, error: (m) => lines.push(`error ${m}`), info: (m) => lines.push(`info ${m}`) } };
  }

  it('reports a problem once however many retries or subjects hit it, and its end once', () => {
    const { sink, lines } = recorder();
    const log = new ProblemLog('etcd at x', () => sink);
    log.report('down', 'a', 'etcd is down');
    log.report('down', 'a', 'etcd is down');
    log.report('down', 'b', 'etcd is down');
    log.resolve('a');
    expect(lines).toEqual(['error etcd at x: etcd is down']);
    log.resolve('b');
    log.resolve('b');
    expect(lines).toEqual(['error etcd at x: etcd is down', 'info etcd at x answers again (down resolved)']);
    log.report('down', 'a', 'etcd is down');
    expect(lines).toHaveLength(3);
  });

  it('forgets an unwatched subject without announcing a recovery', () => {
    const { sink, lines } = recorder();
    const log = new ProblemLog('p', () => sink);
    log.report('k', 's', 'm');
    log.forget('s');
    expect(log.size).toBe(0);
    expect(lines).toEqual(['error p: m']);
  });

  it('backs off exponentially with jitter, within the cap', () => {
    const at = (r: number) => (n: number) => backoffDelay(n, { baseMs: 100, capMs: 1000, random: () => r });
    expect([1, 2, 3, 4, 5, 10].map(at(1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(at(0)(3)).toBe(40);
  });

  it('never lets an exception out of a guarded event handler', () => {
    const seen: unknown[] = [];
    expect(() =>
      guarded(
        (err) => {
          seen.push(err);
          throw new Error('handler broken too');
        },
        () => {
          throw new Error('boom');
        },
      ),
    ).not.toThrow();
    expect(seen).toHaveLength(1);
  });
});

describe('addresses and ports from a registry', () => {
  it.each(['10.0.0.1', 'web-1.internal', 'localhost', '2001:db8::1', '::1', 'svc_1.example.'])('accepts %s', (a) => expect(validAddress(a)).toBe(true));
  it.each(['', '10.0.0.256', '1.2.3', 'a b', 'a;b', 'x'.repeat(300), '-', 'http://x', '$(reboot)'])('refuses %j', (a) => expect(validAddress(a)).toBe(false));
  it('accepts ports 1-65535 only', () => {
    expect([80, '443', ' 8080 ', 65535].map(validPort)).toEqual(['80', '443', '8080', '65535']);
    expect([0, 65536, -1, 1.5, '80a', null, {}].map(validPort)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
  });
  it('splits host:port and [v6]:port', () => {
    expect(splitHostPort('10.0.0.1:80')).toEqual({ host: '10.0.0.1', port: '80' });
    expect(splitHostPort('[::1]:80')).toEqual({ host: '::1', port: '80' });
    expect(splitHostPort('::1:80')).toBeUndefined();
    expect(splitHostPort('host')).toBeUndefined();
  });
});
