import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { registerCleanup } from '../tmp.js';

/**
 * A scripted fake Eureka server (node:http on a free loopback port) for what a real server cannot
 * easily be made to do: fail with 500, cut an answer short, send a delta whose hashcode does not
 * match, ask for a login. It serves `full` at {context}/apps and `delta` at {context}/apps/delta
 * unless a scripted answer comes first. Stopped when the test (or file) ends.
 */

/** One scripted answer. */
export interface FakeAnswer {
  readonly status?: number;
  /** A JSON value (sent as JSON) or raw text. */
  readonly body?: unknown;
  readonly gzip?: boolean;
  /** Send only this many bytes of the body (announcing the whole length), then close the connection. */
  readonly cutAt?: number;
  /** Wait this long before answering. */
  readonly delayMs?: number;
}

export interface FakeRequest {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly accept: string | undefined;
}

/** Eureka's applications JSON (Jackson's shape: lists everywhere). */
export function applicationsJson(apps: Readonly<Record<string, readonly unknown[]>>, hashcode?: string): unknown {
  return {
    applications: {
      versions__delta: '1',
      apps__hashcode: hashcode ?? '',
      application: Object.entries(apps).map(([name, instance]) => ({ name, instance })),
    },
  };
}

/** An instance as a Eureka server writes it. */
export function instanceJson(app: string, id: string, ip: string, port: number, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    instanceId: id,
    hostName: `${id}.example`,
    app,
    ipAddr: ip,
    status: 'UP',
    overriddenStatus: 'UNKNOWN',
    port: { $: port, '@enabled': 'true' },
    securePort: { $: 443, '@enabled': 'false' },
    countryId: 1,
    dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
    leaseInfo: { renewalIntervalInSecs: 30, durationInSecs: 90 },
    metadata: { '@class': 'java.util.Collections$EmptyMap' },
    vipAddress: app.toLowerCase(),
    ...extra,
  };
}

export class FakeEureka {
  /** Served at {context}/apps. */
  full: unknown = applicationsJson({});
  /** Served at {context}/apps/delta. */
  delta: unknown = applicationsJson({});
  /** Every request, in order. */
  readonly requests: FakeRequest[] = [];
  /** Answers every request while set (a server that always fails). */
  always: FakeAnswer | undefined;
  private readonly scripted = new Map<string, FakeAnswer[]>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly address: string,
    readonly context: string,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(context = '/eureka'): Promise<FakeEureka> {
    const handler: { fake?: FakeEureka } = {};
    const server = createServer((req, res) => void handler.fake?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('the fake Eureka has no address');
    const fake = new FakeEureka(server, `127.0.0.1:${address.port}`, context);
    handler.fake = fake;
    registerCleanup(() => fake.close());
    return fake;
  }

  /** Answers the next requests for `path` (`/apps` or `/apps/delta`) so, one each, before the defaults. */
  script(path: string, ...answers: FakeAnswer[]): void {
    const key = `${this.context}${path}`;
    this.scripted.set(key, [...(this.scripted.get(key) ?? []), ...answers]);
  }

  /** How many requests went to `path` (`/apps` or `/apps/delta`). */
  count(path: string): number {
    return this.requests.filter((r) => r.path === `${this.context}${path}`).length;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    this.requests.push({ path, authorization: req.headers.authorization, accept: req.headers.accept });
    const answer = this.always ?? this.scripted.get(path)?.shift() ?? this.standard(path);
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    const body = answer.gzip ? gzipSync(text) : Buffer.from(text);
    res.writeHead(answer.status ?? 200, {
      'Content-Type': 'application/json',
      'Content-Length': String(body.length),
      ...(answer.gzip ? { 'Content-Encoding': 'gzip' } : {}),
    });
    if (answer.cutAt !== undefined) {
      res.write(body.subarray(0, answer.cutAt));
      // Let the first bytes leave, then drop the connection mid-answer.
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    res.end(body);
  }

  private standard(path: string): FakeAnswer {
    if (path === `${this.context}/apps`) return { body: this.full };
    if (path === `${this.context}/apps/delta`) return { body: this.delta };
    return { status: 404, body: { error: 'Not Found' } };
  }
}
