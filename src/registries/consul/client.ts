import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { InputError } from '../../errors.js';
import type { ConsulSettings } from './settings.js';

/** Consul's read consistency for one request. */
export type ReadMode = 'stale' | 'default' | 'consistent';

export interface BlockingOptions {
  index: number;
  waitMs: number;
  mode: ReadMode;
}

export interface ConsulReply {
  /** Decoded JSON body; undefined for a 404 on a key (the key does not exist). */
  readonly body: unknown;
  readonly index: number | undefined;
  readonly knownLeader: boolean;
  /** Milliseconds since the answering server last heard from the leader (stale reads). */
  readonly lastContactMs: number;
}

export type ConsulRequest =
  | { kind: 'health'; service: string; tag?: string; passingOnly: boolean; dc?: string; near?: string; filter?: string; nodeMeta?: string }
  | { kind: 'services'; dc?: string }
  | { kind: 'key'; key: string; dc?: string }
  | { kind: 'keys'; prefix: string; dc?: string }
  /** A KV entry as Consul stores it (Value decoded, plus Session, Flags, indexes). */
  | { kind: 'entry'; key: string; dc?: string };

/** A failed request, classified so the watch loop can report it well. Never carries the token. */
export class ConsulRequestError extends Error {
  override readonly name = 'ConsulRequestError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly aborted = false,
  ) {
    super(message);
  }
}

/** The subset of the untyped `consul` package this adapter uses. */
interface RawCall {
  (opts: Record<string, unknown>): Promise<unknown>;
}
interface PapiRequest {
  opts: { name?: string; query?: Record<string, string> };
}
interface RawConsul {
  _ext(event: 'onCreate', hook: (request: PapiRequest, next: () => void) => void): void;
  health: { service: RawCall };
  catalog: { service: { list: RawCall } };
  kv: { get: RawCall; set: RawCall };
  session: { create: RawCall; renew: RawCall; destroy: RawCall };
  destroy(): void;
}
interface RawResponse {
  statusCode?: number;
  headers?: Record<string, string | string[] | undefined>;
}
type ConsulConstructor = new (opts: Record<string, unknown>) => RawConsul;

const Consul = createRequire(import.meta.url)('consul') as ConsulConstructor;

function header(res: RawResponse | undefined, name: string): string | undefined {
  const value = res?.headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

function readCaPath(dir: string): Buffer[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new InputError(`cannot read the Consul CA directory (${(err as NodeJS.ErrnoException).code ?? 'error'})`, dir, 'check the CONSUL_CAPATH / --consul-ca-path setting');
  }
  return names.filter((f) => /\.(pem|crt)$/i.test(f)).map((f) => readTlsFile(join(dir, f), 'CA certificate') as Buffer);
}

function readTlsFile(path: string | undefined, what: string): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new InputError(`cannot read the Consul ${what} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, path, 'check the CONSUL_CACERT / CONSUL_CLIENT_CERT / CONSUL_CLIENT_KEY settings');
  }
}

/**
 * A small typed adapter over the `consul` npm client: one keep-alive agent shared by every watch,
 * TLS and ACL settings applied once, headers (index, leader contact) surfaced, errors classified.
 */
export class ConsulClient {
  private readonly raw: RawConsul;
  private readonly hasToken: boolean;

  constructor(settings: ConsulSettings, token: string | undefined) {
    this.hasToken = token !== undefined && token !== '';
    const secure = settings.scheme === 'https';
    const ca = [...(settings.tls.caPath ? readCaPath(settings.tls.caPath) : []), ...[readTlsFile(settings.tls.caCert, 'CA certificate')].filter((b): b is Buffer => b !== undefined)];
    const agent = secure
      ? new HttpsAgent({
          keepAlive: true,
          ...(ca.length > 0 ? { ca } : {}),
          cert: readTlsFile(settings.tls.clientCert, 'client certificate'),
          key: readTlsFile(settings.tls.clientKey, 'client key'),
          ...(settings.tls.serverName ? { servername: settings.tls.serverName } : {}),
          rejectUnauthorized: settings.tls.verify,
        })
      : new HttpAgent({ keepAlive: true });
    const auth = settings.auth ? `${encodeURIComponent(settings.auth.split(':')[0] ?? '')}:${encodeURIComponent(settings.auth.split(':').slice(1).join(':'))}@` : '';
    const baseUrl = settings.scheme === 'unix' ? 'http://localhost/v1' : `${secure ? 'https' : 'http'}://${auth}${settings.address}/v1`;
    this.raw = new Consul({
      baseUrl,
      agent,
      ...(settings.scheme === 'unix' ? { socketPath: settings.address } : {}),
      ...(token ? { defaults: { token } } : {}),
    });
    if (settings.cached && !settings.consistent) {
      // The client has no option for `?cached`: add it to health reads before the URL is built.
      this.raw._ext('onCreate', (request, next) => {
        if (request.opts.name === 'health.service') request.opts.query = { ...request.opts.query, cached: '' };
        next();
      });
    }
  }

  /** One (blocking) read. Resolves with the reply; rejects with ConsulRequestError. */
  async read(request: ConsulRequest, blocking: BlockingOptions, signal: AbortSignal): Promise<ConsulReply> {
    const ctx = Object.assign(new EventEmitter(), { includeResponse: true });
    const onAbort = (): void => void ctx.emit('cancel');
    signal.addEventListener('abort', onAbort, { once: true });
    const common: Record<string, unknown> = {
      ctx,
      index: String(blocking.index),
      wait: `${Math.max(1, Math.round(blocking.waitMs / 1000))}s`,
      // Consul answers a blocking query after wait + up to wait/16 of jitter: allow for that.
      timeout: Math.round(blocking.waitMs * 1.1) + 5000,
      ...(blocking.mode === 'stale' ? { stale: true } : blocking.mode === 'consistent' ? { consistent: true } : {}),
    };
    try {
      const result = await this.call(request, common);
      const [res, body] = Array.isArray(result) ? (result as [RawResponse, unknown]) : [undefined, result];
      this.refuseAclFiltered(request, res, body);
      const indexText = header(res, 'x-consul-index');
      const index = indexText === undefined ? undefined : Number(indexText);
      return {
        body,
        index: index === undefined || Number.isNaN(index) ? undefined : index,
        knownLeader: header(res, 'x-consul-knownleader') !== 'false',
        lastContactMs: Number(header(res, 'x-consul-lastcontact') ?? 0) || 0,
      };
    } catch (err) {
      throw classify(err, signal.aborted);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  destroy(): void {
    this.raw.destroy();
  }

  /** Creates a session (for a lock): TTL-based, its locks deleted when it is invalidated. */
  async createSession(name: string, ttlSeconds: number, lockDelaySeconds: number): Promise<string> {
    try {
      const body = (await this.raw.session.create({ name, ttl: `${ttlSeconds}s`, lockdelay: `${lockDelaySeconds}s`, behavior: 'delete' })) as { ID?: unknown };
      if (typeof body.ID !== 'string') throw new Error('Consul returned no session ID');
      return body.ID;
    } catch (err) {
      throw classify(err, false);
    }
  }

  /** Renews a session; false when Consul no longer knows it (expired or destroyed). */
  async renewSession(id: string): Promise<boolean> {
    try {
      await this.raw.session.renew({ id });
      return true;
    } catch (err) {
      const e = classify(err, false);
      if (e.status === 404) return false;
      throw e;
    }
  }

  async destroySession(id: string): Promise<void> {
    await this.raw.session.destroy({ id }).catch(() => undefined);
  }

  /** Writes a key; with `acquire`, only if the lock is free (returns whether it was written). */
  async put(key: string, value: string, options: { acquire?: string; release?: string } = {}): Promise<boolean> {
    try {
      const result = await this.raw.kv.set({ key, value, ...options });
      return result === true || result === 'true';
    } catch (err) {
      throw classify(err, false);
    }
  }

  /**
   * Consul answers a catalog read it may not show with 200 and less data, not with 403. Rendering
   * that would empty an upstream because of a token problem, so such answers are errors (and the
   * last good data stays): instances hidden by ACLs, and an empty answer to a request without a
   * token where Consul denies by default.
   */
  private refuseAclFiltered(request: ConsulRequest, res: RawResponse | undefined, body: unknown): void {
    if (request.kind !== 'health' && request.kind !== 'services') return;
    const empty = body === undefined || (Array.isArray(body) ? body.length === 0 : typeof body === 'object' && body !== null && Object.keys(body).length === 0);
    const filtered = header(res, 'x-consul-results-filtered-by-acls') === 'true';
    // A least-privilege token may see only some services; that listing is data, unless it is empty.
    if (filtered && (request.kind === 'health' || empty)) {
      throw new ConsulRequestError('permission denied: Consul hid results from this ACL token (it lacks service or node read access)', 403);
    }
    if (!this.hasToken && empty && header(res, 'x-consul-default-acl-policy') === 'deny') {
      throw new ConsulRequestError('permission denied: no ACL token is set and Consul denies by default (set CONSUL_HTTP_TOKEN_FILE or --consul-token-file)', 403);
    }
  }

  private call(request: ConsulRequest, common: Record<string, unknown>): Promise<unknown> {
    const dc = request.dc ? { dc: request.dc } : {};
    switch (request.kind) {
      case 'health':
        return this.raw.health.service({
          ...common,
          ...dc,
          service: request.service,
          ...(request.tag ? { tag: request.tag } : {}),
          ...(request.passingOnly ? { passing: true } : {}),
          ...(request.near ? { near: request.near } : {}),
          ...(request.filter ? { filter: request.filter } : {}),
          ...(request.nodeMeta ? { 'node-meta': request.nodeMeta } : {}),
        });
      case 'services':
        return this.raw.catalog.service.list({ ...common, ...dc });
      case 'key':
      case 'entry':
        return this.raw.kv.get({ ...common, ...dc, key: request.key });
      case 'keys':
        return this.raw.kv.get({ ...common, ...dc, key: request.prefix, recurse: true });
    }
  }
}

function classify(err: unknown, aborted: boolean): ConsulRequestError {
  const e = err as { message?: string; statusCode?: number; isAbort?: boolean; isTimeout?: boolean; isCodec?: boolean; code?: string; response?: RawResponse };
  if (aborted || e.isAbort) return new ConsulRequestError('request aborted', undefined, true);
  // A body that does not decode (a truncated reply) comes with the 200 it was sent with.
  if (e.isCodec || /^decode/.test(e.message ?? '') || err instanceof SyntaxError) return new ConsulRequestError('Consul sent a reply that is not valid JSON (truncated?)', undefined);
  const status = e.response?.statusCode ?? e.statusCode;
  if (status === 403) return new ConsulRequestError('permission denied (HTTP 403): the ACL token is missing or lacks read access', 403);
  if (status !== undefined) return new ConsulRequestError(`HTTP ${status}: ${(e.message ?? 'error').trim()}`, status);
  if (e.isTimeout) return new ConsulRequestError('request timed out', undefined);
  return new ConsulRequestError(e.code ? `${e.code}: ${e.message ?? ''}`.trim() : (e.message ?? String(err)), undefined);
}
