import { createServer, type Server } from 'node:http';
import { freePort } from './ports.js';
import { registerCleanup, type CleanupRegistrar } from './cleanup.js';

/**
 * A real HTTP backend on a free loopback port: answers every request with its own name (`b1`), so
 * a client behind a proxy can tell which backend served it, and counts what it served. It keeps
 * its port across stop/start, as a restarted service would.
 */
export interface Backend {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** `address:port`, as nginx's `server` lines and the shipped template write it. */
  readonly hostPort: string;
  /** Requests served since the backend was created (across restarts). */
  readonly served: number;
  readonly running: boolean;
  /** Listens again on its port (no-op while running). */
  start(): Promise<void>;
  /** Stops listening and closes open connections (no-op while stopped). */
  stop(): Promise<void>;
}

class HttpBackend implements Backend {
  readonly address = '127.0.0.1';
  served = 0;
  private server: Server | undefined;

  constructor(
    readonly name: string,
    readonly port: number,
  ) {}

  get hostPort(): string {
    return `${this.address}:${this.port}`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => {
      this.served += 1;
      // Drain the request, then answer: the body is the backend's name.
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
      res.end(this.name);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}

/** Starts one backend per name, each on its own free port; all are stopped when the test (or benchmark) ends. */
export async function startBackends(names: readonly string[], options: { cleanup?: CleanupRegistrar } = {}): Promise<Backend[]> {
  const backends: Backend[] = [];
  for (const name of names) {
    const backend = new HttpBackend(name, await freePort());
    (options.cleanup ?? registerCleanup)(() => backend.stop());
    await backend.start();
    backends.push(backend);
  }
  return backends;
}
