import { readdirSync, readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, STATUS_CODES, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { InputError } from '../../errors.js';
import type { ConsulSettings } from './settings.js';

/** The Consul headers ctmpl reads, taken from the raw header list (no header object is built). */
export interface ConsulHeaders {
  index: string | undefined;
  knownLeader: string | undefined;
  lastContact: string | undefined;
  /** X-Consul-Query-Backend: `streaming` or `blocking-query`. */
  queryBackend: string | undefined;
  filteredByAcls: string | undefined;
  defaultAclPolicy: string | undefined;
  contentType: string | undefined;
}

/** One answer: status, the headers above and the body as it came (decoding is the caller's choice). */
export interface HttpReply {
  readonly status: number;
  readonly headers: ConsulHeaders;
  readonly body: Buffer;
}

/** A transport failure (no answer): refused, reset, timed out or aborted. Never carries the token. */
export class HttpFailure extends Error {
  override readonly name = 'HttpFailure';
  constructor(
    message: string,
    readonly kind: 'aborted' | 'timeout' | 'network',
  ) {
    super(message);
  }
}

const HEADER_FIELDS: Readonly<Record<string, keyof ConsulHeaders>> = {
  'x-consul-index': 'index',
  'x-consul-knownleader': 'knownLeader',
  'x-consul-lastcontact': 'lastContact',
  'x-consul-query-backend': 'queryBackend',
  'x-consul-results-filtered-by-acls': 'filteredByAcls',
  'x-consul-default-acl-policy': 'defaultAclPolicy',
  'content-type': 'contentType',
};

function readHeaders(raw: readonly string[]): ConsulHeaders {
  const out: ConsulHeaders = { index: undefined, knownLeader: undefined, lastContact: undefined, queryBackend: undefined, filteredByAcls: undefined, defaultAclPolicy: undefined, contentType: undefined };
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const field = HEADER_FIELDS[(raw[i] as string).toLowerCase()];
    if (field !== undefined && out[field] === undefined) out[field] = raw[i + 1];
  }
  return out;
}

function readTlsFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new InputError(`cannot read the Consul ${what} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, path, 'check the CONSUL_CACERT / CONSUL_CLIENT_CERT / CONSUL_CLIENT_KEY settings');
  }
}

function readCaPath(dir: string): Buffer[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new InputError(`cannot read the Consul CA directory (${(err as NodeJS.ErrnoException).code ?? 'error'})`, dir, 'check the CONSUL_CAPATH / --consul-ca-path setting');
  }
  return names.filter((f) => /\.(pem|crt)$/i.test(f)).map((f) => readTlsFile(join(dir, f), 'CA certificate'));
}

/**
 * Node's own HTTP client with one keep-alive agent for every request to one Consul agent: TLS,
 * basic auth and the ACL token applied once; per request only the path, a timer and the body
 * chunks. Blocking queries hold a connection each, so the agent has no socket limit; idle
 * sockets are kept for reuse (a watch asks again within ~100 ms of an answer).
 */
export class ConsulHttp {
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;
  private readonly base: RequestOptions;
  private readonly headers: Readonly<Record<string, string>>;

  constructor(settings: Pick<ConsulSettings, 'address' | 'scheme' | 'auth' | 'tls'>, token: string | undefined) {
    const secure = settings.scheme === 'https';
    const { tls } = settings;
    const ca = [...(tls.caPath ? readCaPath(tls.caPath) : []), ...(tls.caCert ? [readTlsFile(tls.caCert, 'CA certificate')] : [])];
    this.agent = secure
      ? new HttpsAgent({
          keepAlive: true,
          scheduling: 'lifo',
          ...(ca.length > 0 ? { ca } : {}),
          ...(tls.clientCert ? { cert: readTlsFile(tls.clientCert, 'client certificate') } : {}),
          ...(tls.clientKey ? { key: readTlsFile(tls.clientKey, 'client key') } : {}),
          ...(tls.serverName ? { servername: tls.serverName } : {}),
          rejectUnauthorized: tls.verify,
        })
      : new HttpAgent({ keepAlive: true, scheduling: 'lifo' });
    this.send = secure ? httpsRequest : httpRequest;
    if (settings.scheme === 'unix') {
      this.base = { socketPath: settings.address, agent: this.agent };
    } else {
      const { hostname, port } = new URL(`http://${settings.address}`);
      this.base = { host: hostname.replace(/^\[(.*)\]$/, '$1'), port: port === '' ? (secure ? 443 : 80) : Number(port), agent: this.agent };
    }
    const headers: Record<string, string> = {};
    if (token) headers['x-consul-token'] = token;
    if (settings.auth) headers.authorization = `Basic ${Buffer.from(settings.auth).toString('base64')}`;
    this.headers = headers;
  }

  /**
   * One request; resolves with any HTTP answer (the caller judges the status), rejects with
   * HttpFailure when there is none. `pathAndQuery` starts with /v1/.
   */
  request(method: 'GET' | 'PUT', pathAndQuery: string, options: { timeoutMs: number; signal?: AbortSignal; body?: string; contentType?: string }): Promise<HttpReply> {
    const { signal, body, timeoutMs } = options;
    if (signal?.aborted) return Promise.reject(new HttpFailure('request aborted', 'aborted'));
    return new Promise<HttpReply>((resolve, reject) => {
      let failure: HttpFailure | undefined;
      let settled = false;
      const headers = body === undefined ? this.headers : { ...this.headers, ...(options.contentType ? { 'content-type': options.contentType } : {}), 'content-length': String(Buffer.byteLength(body)) };
      const req = this.send({ ...this.base, method, path: pathAndQuery, headers });
      const settle = (outcome: { reply: HttpReply } | { error: HttpFailure }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if ('reply' in outcome) resolve(outcome.reply);
        else reject(outcome.error);
      };
      const fail = (why: HttpFailure): void => {
        failure ??= why;
        req.destroy(why);
        settle({ error: failure });
      };
      const onAbort = (): void => fail(new HttpFailure('request aborted', 'aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => fail(new HttpFailure(`request timed out (${timeoutMs} ms)`, 'timeout')), timeoutMs);
      const broken = (err: NodeJS.ErrnoException): void => settle({ error: failure ?? new HttpFailure(err.code ? `${err.code}: ${err.message}` : err.message, 'network') });
      req.on('error', broken);
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', broken);
        res.on('close', () => {
          if (!res.complete) broken(Object.assign(new Error('connection closed before the reply was complete'), { code: 'ECONNRESET' }));
        });
        res.on('end', () => settle({ reply: { status: res.statusCode ?? 0, headers: readHeaders(res.rawHeaders), body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) } }));
      });
      req.end(body);
    });
  }

  /** Closes idle keep-alive connections (in-flight requests are aborted by their signals). */
  destroy(): void {
    this.agent.destroy();
  }
}

/** A short description of an HTTP error answer: its text when it is short plain text, else the status text. */
export function statusText(reply: HttpReply): string {
  const text = reply.headers.contentType?.startsWith('text/plain') && reply.body.length < 200 ? reply.body.toString('utf8').trim() : '';
  return text !== '' ? text : (STATUS_CODES[reply.status]?.toLowerCase() ?? `request failed: ${reply.status}`);
}
