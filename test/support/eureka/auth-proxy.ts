import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { registerCleanup } from '../tmp.js';

/**
 * An authenticating front for a real Eureka server, as Spring Security puts one before it: HTTP
 * basic authentication with one user, 401 for anyone else, requests passed on unchanged
 * otherwise. Stopped when the test (or file) ends.
 */
export interface AuthProxy {
  readonly address: string;
  /** Authorization headers it saw, in order. */
  readonly seen: readonly (string | undefined)[];
}

export async function startAuthProxy(target: string, user: string, password: string): Promise<AuthProxy> {
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const seen: (string | undefined)[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="eureka"', 'Content-Type': 'application/json' });
      res.end('{"error":"Unauthorized"}');
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of ['accept', 'accept-encoding'] as const) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    fetch(`http://${target}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, signal: AbortSignal.timeout(10_000) }).then(
      async (answer) => {
        // fetch has decoded any gzip: pass the body on plain.
        const body = Buffer.from(await answer.arrayBuffer());
        res.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? 'application/json', 'Content-Length': String(body.length) });
        res.end(body);
      },
      () => {
        res.writeHead(502);
        res.end();
      },
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the auth proxy has no address');
  registerCleanup(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { address: `127.0.0.1:${address.port}`, seen };
}
