import { connect, type Socket } from 'node:net';
import { isAbsolute } from 'node:path';
import { InputError } from '../../errors.js';
import { splitHostPort } from '../../util/address.js';
import { commandText, type RuntimeCommand } from './commands.js';

/**
 * A client for haproxy's admin socket (`stats socket PATH level admin`): one command per
 * connection, as haproxy's non-interactive mode answers a line and closes. Measured on haproxy
 * 2.6 over a unix socket, a command costs well under a millisecond this way (see README.md), so
 * the `prompt` mode's pipelining is not worth its parsing (no end marker but a "> " prompt that
 * a reply could also contain) or the state a long-lived connection carries across reloads.
 */

export type SocketAddress = { readonly path: string } | { readonly host: string; readonly port: number };

/** `/run/haproxy/admin.sock`, `unix@/path`, `ipv4@127.0.0.1:9999` or `ipv6@[::1]:9999`. */
export function parseSocketAddress(text: string, where = 'haproxy socket'): SocketAddress {
  const value = text.trim();
  const path = value.startsWith('unix@') ? value.slice('unix@'.length) : value;
  if (isAbsolute(path)) return { path };
  const inet = /^ipv[46]@(.+)$/.exec(value)?.[1];
  const split = inet === undefined ? undefined : splitHostPort(inet);
  if (split !== undefined) return { host: split.host, port: Number(split.port) };
  throw new InputError(`"${value}" is not an admin socket address`, where, 'write an absolute unix socket path (/run/haproxy/admin.sock, or unix@PATH) or ipv4@HOST:PORT / ipv6@[HOST]:PORT, as in haproxy\'s "stats socket" line');
}

export type SocketFailure = 'connect' | 'timeout' | 'too-large' | 'aborted';

/** The socket could not be used (haproxy down or reloading, a wrong path, a slow answer). */
export class SocketError extends Error {
  override readonly name = 'SocketError';
  constructor(
    message: string,
    readonly failure: SocketFailure,
  ) {
    super(message);
  }
}

/** How haproxy refused a command, told apart by its reply text (haproxy 2.x has no status codes). */
export type RefusalKind =
  | 'unknown-backend'
  | 'unknown-server'
  | 'permission'
  | 'unknown-command'
  | 'already-exists'
  /** `del server` on a server still in use or not in maintenance: try again later. */
  | 'busy'
  | 'not-dynamic'
  | 'refused';

export type CommandReply = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly refusal: RefusalKind; readonly text: string };

const REFUSALS: readonly (readonly [RegExp, RefusalKind])[] = [
  [/No such backend|Can't find backend/i, 'unknown-backend'],
  [/No such server|Can't find server/i, 'unknown-server'],
  [/Permission denied|restricted to experimental mode/i, 'permission'],
  [/Unknown command/i, 'unknown-command'],
  [/Already exists a server/i, 'already-exists'],
  [/still has connections|Only servers in maintenance mode can be deleted|still in use|is used by|tracked by/i, 'busy'],
  [/dynamic load balancing|not accepted for dynamic server|static LB algorithm/i, 'not-dynamic'],
];

/** What haproxy answers when each kind of command succeeded; anything else is a refusal. */
function succeeded(command: RuntimeCommand, text: string): boolean {
  const reply = text.trim();
  switch (command.kind) {
    case 'add':
      return /^New server registered\.$/.test(reply);
    case 'del':
      return /^Server deleted\.$/.test(reply);
    case 'addr':
      return reply === '' || /changed from|no need to change/i.test(reply);
    default:
      return reply === '';
  }
}

export function classifyReply(command: RuntimeCommand, text: string): CommandReply {
  if (succeeded(command, text)) return { ok: true, text };
  const refusal = REFUSALS.find(([pattern]) => pattern.test(text))?.[1] ?? 'refused';
  return { ok: false, refusal, text: text.trim().slice(0, 500) };
}

export interface SocketOptions {
  /** Deadline for one exchange: connect, send, read to the end (default 2000 ms). */
  readonly timeoutMs?: number;
  /** Replies larger than this are cut off with an error (default 32 MiB). */
  readonly maxReplyBytes?: number;
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const LINE_BREAKERS = /[\u0000-\u001f\u007f;]/;

export class HaproxySocket {
  readonly address: SocketAddress;
  private readonly timeoutMs: number;
  private readonly maxReplyBytes: number;

  constructor(address: string | SocketAddress, options: SocketOptions = {}) {
    this.address = typeof address === 'string' ? parseSocketAddress(address) : address;
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.maxReplyBytes = options.maxReplyBytes ?? 32 * 1024 * 1024;
  }

  /**
   * Sends one line and returns the whole reply. The line is ctmpl's own (`show …`, or a command
   * from commandText): a control character or `;` in it is refused here as a last line of defence.
   * `prefix` is a command of ctmpl's own run first on the same connection (2.4's experimental mode).
   */
  async send(line: string, options: { timeoutMs?: number; signal?: AbortSignal; prefix?: 'experimental-mode on' } = {}): Promise<string> {
    if (LINE_BREAKERS.test(line)) throw new SocketError('refused to send a command holding a control character or ";"', 'aborted');
    const text = options.prefix === undefined ? line : `${options.prefix}; ${line}`;
    const reply = await this.exchange(`${text}\n`, Math.max(1, options.timeoutMs ?? this.timeoutMs), options.signal);
    // experimental-mode prints nothing; the reply is the command's own.
    return reply;
  }

  /** Runs one command and classifies haproxy's answer. */
  async run(command: RuntimeCommand, options: { timeoutMs?: number; signal?: AbortSignal; experimental?: boolean } = {}): Promise<CommandReply> {
    const text = await this.send(commandText(command), { ...options, prefix: options.experimental ? 'experimental-mode on' : undefined });
    return classifyReply(command, text);
  }

  private exchange(payload: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<string> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new SocketError('aborted before sending', 'aborted'));
        return;
      }
      const socket: Socket = 'path' in this.address ? connect({ path: this.address.path }) : connect({ host: this.address.host, port: this.address.port });
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const where = 'path' in this.address ? this.address.path : `${this.address.host}:${this.address.port}`;
      const finish = (err: SocketError | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        if (err) reject(err);
        else resolve(Buffer.concat(chunks).toString('utf8'));
      };
      const onAbort = (): void => finish(new SocketError('aborted', 'aborted'));
      const timer = setTimeout(() => finish(new SocketError(`haproxy socket ${where} did not answer within ${timeoutMs} ms`, 'timeout')), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      // No half-close: haproxy answers the line, then closes the connection itself.
      socket.on('connect', () => socket.write(payload));
      socket.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.maxReplyBytes) finish(new SocketError(`haproxy socket ${where}: reply larger than ${this.maxReplyBytes} bytes`, 'too-large'));
        else chunks.push(chunk);
      });
      socket.on('end', () => finish(undefined));
      socket.on('close', () => finish(undefined));
      socket.on('error', (err: NodeJS.ErrnoException) => finish(new SocketError(`haproxy socket ${where}: ${err.code ?? err.message}`, 'connect')));
    });
  }
}
