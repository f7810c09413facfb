import { QueryBackends, type HealthRead } from './backend.js';
import { ConsulHttp, HttpFailure, statusText, type ConsulHeaders, type HttpReply } from './http.js';
import { agentNodeName, reachableDatacenters } from './node-reads.js';
import { decodeJson, Reply, type ConsulReply } from './reply.js';
import { basePath, ConsulRequestError, keyPath, MODE_QUERY, type BlockingOptions, type ConsulRequest } from './request.js';
import { Slots } from './slots.js';
import type { ConsulSettings } from './settings.js';

export type { ConsulReply } from './reply.js';
export { ConsulRequestError, type BlockingOptions, type ConsulRequest, type ReadMode } from './request.js';

export interface ConsulClientOptions {
  /**
   * At most this many non-blocking reads (a watch's first read, or its first after a failure)
   * in flight at once: a thousand watches starting together do not open a thousand connections
   * in the same instant, and a slow answer holds one slot, not the others. Blocking reads are
   * not limited (each waits for a change by design).
   */
  readonly firstReadConcurrency?: number;
  /** A first read still unanswered after this long gives its slot back: one slow service never holds up the others. */
  readonly slowFirstReadMs?: number;
  /** Told once per query when a blocking health read is answered without streaming (see QueryBackends). */
  readonly fellBack?: (message: string, request: HealthRead) => void;
}

/** Writes and session calls: a local agent answers in milliseconds; this only ends a hung connection. */
const WRITE_TIMEOUT_MS = 30_000;
const DEFAULT_FIRST_READS = 64;
const DEFAULT_SLOW_FIRST_READ_MS = 1000;

/**
 * Consul's HTTP API as ctmpl uses it: blocking reads of health, the service list and KV, and the
 * session and lock calls of dedup mode. One keep-alive connection pool for every watch of a
 * source; headers (index, leader contact, query backend) surfaced; errors classified; the body of
 * an answer whose index did not move is never decoded.
 */
export class ConsulClient {
  /** Which backend answers each watched health query (for metrics and the fallback warning). */
  readonly backends: QueryBackends;
  private readonly http: ConsulHttp;
  private readonly hasToken: boolean;
  private readonly cached: boolean;
  private readonly paths = new WeakMap<ConsulRequest, string>();
  /** The last reply to each request (see Reply.release). */
  private readonly lastReply = new WeakMap<ConsulRequest, Reply>();
  private readonly firstReads: Slots;
  private readonly slowFirstReadMs: number;
  private role: Promise<'server' | 'client' | undefined> | undefined;
  private nodeName: string | undefined;

  constructor(settings: ConsulSettings, token: string | undefined, options: ConsulClientOptions = {}) {
    this.hasToken = token !== undefined && token !== '';
    this.http = new ConsulHttp(settings, token);
    this.cached = settings.cached && !settings.consistent;
    this.firstReads = new Slots(options.firstReadConcurrency ?? DEFAULT_FIRST_READS);
    this.slowFirstReadMs = options.slowFirstReadMs ?? DEFAULT_SLOW_FIRST_READ_MS;
    this.backends = new QueryBackends(() => this.agentRole(), options.fellBack);
  }

  /** One (blocking) read. Resolves with the reply; rejects with ConsulRequestError. */
  async read(request: ConsulRequest, blocking: BlockingOptions, signal: AbortSignal): Promise<ConsulReply> {
    if (request.kind === 'node' && request.name === undefined) {
      // The agent's node name is asked once; a failure is retried by the watch like any read.
      this.nodeName ??= await agentNodeName(this.http, signal, (m, status) => new ConsulRequestError(m, status)).catch((err: unknown) => Promise.reject(classify(err, signal.aborted)));
      return this.read({ ...request, name: this.nodeName }, blocking, signal);
    }
    if (request.kind === 'datacenters' && request.ignoreFailing) return reachableDatacenters((r, b, s) => this.read(r, b, s), blocking, signal);
    let path = this.paths.get(request);
    if (path === undefined) {
      path = basePath(request, this.cached);
      this.paths.set(request, path);
    }
    // Consul answers a blocking query after wait + up to wait/16 of jitter: allow for that.
    const timeoutMs = Math.round(blocking.waitMs * 1.1) + 5000;
    const url = `${path}${MODE_QUERY[blocking.mode]}index=${blocking.index}&wait=${Math.max(1, Math.round(blocking.waitMs / 1000))}s`;
    // The previous answer to this request has been used by now: let its body go before waiting.
    this.lastReply.get(request)?.release();
    let release: (() => void) | undefined;
    let slow: NodeJS.Timeout | undefined;
    let answer: HttpReply;
    try {
      if (blocking.index === 0) {
        await this.firstReads.take(signal);
        let held = true;
        release = () => {
          if (held) this.firstReads.give();
          held = false;
        };
        slow = setTimeout(release, this.slowFirstReadMs);
      }
      answer = await this.http.request('GET', url, { timeoutMs, signal });
    } catch (err) {
      throw classify(err, signal.aborted);
    } finally {
      clearTimeout(slow);
      release?.();
    }
    if (answer.status === 404 && request.kind !== 'health' && request.kind !== 'services') {
      const missing = new Reply(request, 404, answer.headers, answer.body);
      this.lastReply.set(request, missing);
      return missing;
    }
    if (answer.status < 200 || answer.status > 299) throw statusError(answer);
    const reply = new Reply(request, answer.status, answer.headers, answer.body);
    this.lastReply.set(request, reply);
    this.refuseAclFiltered(request, answer.headers, reply);
    if (request.kind === 'health' && blocking.index > 0) this.backends.record(request, reply.backend);
    return reply;
  }

  /** Whether the agent ctmpl talks to is a server or a client agent (undefined when the token may not read /v1/agent/self). */
  agentRole(): Promise<'server' | 'client' | undefined> {
    this.role ??= this.http.request('GET', '/v1/agent/self', { timeoutMs: WRITE_TIMEOUT_MS }).then(
      (answer) => {
        if (answer.status !== 200) return undefined;
        const server = (decodeJson(answer.body) as { Config?: { Server?: unknown } } | null)?.Config?.Server;
        return typeof server === 'boolean' ? (server ? 'server' : 'client') : undefined;
      },
      () => undefined,
    );
    return this.role;
  }

  destroy(): void {
    this.http.destroy();
  }

  /** Creates a session (for a lock): TTL-based, its locks deleted when it is invalidated. */
  async createSession(name: string, ttlSeconds: number, lockDelaySeconds: number): Promise<string> {
    const answer = await this.write('/v1/session/create', JSON.stringify({ LockDelay: `${lockDelaySeconds}s`, Name: name, Behavior: 'delete', TTL: `${ttlSeconds}s` }), 'application/json');
    const body = decodeJson(answer.body) as { ID?: unknown } | null;
    if (typeof body?.ID !== 'string') throw new ConsulRequestError('Consul returned no session ID', undefined);
    return body.ID;
  }

  /** Renews a session; false when Consul no longer knows it (expired or destroyed). */
  async renewSession(id: string): Promise<boolean> {
    try {
      await this.write(`/v1/session/renew/${encodeURIComponent(id)}`);
      return true;
    } catch (err) {
      if (err instanceof ConsulRequestError && err.status === 404) return false;
      throw err;
    }
  }

  async destroySession(id: string): Promise<void> {
    await this.write(`/v1/session/destroy/${encodeURIComponent(id)}`).catch(() => undefined);
  }

  /** Writes a key; with `acquire`, only if the lock is free (returns whether it was written). */
  async put(key: string, value: string, options: { acquire?: string; release?: string } = {}): Promise<boolean> {
    const query = [options.acquire === undefined ? '' : `acquire=${encodeURIComponent(options.acquire)}`, options.release === undefined ? '' : `release=${encodeURIComponent(options.release)}`].filter((q) => q !== '');
    const answer = await this.write(`/v1/kv/${keyPath(key)}${query.length > 0 ? `?${query.join('&')}` : ''}`, value, 'text/plain; charset=utf-8');
    return answer.body.toString('utf8').trim() === 'true';
  }

  private async write(path: string, body = '', contentType?: string): Promise<HttpReply> {
    let answer: HttpReply;
    try {
      answer = await this.http.request('PUT', path, { timeoutMs: WRITE_TIMEOUT_MS, body, ...(contentType ? { contentType } : {}) });
    } catch (err) {
      throw classify(err, false);
    }
    if (answer.status < 200 || answer.status > 299) throw statusError(answer);
    return answer;
  }

  /**
   * Consul answers a catalog read it may not show with 200 and less data, not with 403. Rendering
   * that would empty an upstream because of a token problem, so such answers are errors (and the
   * last good data stays): instances hidden by ACLs, and an empty answer to a request without a
   * token where Consul denies by default.
   */
  private refuseAclFiltered(request: ConsulRequest, headers: ConsulHeaders, reply: Reply): void {
    if (request.kind !== 'health' && request.kind !== 'services') return;
    const filtered = headers.filteredByAcls === 'true';
    const denyWithoutToken = !this.hasToken && headers.defaultAclPolicy === 'deny';
    if (!filtered && !denyWithoutToken) return;
    const empty = reply.empty;
    // A least-privilege token may see only some services; that listing is data, unless it is empty.
    if (filtered && (request.kind === 'health' || empty)) {
      throw new ConsulRequestError('permission denied: Consul hid results from this ACL token (it lacks service or node read access)', 403);
    }
    if (denyWithoutToken && empty) {
      throw new ConsulRequestError('permission denied: no ACL token is set and Consul denies by default (set CONSUL_HTTP_TOKEN_FILE or --consul-token-file)', 403);
    }
  }
}

function statusError(answer: HttpReply): ConsulRequestError {
  if (answer.status === 403) return new ConsulRequestError('permission denied (HTTP 403): the ACL token is missing or lacks read access', 403);
  return new ConsulRequestError(`HTTP ${answer.status}: ${statusText(answer)}`, answer.status);
}

function classify(err: unknown, aborted: boolean): ConsulRequestError {
  if (err instanceof ConsulRequestError) return err;
  if (aborted || (err instanceof HttpFailure && err.kind === 'aborted')) return new ConsulRequestError('request aborted', undefined, true);
  return new ConsulRequestError(err instanceof Error ? err.message : String(err), undefined);
}
