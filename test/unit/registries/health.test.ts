import { describe, expect, it } from 'vitest';
import { CONNECTION, SourceHealth } from '../../../src/registries/health.js';

function recorder(): { log: { error: (m: string) => void; info: (m: string) => void }; lines: string[] } {
  const lines: string[] = [];
  return { lines, log: { error: (m) => lines.push(`error ${m}`), info: (m) => lines.push(`info ${m}`) } };
}

describe('SourceHealth', () => {
  it('logs a problem once however many retries or dependencies hit it, and its end once', () => {
    const { log, lines } = recorder();
    const health = new SourceHealth('etcd at x', () => log);
    health.report('down', 'a', 'etcd is down');
    health.report('down', 'a', 'etcd is down');
    health.report('down', 'b', 'etcd is down');
    health.resolve('a');
    expect(lines).toEqual(['error etcd at x: etcd is down']);
    expect(health.failing).toBe(true);
    health.resolve('b');
    health.resolve('b');
    expect(lines).toEqual(['error etcd at x: etcd is down', 'info etcd at x answers again (down resolved)']);
    expect(health.failing).toBe(false);
  });

  it('stays failing while another dependency still has a problem open', () => {
    const health = new SourceHealth('dns', () => undefined);
    health.report('refused', 'dep-b', 'resolving b refused');
    health.resolve('dep-a');
    expect(health.failing).toBe(true);
    expect(health.problems()).toEqual([{ problem: 'refused', subjects: ['dep-b'], since: expect.any(Number) }]);
  });

  it('says since when the oldest open problem has been open', () => {
    let now = 1000;
    const health = new SourceHealth('zk', () => undefined, () => now);
    health.report('disconnected', CONNECTION, 'lost the connection');
    now = 5000;
    health.report('not authorised: /x', 'dep-x', 'not authorised');
    expect(health.failingSince).toBe(1000);
    expect(health.problems().map((p) => p.problem)).toEqual(['disconnected', 'not authorised: /x']);
    health.resolve(CONNECTION);
    expect(health.failingSince).toBe(5000);
  });

  it('forgets an unwatched dependency without announcing a recovery', () => {
    const { log, lines } = recorder();
    const health = new SourceHealth('p', () => log);
    health.report('k', 's', 'm');
    health.forget('s');
    expect(health.failing).toBe(false);
    expect(lines).toEqual(['error p: m']);
  });
});
