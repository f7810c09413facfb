import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemdNotifier } from '../../../src/observe/systemd.js';

interface Listener {
  bind(path: string): void;
  on(event: 'data', cb: (buf: Buffer) => void): void;
  close(): void;
}
const { DgramSocket } = createRequire(import.meta.url)('node-unix-socket') as { DgramSocket: new () => Listener };

const listeners: Listener[] = [];
afterEach(() => {
  for (const l of listeners.splice(0)) l.close();
});

/** A unix datagram socket standing in for systemd's $NOTIFY_SOCKET; collects the messages. */
function fakeSystemd(): { path: string; messages: string[] } {
  const path = join(mkdtempSync(join(tmpdir(), 'ctmpl-notify-')), 'notify.sock');
  const socket = new DgramSocket();
  socket.bind(path);
  const messages: string[] = [];
  socket.on('data', (buf) => messages.push(buf.toString()));
  listeners.push(socket);
  return { path, messages };
}

async function until(check: () => boolean, deadlineMs = 3000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SystemdNotifier', () => {
  it('does nothing outside systemd (no NOTIFY_SOCKET)', () => {
    expect(SystemdNotifier.fromEnv({})).toBeUndefined();
  });

  it('sends READY=1 with a status and the main pid, then STATUS updates and STOPPING', async () => {
    const systemd = fakeSystemd();
    const notifier = SystemdNotifier.fromEnv({ NOTIFY_SOCKET: systemd.path });
    await notifier?.ready('2 template(s) rendered');
    await notifier?.status('1 change(s) applied');
    await notifier?.stopping();
    await until(() => systemd.messages.length === 3);
    expect(systemd.messages[0]).toBe(`READY=1\nSTATUS=2 template(s) rendered\nMAINPID=${process.pid}`);
    expect(systemd.messages[1]).toBe('STATUS=1 change(s) applied');
    expect(systemd.messages[2]).toBe('STOPPING=1\nSTATUS=stopping');
  });

  it('pings the watchdog at half of WATCHDOG_USEC once ready', async () => {
    const systemd = fakeSystemd();
    const notifier = SystemdNotifier.fromEnv({ NOTIFY_SOCKET: systemd.path, WATCHDOG_USEC: '400000', WATCHDOG_PID: String(process.pid) });
    const started = Date.now();
    await notifier?.ready('ready');
    await until(() => systemd.messages.filter((m) => m === 'WATCHDOG=1').length >= 2);
    // Two pings at a 200 ms period take at least ~400 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    await notifier?.stopping();
  });

  it('leaves the watchdog to the process systemd names in WATCHDOG_PID', async () => {
    const ours = fakeSystemd();
    const other = fakeSystemd();
    const pinging = SystemdNotifier.fromEnv({ NOTIFY_SOCKET: ours.path, WATCHDOG_USEC: '100000', WATCHDOG_PID: String(process.pid) });
    const silent = SystemdNotifier.fromEnv({ NOTIFY_SOCKET: other.path, WATCHDOG_USEC: '100000', WATCHDOG_PID: '1' });
    await silent?.ready('ready');
    await pinging?.ready('ready');
    // Once the one meant to ping has pinged three times, the other would have pinged too.
    await until(() => ours.messages.filter((m) => m === 'WATCHDOG=1').length >= 3);
    expect(other.messages).toEqual([`READY=1\nSTATUS=ready\nMAINPID=${process.pid}`]);
    await pinging?.stopping();
    await silent?.stopping();
  });
});
