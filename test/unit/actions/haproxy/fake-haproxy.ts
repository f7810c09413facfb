import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { registerCleanup, tempDir } from '../../../support/tmp.js';

/**
 * A scripted stand-in for haproxy's admin socket, for unit tests of the client and the runtime
 * (the integration tests run the real haproxy): one command per connection, answered from a
 * small model of backends and servers with haproxy 2.6's reply texts, every line recorded.
 */
export interface FakeServer {
  name: string;
  address: string;
  port: string;
  weight: number;
  admin: number;
  sessions: number;
}

const HEADER = '# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port';

export class FakeHaproxy {
  readonly received: string[] = [];
  version = '2.6.12-1+deb12u4';
  pid = 4242;
  /** Answers a line before the model does (a scripted refusal); undefined lets the model answer. */
  override: (line: string) => string | undefined = () => undefined;
  /** Delay before each answer (a slow haproxy). */
  delayMs = 0;
  /** Hook run after each command (e.g. a session ending once a server is drained). */
  afterCommand: (line: string) => void = () => undefined;
  private server: Server | undefined;

  constructor(readonly backends: Map<string, FakeServer[]>) {}

  async start(): Promise<string> {
    const path = join(await tempDir('ctmpl-fake-haproxy-'), 'admin.sock');
    const server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    this.server = server;
    registerCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return path;
  }

  stop(): void {
    this.server?.close();
  }

  find(backend: string, name: string): FakeServer | undefined {
    return this.backends.get(backend)?.find((s) => s.name === name);
  }

  private serve(socket: Socket): void {
    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      const received = buffer.slice(0, end);
      this.received.push(received);
      // haproxy 2.4 runs add/del server only after this, on the same connection.
      const line = received.replace(/^experimental-mode on; /, '');
      const reply = this.override(line) ?? this.answer(line);
      this.afterCommand(line);
      setTimeout(() => socket.end(reply), this.delayMs);
    });
    socket.on('error', () => undefined);
  }

  private answer(line: string): string {
    if (line === 'show info') return `Name: HAProxy\nVersion: ${this.version}\nPid: ${this.pid}\n`;
    if (line === 'show backend') return `# name\n${[...this.backends.keys()].join('\n')}\n\n`;
    if (line === 'show servers state') {
      const rows = [...this.backends.entries()].flatMap(([backend, servers], b) => servers.map((s, i) => `${b + 3} ${backend} ${i + 1} ${s.name} ${s.address} 2 ${s.admin} ${s.weight} ${s.weight} 5 1 0 2 0 0 0 0 - ${s.port} - 0 0 - - 0`));
      return `1\n${HEADER}\n${rows.join('\n')}\n\n`;
    }
    if (line === 'show stat -1 4 -1') {
      const rows = [...this.backends.entries()].flatMap(([backend, servers]) => servers.map((s) => `${backend},${s.name},0,0,${s.sessions},0,,0`));
      return `# pxname,svname,qcur,qmax,scur,smax,slim,stot\n${rows.join('\n')}\n\n`;
    }
    const target = /^(?:set server|add server|del server|enable health) ([^/ ]+)\/(\S+)/.exec(line);
    if (target === null) return 'Unknown command.\n';
    const [, backend = '', name = ''] = target;
    const servers = this.backends.get(backend);
    if (servers === undefined) return 'No such backend.\n';
    const add = /^add server \S+ (\S+):(\d+) weight (\d+)/.exec(line);
    if (add) {
      if (servers.some((s) => s.name === name)) return 'Already exists a server with the same name in backend.\n\n';
      servers.push({ name, address: add[1] ?? '', port: add[2] ?? '', weight: Number(add[3]), admin: 1, sessions: 0 });
      return 'New server registered.\n\n';
    }
    const server = servers.find((s) => s.name === name);
    if (server === undefined) return 'No such server.\n\n';
    if (line.startsWith('del server')) {
      if ((server.admin & 1) === 0) return 'Only servers in maintenance mode can be deleted.\n';
      if (server.sessions > 0) return 'Server still has connections attached to it, cannot remove it.\n';
      servers.splice(servers.indexOf(server), 1);
      return 'Server deleted.\n';
    }
    const state = / state (ready|drain|maint)$/.exec(line)?.[1];
    if (state === 'ready') server.admin &= ~0x09;
    if (state === 'drain') server.admin = (server.admin & ~0x01) | 0x08;
    if (state === 'maint') server.admin |= 0x01;
    const weight = / weight (\d+)$/.exec(line)?.[1];
    if (weight !== undefined) server.weight = Number(weight);
    const addr = / addr (\S+) port (\d+)$/.exec(line);
    if (addr) {
      const old = `${server.address}:${server.port}`;
      server.address = addr[1] ?? '';
      server.port = addr[2] ?? '';
      return `IP changed from '${old}' to '${server.address}:${server.port}' by 'stats socket command'\n\n`;
    }
    return '\n';
  }
}

export const fakeServer = (name: string, endpoint: string, fields: Partial<FakeServer> = {}): FakeServer => {
  const [address = '', port = ''] = endpoint.split(':');
  return { name, address, port, weight: 1, admin: 0, sessions: 0, ...fields };
};
