import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { classifyReply, HaproxySocket, parseSocketAddress, SocketError } from '../../../../src/actions/haproxy/socket.js';
import { InputError } from '../../../../src/errors.js';
import { freePort } from '../../../support/ports.js';
import { registerCleanup } from '../../../support/tmp.js';
import { fakeServer, FakeHaproxy } from './fake-haproxy.js';

const target = { backend: 'web', server: 'a' };

describe('parseSocketAddress', () => {
  it.each([
    ['/run/haproxy/admin.sock', { path: '/run/haproxy/admin.sock' }],
    ['unix@/tmp/a.sock', { path: '/tmp/a.sock' }],
    ['ipv4@127.0.0.1:9999', { host: '127.0.0.1', port: 9999 }],
    ['ipv6@[::1]:9999', { host: '::1', port: 9999 }],
  ])('%s', (text, address) => {
    expect(parseSocketAddress(text)).toEqual(address);
  });

  it.each(['admin.sock', '127.0.0.1:9999', 'ipv4@127.0.0.1', 'ipv4@host name:1', 'tcp://127.0.0.1:1'])('refuses %j with a hint', (text) => {
    expect(() => parseSocketAddress(text, 'templates[0].haproxy.socket')).toThrow(InputError);
    try {
      parseSocketAddress(text, 'templates[0].haproxy.socket');
    } catch (err) {
      expect((err as InputError).describe()).toMatch(/templates\[0\]\.haproxy\.socket: .*\n {2}hint: write an absolute unix socket path/);
    }
  });
});

describe('classifyReply (haproxy 2.6 reply texts)', () => {
  it.each([
    [{ kind: 'ready', ...target }, '\n', true, undefined],
    [{ kind: 'add', ...target, address: '10.0.0.1', port: '80', weight: 1, options: [] }, 'New server registered.\n\n', true, undefined],
    [{ kind: 'del', ...target }, 'Server deleted.\n', true, undefined],
    [{ kind: 'addr', ...target, address: '10.0.0.1', port: '80' }, "IP changed from '127.0.0.1' to '10.0.0.1', port changed from '1' to '80' by 'stats socket command'\n\n", true, undefined],
    [{ kind: 'ready', ...target }, 'No such server.\n\n', false, 'unknown-server'],
    [{ kind: 'ready', ...target }, 'No such backend.\n', false, 'unknown-backend'],
    [{ kind: 'weight', ...target, weight: 2 }, 'Permission denied\n\n', false, 'permission'],
    [{ kind: 'add', ...target, address: '10.0.0.1', port: '80', weight: 1, options: [] }, 'Already exists a server with the same name in backend.\n\n', false, 'already-exists'],
    [{ kind: 'add', ...target, address: '10.0.0.1', port: '80', weight: 1, options: [] }, 'Backend must use a dynamic load balancing to support dynamic servers.\n', false, 'not-dynamic'],
    [{ kind: 'del', ...target }, 'Server still has connections attached to it, cannot remove it.\n', false, 'busy'],
    [{ kind: 'del', ...target }, 'Only servers in maintenance mode can be deleted.\n', false, 'busy'],
    [{ kind: 'ready', ...target }, 'Unknown command, but maybe one of the following ones is a better match:\n', false, 'unknown-command'],
    [{ kind: 'ready', ...target }, 'something new\n', false, 'refused'],
  ] as const)('%j answered %j', (command, text, ok, refusal) => {
    const reply = classifyReply(command, text);
    expect(reply.ok).toBe(ok);
    if (!reply.ok) expect(reply.refusal).toBe(refusal);
  });
});

describe('HaproxySocket', () => {
  it('sends one line per connection and returns the whole reply', async () => {
    const fake = new FakeHaproxy(new Map([['web', [fakeServer('a', '10.0.0.1:80')]]]));
    const socket = new HaproxySocket(await fake.start());
    expect(await socket.send('show backend')).toBe('# name\nweb\n\n');
    expect(await socket.run({ kind: 'weight', ...target, weight: 4 })).toEqual({ ok: true, text: '\n' });
    expect(fake.received).toEqual(['show backend', 'set server web/a weight 4']);
    expect(fake.find('web', 'a')?.weight).toBe(4);
  });

  it('reaches a TCP admin socket (ipv4@)', async () => {
    const port = await freePort();
    const server = createServer((s) => s.on('data', () => s.end('# name\nweb\n')));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    registerCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
    expect(await new HaproxySocket(`ipv4@127.0.0.1:${port}`).send('show backend')).toBe('# name\nweb\n');
  });

  it('gives up after its timeout when haproxy does not answer', async () => {
    const fake = new FakeHaproxy(new Map());
    fake.delayMs = 2000;
    const socket = new HaproxySocket(await fake.start(), { timeoutMs: 100 });
    const started = performance.now();
    await expect(socket.send('show info')).rejects.toMatchObject({ name: 'SocketError', failure: 'timeout' });
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('reports a socket nobody listens on', async () => {
    await expect(new HaproxySocket('/nonexistent/ctmpl/admin.sock').send('show info')).rejects.toMatchObject({ failure: 'connect', message: expect.stringMatching(/ENOENT/) });
  });

  it('refuses to send a line with a newline, a control character or ";" (last line of defence)', async () => {
    const fake = new FakeHaproxy(new Map());
    const socket = new HaproxySocket(await fake.start());
    for (const line of ['show info\nshutdown sessions', 'show info; disable frontend x', 'show\u0000info']) {
      await expect(socket.send(line)).rejects.toBeInstanceOf(SocketError);
    }
    expect(fake.received).toEqual([]);
  });
});
