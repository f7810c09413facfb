/**
 * A scripted fake of Nacos's v1 HTTP open API (node:http on a free loopback port): the instance
 * list as Java Nacos 2.x answers it (with `reachProtectionThreshold`, `valid`, `allIPs`, which
 * rnacos leaves out), the paged service list, the login, and faults on demand (a status for the
 * next N replies, replies held back).
 *
 *   const http = await startFakeNacosHttp(state);
 *   http.fail('/nacos/v1/ns/instance/list', 500, 3);   // the next 3 lists answer 500
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerCleanup } from '../tmp.js';
import type { FakeNacosState } from './fake-state.js';

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly accessToken: string | undefined;
}

export interface FakeNacosHttp {
  readonly port: number;
  /** host:port for a nacos:// URI. */
  readonly address: string;
  readonly requests: FakeRequest[];
  /** The next `count` requests to `path` answer `status`. */
  fail(path: string, status: number, count: number): void;
  /** Requests to `path` are not answered while this is set. */
  readonly hold: Set<string>;
  stop(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return new URLSearchParams(text);
}

export async function startFakeNacosHttp(state: FakeNacosState): Promise<FakeNacosHttp> {
  const requests: FakeRequest[] = [];
  const failures = new Map<string, { status: number; count: number }>();
  const hold = new Set<string>();

  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const token = req.headers.accesstoken;
      const accessToken = Array.isArray(token) ? token[0] : token;
      requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, accessToken });
      if (hold.has(url.pathname)) return;
      const failure = failures.get(url.pathname);
      if (failure && failure.count > 0) {
        failure.count -= 1;
        return reply(res, failure.status, 'scripted failure');
      }
      if (url.pathname === '/nacos/v1/auth/login' && req.method === 'POST') {
        const form = await bodyOf(req);
        const issued = state.login(form.get('username') ?? '', form.get('password') ?? '');
        return issued ? reply(res, 200, { accessToken: issued, tokenTtl: state.tokenTtl, globalAdmin: false }) : reply(res, 403, 'unknown user!');
      }
      if (!state.allowed(accessToken)) return reply(res, 403, 'unknown user!');
      if (url.pathname === '/nacos/v1/ns/instance/list') {
        const grouped = url.searchParams.get('serviceName') ?? '';
        return reply(res, 200, state.serviceInfo(grouped.includes('@@') ? grouped : `${url.searchParams.get('groupName')}@@${grouped}`, { grpcName: false }));
      }
      if (url.pathname === '/nacos/v1/ns/service/list') {
        const names = state.names(url.searchParams.get('groupName') ?? 'DEFAULT_GROUP');
        const size = Number(url.searchParams.get('pageSize'));
        const from = (Number(url.searchParams.get('pageNo')) - 1) * size;
        return reply(res, 200, { count: names.length, doms: names.slice(from, from + size) });
      }
      reply(res, 404, 'not found');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  registerCleanup(stop);
  return {
    port,
    address: `127.0.0.1:${port}`,
    requests,
    fail(path, status, count) {
      failures.set(path, { status, count });
    },
    hold,
    stop,
  };
}
