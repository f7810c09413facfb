import { createRequire } from 'node:module';

/** The part of node-unix-socket used here: a unix datagram socket. */
interface DgramSocket {
  sendTo(buf: Buffer, offset: number, length: number, path: string, cb?: (err?: Error) => void): void;
  close(): void;
}

/**
 * systemd's notify protocol (Type=notify): datagrams of `KEY=VALUE` lines to $NOTIFY_SOCKET.
 * READY=1 once every template has rendered, STATUS= as things change, WATCHDOG=1 at half the
 * $WATCHDOG_USEC interval. Without NOTIFY_SOCKET (not under systemd) it does nothing.
 */
export class SystemdNotifier {
  private watchdog: NodeJS.Timeout | undefined;

  private constructor(
    private readonly socketPath: string,
    private readonly socket: DgramSocket,
    private readonly watchdogUsec: number | undefined,
  ) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): SystemdNotifier | undefined {
    const path = env.NOTIFY_SOCKET;
    if (!path) return undefined;
    // Loaded only under systemd: a prebuilt native module (Node has no unix datagram sockets).
    const { DgramSocket: Socket } = createRequire(import.meta.url)('node-unix-socket') as { DgramSocket: new () => DgramSocket };
    const usec = Number(env.WATCHDOG_USEC);
    const forUs = env.WATCHDOG_PID === undefined || Number(env.WATCHDOG_PID) === process.pid;
    // An abstract socket name starts with "@", which stands for a leading NUL byte.
    return new SystemdNotifier(path.startsWith('@') ? `\0${path.slice(1)}` : path, new Socket(), Number.isFinite(usec) && usec > 0 && forUs ? usec : undefined);
  }

  notify(fields: Record<string, string>): Promise<void> {
    const message = Buffer.from(Object.entries(fields).map(([k, v]) => `${k}=${v.replace(/\n/g, ' ')}`).join('\n'));
    return new Promise((resolve) => {
      // Notification is best effort: a lost datagram must never stop rendering.
      this.socket.sendTo(message, 0, message.length, this.socketPath, () => resolve());
    });
  }

  /** READY=1 with a status line, and the watchdog from now on. */
  async ready(status: string): Promise<void> {
    await this.notify({ READY: '1', STATUS: status, MAINPID: String(process.pid) });
    if (this.watchdogUsec !== undefined && !this.watchdog) {
      this.watchdog = setInterval(() => void this.notify({ WATCHDOG: '1' }), Math.max(100, this.watchdogUsec / 2000));
      this.watchdog.unref();
    }
  }

  status(text: string): Promise<void> {
    return this.notify({ STATUS: text });
  }

  async stopping(): Promise<void> {
    clearInterval(this.watchdog);
    await this.notify({ STOPPING: '1', STATUS: 'stopping' });
    this.socket.close();
  }
}
