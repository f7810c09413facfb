import { describe, expect, it } from 'vitest';
import { HaproxyRuntime } from '../../../../src/actions/haproxy/runtime.js';
import { fakeServer, FakeHaproxy, type FakeServer } from './fake-haproxy.js';

const HEAD = 'global\n    stats socket /run/haproxy/admin.sock level admin\nfrontend http_in\n    bind :80\n    default_backend web\n';
const file = (servers: string, extra = ''): string => `${HEAD}backend web\n    balance roundrobin\n${extra}${servers}`;

async function setUp(servers: FakeServer[], options: { budgetMs?: number; drainWaitMs?: number; timeoutMs?: number } = {}): Promise<{ fake: FakeHaproxy; runtime: HaproxyRuntime }> {
  const fake = new FakeHaproxy(new Map([['web', servers]]));
  const runtime = new HaproxyRuntime({ socket: await fake.start(), pollMs: 5, drainWaitMs: 50, ...options });
  return { fake, runtime };
}

/** The commands that changed something (the show commands left out). */
const changes = (fake: FakeHaproxy): string[] => fake.received.filter((l) => !l.startsWith('show '));

describe('HaproxyRuntime.apply', () => {
  const before = file('    server a 10.0.0.1:80\n    server b 10.0.0.2:80\n');

  it('applies a servers-only change in order — add and ready, set, drain, then delete once idle — and counts it', async () => {
    const { fake, runtime } = await setUp([fakeServer('a', '10.0.0.1:80'), fakeServer('b', '10.0.0.2:80')]);
    const result = await runtime.apply(file('    server a 10.0.0.9:80 weight 3\n    server c 10.0.0.3:80\n'), before);
    expect(result).toMatchObject({ kind: 'applied', commands: 7, pendingRemovals: [], version: '2.6.12-1+deb12u4' });
    expect(result.byKind).toMatchObject({ add: 1, ready: 1, addr: 1, weight: 1, drain: 1, maint: 1, del: 1 });
    expect(changes(fake)).toEqual([
      'add server web/c 10.0.0.3:80 weight 1',
      'set server web/c state ready',
      'set server web/a addr 10.0.0.9 port 80',
      'set server web/a weight 3',
      'set server web/b state drain',
      'set server web/b state maint',
      'del server web/b',
    ]);
    expect(result.kind === 'applied' && result.differences).toEqual([
      'web/c: add 10.0.0.3:80 weight 1 (new in the file)',
      'web/c: state → ready (new in the file)',
      'web/a: address → 10.0.0.9:80 (address 10.0.0.1:80 → 10.0.0.9:80)',
      'web/a: weight → 3 (weight 1 → 3)',
      'web/b: state → drain (gone from the file)',
      'web/b: deleted (gone from the file)',
    ]);
  });

  it('sends nothing and answers reload for a structural change, or without a previous file', async () => {
    const { fake, runtime } = await setUp([fakeServer('a', '10.0.0.1:80'), fakeServer('b', '10.0.0.2:80')]);
    expect(await runtime.apply(file('    server a 10.0.0.1:80\n', '    option httpchk\n'), before)).toMatchObject({ kind: 'reload', commands: 0, reason: expect.stringMatching(/outside server lines/) });
    expect(await runtime.apply(before, undefined)).toMatchObject({ kind: 'reload', reason: 'no previous file to compare with' });
    expect(fake.received).toEqual([]);
  });

  it('answers reload, with haproxy’s words, when haproxy refuses a command half way', async () => {
    const { fake, runtime } = await setUp([fakeServer('a', '10.0.0.1:80'), fakeServer('b', '10.0.0.2:80')]);
    fake.override = (line) => (line.startsWith('set server web/a weight') ? 'Permission denied\n\n' : undefined);
    const result = await runtime.apply(file('    server a 10.0.0.1:80 weight 2\n    server b 10.0.0.2:80 weight 2\n    server c 10.0.0.3:80\n'), before);
    expect(result).toMatchObject({ kind: 'reload', commands: 3, reason: 'web/a: weight → 2: haproxy answered "Permission denied" (permission; the stats socket needs "level admin")' });
    expect(changes(fake)).toHaveLength(3);
  });

  it('leaves a removed server that is still in use draining, and deletes it on a later pass', async () => {
    const { fake, runtime } = await setUp([fakeServer('a', '10.0.0.1:80'), fakeServer('b', '10.0.0.2:80', { sessions: 2 })]);
    const next = file('    server a 10.0.0.1:80\n');
    const first = await runtime.apply(next, before);
    expect(first).toMatchObject({ kind: 'applied', pendingRemovals: ['web/b'] });
    expect(fake.find('web', 'b')?.admin).toBe(0x08);
    (fake.find('web', 'b') as FakeServer).sessions = 0;
    const second = await runtime.reconcile(next);
    expect(second).toMatchObject({ kind: 'applied', pendingRemovals: [], differences: ['web/b: deleted (gone from the file)'] });
    expect(fake.find('web', 'b')).toBeUndefined();
  });

  it('waits for sessions to end within drainWaitMs before deleting', async () => {
    const { fake, runtime } = await setUp([fakeServer('a', '10.0.0.1:80'), fakeServer('b', '10.0.0.2:80', { sessions: 1 })], { drainWaitMs: 2000 });
    let polls = 0;
    fake.afterCommand = (line) => {
      if (line.startsWith('show stat') && (polls += 1) === 3) (fake.find('web', 'b') as FakeServer).sessions = 0;
    };
    expect(await runtime.apply(file('    server a 10.0.0.1:80\n'), before)).toMatchObject({ kind: 'applied', pendingRemovals: [] });
    expect(fake.find('web', 'b')).toBeUndefined();
    expect(polls).toBeGreaterThanOrEqual(3);
  });

  it('answers reload when its time budget is spent', async () => {
    const { fake, runtime } = await setUp([fakeServer('a', '10.0.0.1:80'), fakeServer('b', '10.0.0.2:80')], { budgetMs: 150, timeoutMs: 1000 });
    fake.delayMs = 40;
    const result = await runtime.apply(file('    server a 10.0.0.1:80 weight 2\n    server b 10.0.0.2:80 weight 2\n    server c 10.0.0.3:80\n    server d 10.0.0.4:80\n'), before);
    expect(result).toMatchObject({ kind: 'reload', reason: expect.stringMatching(/time budget spent (before|during)/) });
  });

  it('answers reload when the socket cannot be reached', async () => {
    const runtime = new HaproxyRuntime({ socket: '/nonexistent/ctmpl/admin.sock' });
    expect(await runtime.apply(file('    server a 10.0.0.9:80\n'), before)).toMatchObject({ kind: 'reload', reason: expect.stringMatching(/ENOENT/) });
  });

  it('runs add and del server in experimental mode on haproxy 2.4', async () => {
    const { fake, runtime } = await setUp([fakeServer('a', '10.0.0.1:80'), fakeServer('b', '10.0.0.2:80', { admin: 1 })]);
    fake.version = '2.4.22';
    expect(await runtime.apply(file('    server a 10.0.0.1:80\n    server c 10.0.0.3:80\n'), before)).toMatchObject({ kind: 'applied' });
    expect(changes(fake)).toEqual(['experimental-mode on; add server web/c 10.0.0.3:80 weight 1', 'set server web/c state ready', 'experimental-mode on; del server web/b']);
  });
});

describe('HaproxyRuntime.reconcile', () => {
  it('reports the drift it fixed, and nothing once converged', async () => {
    const { runtime } = await setUp([fakeServer('a', '10.0.0.1:80', { admin: 1 }), fakeServer('x', '10.0.0.7:80')]);
    const text = file('    server a 10.0.0.1:80 weight 2\n');
    const first = await runtime.reconcile(text);
    expect(first.kind === 'applied' && first.differences).toEqual([
      'web/a: weight → 2 (weight 1 → 2)',
      'web/a: state → ready (in maintenance but enabled in the file)',
      'web/x: state → drain (gone from the file)',
      'web/x: deleted (gone from the file)',
    ]);
    expect(await runtime.reconcile(text)).toMatchObject({ kind: 'applied', commands: 0, differences: [] });
  });

  it('answers reload when a backend of the file is not running (haproxy has an older file)', async () => {
    const { runtime } = await setUp([]);
    expect(await runtime.reconcile(`${file('')}backend api\n    server x 10.0.0.1:80\n`)).toMatchObject({ kind: 'reload', reason: 'backend api is in the file but not in the running haproxy' });
  });

  it('after a reload, waits for the new worker before it reads anything (the old one may still answer)', async () => {
    const { fake, runtime } = await setUp([fakeServer('a', '10.0.0.1:80')], { budgetMs: 300 });
    let asked = 0;
    fake.afterCommand = (line) => {
      if (line === 'show info' && (asked += 1) === 3) fake.pid = 5000;
    };
    expect(await runtime.reconcile(file('    server a 10.0.0.1:80\n'), { previousWorker: 4242 })).toMatchObject({ kind: 'applied', commands: 0 });
    expect(asked).toBeGreaterThanOrEqual(4);
    expect(await runtime.reconcile(file('    server a 10.0.0.1:80\n'), { previousWorker: 5000 })).toMatchObject({ kind: 'reload', reason: expect.stringMatching(/still runs worker 5000/) });
  });
});
