import { writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { HaproxySocket } from '../../src/actions/haproxy/socket.js';
import { parseInfo, parseServersState, type ServerState } from '../../src/actions/haproxy/state.js';
import { HAPROXY } from './checkers.js';
import { waitFor } from './ctmpl.js';
import { freePort } from './ports.js';
import { registerCleanup } from './tmp.js';

/**
 * A real haproxy (the Debian package's binary) in master-worker mode (`-W -S`), everything in a
 * temp dir: the admin socket (`level admin expose-fd listeners`), the master CLI, the server
 * state file. One frontend on a free loopback port sends every request to `backend web`.
 */
export interface HaproxyServer {
  /** The configuration file haproxy loads: the test (as ctmpl would) writes it. */
  readonly config: string;
  /** The admin socket path (stats socket … level admin). */
  readonly socket: string;
  readonly stateFile: string;
  readonly port: number;
  readonly url: string;
  readonly masterPid: number;
  /** The head of the configuration (global, defaults, frontend); backends follow it. */
  readonly head: string;
  /** The worker serving the admin socket now (`show info` Pid). */
  workerPid(): Promise<number>;
  /** Running servers (`show servers state`). */
  servers(backend?: string): Promise<ServerState[]>;
  /**
   * A reload as a reload command would do it: save the server state (as the runtime template's
   * README advises), signal the master (USR2), and wait until a new worker answers on the socket.
   * Returns the new worker's PID. `saveState: false` reloads as ctmpl does without the runtime
   * path (no state saved; the file alone says what runs).
   */
  reload(options?: { saveState?: boolean }): Promise<number>;
  stop(): Promise<void>;
}

export interface HaproxyOptions {
  readonly dir: string;
  /** The backend section(s), appended to the head. */
  readonly backends: string;
  /**
   * A whole configuration instead of head + backends (e.g. a rendered template). It must put the
   * admin socket and the state file at the paths given, and bind the frontend to the port.
   */
  readonly config?: (paths: { socket: string; stateFile: string; port: number }) => string;
}

/** The fixed part of the test configuration, with paths and the frontend port filled in. */
export function haproxyHead(options: { socket: string; stateFile: string; port: number }): string {
  return `# haproxy for ctmpl's runtime API tests
global
    stats socket ${options.socket} mode 600 level admin expose-fd listeners
    server-state-file ${options.stateFile}
    hard-stop-after 5s
defaults
    mode http
    option http-keep-alive
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 30s
    load-server-state-from-file global
frontend http_in
    bind 127.0.0.1:${options.port}
    default_backend web
`;
}

export async function startHaproxy(options: HaproxyOptions): Promise<HaproxyServer> {
  const port = await freePort();
  const socket = join(options.dir, 'admin.sock');
  const masterSocket = join(options.dir, 'master.sock');
  const stateFile = join(options.dir, 'server-state');
  const config = join(options.dir, 'haproxy.cfg');
  const head = haproxyHead({ socket, stateFile, port });
  await writeFile(config, options.config ? options.config({ socket, stateFile, port }) : `${head}${options.backends}`);
  let output = '';
  const child: ResultPromise = execa(HAPROXY, ['-W', '-S', `${masterSocket},mode,600`, '-f', config], { reject: false, stdin: 'ignore', all: true, buffer: false });
  child.all?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  });
  const masterPid = child.pid;
  if (masterPid === undefined) throw new Error('haproxy did not start');
  let exited = false;
  const done = child.then(() => {
    exited = true;
  });
  const admin = new HaproxySocket(socket, { timeoutMs: 2000 });
  // The master CLI answers once the master is in its loop: a USR2 sent earlier is lost.
  const masterServes = async (worker: number): Promise<boolean> => new RegExp(`^${worker}\\s+worker`, 'm').test(await masterCli(masterSocket, 'show proc'));
  const workerPid = async (): Promise<number> => {
    const pid = parseInfo(await admin.send('show info')).pid;
    if (pid === undefined) throw new Error('show info has no Pid');
    return pid;
  };
  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([done.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 3000)))]);
    clearTimeout(timer);
    if (!stopped) child.kill('SIGKILL');
    await done;
  };
  registerCleanup(stop);
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error('haproxy exited');
        return masterServes(await workerPid());
      },
      { timeoutMs: 10_000, what: 'haproxy to answer on its admin socket' },
    );
  } catch (err) {
    await stop();
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- haproxy output ---\n${output}`);
  }
  return {
    config,
    socket,
    stateFile,
    port,
    url: `http://127.0.0.1:${port}/`,
    masterPid,
    head,
    workerPid,
    async servers(backend) {
      const all = parseServersState(await admin.send('show servers state'));
      return backend === undefined ? all : all.filter((s) => s.backend === backend);
    },
    async reload(reloadOptions = {}) {
      const old = await workerPid();
      await writeFile(stateFile, reloadOptions.saveState === false ? '' : await admin.send('show servers state'));
      process.kill(masterPid, 'SIGUSR2');
      try {
        return await waitFor(
          async () => {
            if (exited) throw new Error('haproxy exited during a reload');
            const pid = await workerPid();
            return pid !== old && (await masterServes(pid)) ? pid : undefined;
          },
          { timeoutMs: 10_000, intervalMs: 10, what: 'a new haproxy worker after USR2' },
        );
      } catch (err) {
        throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- haproxy output ---\n${output}`);
      }
    },
    stop,
  };
}

/**
 * One command on the master CLI (`-S`). Unlike the stats socket it keeps the connection open
 * after answering, so `quit` follows the command.
 */
function masterCli(path: string, command: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path });
    let reply = '';
    const timer = setTimeout(() => socket.destroy(new Error(`master CLI ${path}: no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => socket.write(`${command}; quit\n`));
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(reply);
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** One request of a keep-alive load run (times are performance.now() milliseconds). */
export interface KeepAliveRecord {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly status: number | undefined;
  readonly body: string;
  readonly error: string | undefined;
}

export interface KeepAliveLoad {
  readonly records: readonly KeepAliveRecord[];
  failures(): KeepAliveRecord[];
  /** Requests answered by `backend` (its body) that started at or after `since`. */
  servedBy(backend: string, since: number): number;
  /** New TCP connections the clients opened (low: the connections are kept alive). */
  connections(): number;
  stop(): Promise<void>;
}

/**
 * Clients that keep their connections alive (as browsers and service meshes do) and send GETs
 * back to back: what a reload hurts (an idle kept-alive connection closed by the old worker
 * while a request is on its way) and the Runtime API does not. Bounded: it stops by itself after
 * `maxMs` whatever happens to the test.
 */
export function startKeepAliveLoad(url: string, options: { concurrency?: number; maxMs?: number; timeoutMs?: number; pauseMs?: number; host?: string } = {}): KeepAliveLoad {
  const concurrency = options.concurrency ?? 4;
  const timeoutMs = options.timeoutMs ?? 3000;
  const pauseMs = options.pauseMs ?? 1;
  const end = performance.now() + (options.maxMs ?? 60_000);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const sockets = new WeakSet<object>();
  let connections = 0;
  const records: KeepAliveRecord[] = [];
  let stopping = false;
  const get = (): Promise<KeepAliveRecord> =>
    new Promise((resolve) => {
      const startedAt = performance.now();
      let settled = false;
      const finish = (status: number | undefined, body: string, error: string | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ startedAt, endedAt: performance.now(), status, body, error });
      };
      const req = request(url, { agent, ...(options.host ? { headers: { host: options.host } } : {}) }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => finish(res.statusCode, body, undefined));
        res.on('error', (err) => finish(res.statusCode, body, err.message));
      });
      req.on('socket', (socket) => {
        if (sockets.has(socket)) return;
        sockets.add(socket);
        connections += 1;
      });
      const timer = setTimeout(() => req.destroy(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => finish(undefined, '', err.code ?? err.message));
      req.end();
    });
  const loop = async (): Promise<void> => {
    while (!stopping && performance.now() < end) {
      records.push(await get());
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  const loops = Promise.all(Array.from({ length: concurrency }, loop));
  const load: KeepAliveLoad = {
    records,
    failures: () => records.filter((r) => r.status !== 200),
    servedBy: (backend, since) => records.filter((r) => r.startedAt >= since && r.status === 200 && r.body === backend).length,
    connections: () => connections,
    async stop() {
      stopping = true;
      await loops;
      agent.destroy();
    },
  };
  registerCleanup(() => load.stop());
  return load;
}
