import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerCleanup, type CleanupRegistrar } from './cleanup.js';

export interface CountingProxy {
  /** host:port to give the client instead of the target's address. */
  readonly address: string;
  /** Every request forwarded since the start (or the last reset), in order. */
  readonly requests: readonly URL[];
  /** How many requests were forwarded since the start (or the last reset). */
  count(): number;
  /** Forgets the requests so far (to count a window). */
  reset(): void;
  /** Stops listening and closes every connection; also done when the test (or benchmark) ends. */
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of `target` (host:port, e.g. a Consul agent) that records the
 * requests it forwards.
 */
export async function startCountingProxy(target: string, options: { cleanup?: CleanupRegistrar } = {}): Promise<CountingProxy> {
  const [host, port] = target.split(':') as [string, string];
  const agent = new Agent({ keepAlive: true });
  const requests: URL[] = [];
  const server = createServer((req, res) => {
    requests.push(new URL(req.url ?? '/', `http://${target}`));
    const upstream = request({ host, port: Number(port), method: req.method, path: req.url, headers: req.headers, agent }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    // A client that gives up on a blocking query ends the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  // Blocking queries keep a connection busy for minutes; an idle one must not be cut under the client.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      agent.destroy();
    });
    return closed;
  };
  (options.cleanup ?? registerCleanup)(close);
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    count: () => requests.length,
    reset: () => {
      requests.length = 0;
    },
    close,
  };
}
