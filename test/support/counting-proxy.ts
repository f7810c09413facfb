import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerCleanup } from './tmp.js';

export interface CountingProxy {
  /** host:port to give ctmpl instead of the agent's address. */
  readonly address: string;
  /** Every request forwarded so far, in order. */
  readonly requests: readonly URL[];
  /** How many requests were forwarded so far. */
  readonly count: () => number;
}

/** A loopback HTTP proxy in front of Consul that records the requests it forwards. */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
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
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registerCleanup(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  );
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, requests, count: () => requests.length };
}
