import * as http from 'node:http';
import * as https from 'node:https';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { SourceStats } from '../source.js';
import { splitHostPort } from '../../util/address.js';
import type { EurekaSettings } from './settings.js';

const gunzipAsync = promisify(gunzip);
/** Largest answer accepted (a registry of tens of thousands of instances fits easily). */
const MAX_BODY_BYTES = 128 * 1024 * 1024;

/** A server answered with a status other than 200. */
export class EurekaHttpError extends Error {
  override readonly name = 'EurekaHttpError';
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/** One server's failure within a request to the peer group. */
export interface EurekaAttempt {
  readonly server: string;
  readonly error: unknown;
}

/** Every server of the peer group failed one request. */
export class EurekaUnavailableError extends Error {
  override readonly name = 'EurekaUnavailableError';
  constructor(
    readonly path: string,
    readonly attempts: readonly EurekaAttempt[],
  ) {
    super(`GET ${path} failed on ${attempts.map((a) => a.server).join(', ')}`);
  }
}

export interface EurekaCredentials {
  /** The password of `settings.auth.user`, read from its file. */
  readonly password?: string;
  /** PEM CA certificates for eureka+https. */
  readonly ca?: string | Buffer;
}

/**
 * GETs from a Eureka peer group as Eureka clients do: one server at a time, sticking to the one
 * that answers; when it fails, the same request goes to the next one (each server once per
 * request). JSON is asked for (`Accept: application/json`), gzip accepted, basic authentication
 * sent when the URI has a user. A request has one deadline for the answer and its whole body.
 */
export class EurekaClient {
  private current = 0;
  private readonly agent: http.Agent;
  private readonly authorization: string | undefined;

  constructor(
    private readonly settings: EurekaSettings,
    credentials: EurekaCredentials,
    private readonly stats: SourceStats,
  ) {
    this.agent = settings.tls ? new https.Agent({ keepAlive: true, maxSockets: 2, ...(credentials.ca ? { ca: credentials.ca } : {}) }) : new http.Agent({ keepAlive: true, maxSockets: 2 });
    this.authorization = settings.auth && credentials.password !== undefined ? `Basic ${Buffer.from(`${settings.auth.user}:${credentials.password}`).toString('base64')}` : undefined;
  }

  /** The server asked first. */
  get server(): string {
    return this.settings.hosts[this.current] as string;
  }

  /**
   * GETs `{context}{path}` and reads the body with `read` (which throws on a body it cannot use,
   * so a server sending garbage counts as failing). Returns the value and the server that gave
   * it; throws EurekaUnavailableError when every server failed.
   */
  async get<T>(path: string, read: (body: unknown) => T, signal: AbortSignal): Promise<{ value: T; server: string }> {
    const attempts: EurekaAttempt[] = [];
    const hosts = this.settings.hosts;
    for (let i = 0; i < hosts.length; i += 1) {
      const index = (this.current + i) % hosts.length;
      const server = hosts[index] as string;
      this.stats.requests += 1;
      try {
        const value = read(await this.request(server, `${this.settings.context}${path}`, signal));
        this.current = index;
        return { value, server };
      } catch (err) {
        if (signal.aborted) throw err;
        this.stats.failures += 1;
        attempts.push({ server, error: err });
      }
    }
    // Start with the next server next time, as Eureka clients move on from a failing one.
    this.current = (this.current + 1) % hosts.length;
    throw new EurekaUnavailableError(`${this.settings.context}${path}`, attempts);
  }

  destroy(): void {
    this.agent.destroy();
  }

  private request(server: string, path: string, signal: AbortSignal): Promise<unknown> {
    const target = splitHostPort(server);
    if (!target) return Promise.reject(new Error(`"${server}" is not HOST:PORT`));
    const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Encoding': 'gzip' };
    if (this.authorization) headers.Authorization = this.authorization;
    const transport = this.settings.tls ? https : http;
    if (signal.aborted) return Promise.reject(new Error('stopped'));
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | undefined, value?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve(value);
      };
      const onAbort = (): void => finish(new Error('stopped'));
      const req = transport.request({ host: target.host, port: Number(target.port), path, method: 'GET', headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) finish(new Error(`the answer is larger than ${MAX_BODY_BYTES} bytes`));
          else chunks.push(chunk);
        });
        // A connection that closes mid-answer ends in 'error' ("aborted"), or only in 'close'.
        const cut = (): void => finish(new Error('the connection closed before the whole answer arrived'));
        res.on('error', (err) => (res.complete ? finish(err) : cut()));
        res.on('close', () => {
          if (!res.complete) cut();
        });
        res.on('end', () => {
          if (res.statusCode !== 200) {
            finish(new EurekaHttpError(res.statusCode ?? 0));
            return;
          }
          decode(Buffer.concat(chunks), res.headers['content-encoding']).then(
            (value) => finish(undefined, value),
            (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))),
          );
        });
      });
      const timer = setTimeout(() => finish(new Error(`no complete answer within ${this.settings.timeoutMs} ms`)), this.settings.timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err) => finish(err));
      req.end();
    });
  }
}

/** The body as JSON, gunzipped first when the server compressed it. */
async function decode(body: Buffer, encoding: string | undefined): Promise<unknown> {
  const raw = encoding?.toLowerCase() === 'gzip' ? await gunzipAsync(body, { maxOutputLength: MAX_BODY_BYTES }) : body;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new Error('the answer is not JSON (cut short, or not from Eureka)');
  }
}
