/**
 * A scripted fake of Consul's HTTP API, for the faults a real agent will not show on demand:
 * bursts of 500 or 429, slow replies, truncated JSON, replies without X-Consul-Index, an index
 * that moves backwards, a follower that lags the leader.
 *
 * It serves GET /v1/health/service/:name, /v1/catalog/services and /v1/kv/... from a scriptable
 * state (an index and a body per path), honours blocking queries (`?index=N&wait=Xs`: the request
 * is held until the path's index moves past N, or moves backwards, or the wait elapses) and records
 * every request. Replies carry the headers of a real 1.22 agent: X-Consul-Index,
 * X-Consul-KnownLeader, X-Consul-LastContact, X-Consul-Default-Acl-Policy,
 * X-Consul-Effective-Consistency, X-Consul-Query-Backend, Content-Type application/json.
 *
 *   const fake = await startFakeConsul();            // closed when the test ends
 *   fake.setService('web', [{ id: 'web-1', address: '10.0.0.1', port: 80 }]);
 *   fake.inject(HEALTH('web'), { kind: 'status', status: 500 }, 3);   // the next 3 replies fail
 *   fake.setService('web', [...], { index: 7 });     // the index moves backwards
 *   fake.requestsFor(HEALTH('web'))                  // what the client asked, when, with which headers
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerCleanup } from './tmp.js';

/** One entry of /v1/health/service/:name, in Consul's shape (the fields ctmpl reads, and a few more). */
export interface HealthEntry {
  readonly Node: { readonly ID: string; readonly Node: string; readonly Address: string; readonly Datacenter: string; readonly Meta: Readonly<Record<string, string>> };
  readonly Service: {
    readonly ID: string;
    readonly Service: string;
    readonly Address: string;
    readonly Port: number;
    readonly Tags: readonly string[];
    readonly Meta: Readonly<Record<string, string>>;
  };
  readonly Checks: readonly {
    readonly Node: string;
    readonly CheckID: string;
    readonly Name: string;
    readonly Status: string;
    readonly ServiceID: string;
    readonly ServiceName: string;
  }[];
}

export type CheckStatus = 'passing' | 'warning' | 'critical';

export interface InstanceSpec {
  readonly id: string;
  readonly address: string;
  readonly port: number;
  readonly tags?: readonly string[];
  readonly meta?: Readonly<Record<string, string>>;
  /** Status of the instance's service check (the node's serfHealth check always passes). */
  readonly status?: CheckStatus;
  readonly node?: string;
  readonly datacenter?: string;
}

/** A health entry as Consul returns it: the node, the service, the node check and one service check. */
export function healthEntry(service: string, spec: InstanceSpec): HealthEntry {
  const node = spec.node ?? `node-${spec.id}`;
  return {
    Node: { ID: `00000000-0000-0000-0000-${String(node.length).padStart(12, '0')}`, Node: node, Address: spec.address, Datacenter: spec.datacenter ?? 'dc1', Meta: {} },
    Service: { ID: spec.id, Service: service, Address: spec.address, Port: spec.port, Tags: spec.tags ?? [], Meta: spec.meta ?? {} },
    Checks: [
      { Node: node, CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing', ServiceID: '', ServiceName: '' },
      { Node: node, CheckID: `service:${spec.id}`, Name: `Service '${service}' check`, Status: spec.status ?? 'passing', ServiceID: spec.id, ServiceName: service },
    ],
  };
}

/** What to do to a path's replies instead of (or on top of) answering normally. */
export type Fault =
  /** Reply with this status and a text/plain body, no X-Consul-Index: at once, and to queries held when it is injected. */
  | { readonly kind: 'status'; readonly status: number; readonly body?: string }
  /** Hold the request this long before handling it (then block as usual). */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Send half of the JSON body (well framed: Content-Length matches what is sent). */
  | { readonly kind: 'truncate' }
  /** Leave out X-Consul-Index (and answer at once, as endpoints without an index do). */
  | { readonly kind: 'omitIndex' }
  /** Answer at once, ignoring ?index and ?wait (a proxy that breaks blocking). */
  | { readonly kind: 'noBlock' }
  /** Report this much lag behind the leader (X-Consul-LastContact) on replies to `?stale` reads (only those use it up). */
  | { readonly kind: 'lastContact'; readonly ms: number }
  /** Mark the reply X-Consul-Results-Filtered-By-ACLs: true (Consul hid entries the token may not read). */
  | { readonly kind: 'aclFiltered' };

export interface FaultHandle {
  readonly fault: Fault;
  /** Requests it has applied to so far. */
  readonly used: number;
  /** Requests it will still apply to. */
  readonly remaining: number;
  clear(): void;
}

export interface RecordedReply {
  readonly time: number;
  readonly status: number;
  /** The X-Consul-Index sent; undefined when none was. */
  readonly index: number | undefined;
  /** The kinds of the faults applied to this request. */
  readonly faults: readonly Fault['kind'][];
}

export interface RecordedRequest {
  readonly seq: number;
  readonly method: string;
  /** Path without the query, e.g. /v1/health/service/web. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  /** Date.now() when it arrived. */
  readonly time: number;
  /** Set once answered (undefined while held, or when the connection went away). */
  reply: RecordedReply | undefined;
}

export const HEALTH = (service: string): string => `/v1/health/service/${service}`;
export const CATALOG_SERVICES = '/v1/catalog/services';
export const KV = (key: string): string => `/v1/kv/${key}`;

interface Resource {
  index: number;
  body: unknown;
}

interface ActiveFault {
  readonly fault: Fault;
  remaining: number;
  used: number;
}

interface Waiter {
  readonly path: string;
  /** The path's index when the request arrived. */
  readonly startIndex: number;
  readonly minIndex: number;
  wake(): void;
}

/** Consul's duration syntax for `wait` (`500ms`, `1s`, `5m`), or a bare number of seconds. */
function parseWait(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (!match) return undefined;
  const n = Number(match[1]);
  const unit = match[2] ?? 's';
  return n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
}

function allPassing(entry: HealthEntry): boolean {
  return entry.Checks.every((c) => c.Status === 'passing');
}

export interface FakeConsulOptions {
  /** Longest a blocking query is held, whatever `wait` asks (Consul's own default is 5 min). */
  readonly maxWaitMs?: number;
  /** X-Consul-Default-Acl-Policy on every reply (a dev agent without ACLs says allow). */
  readonly defaultAclPolicy?: 'allow' | 'deny';
}

export class FakeConsul {
  /** Every request, in order of arrival. */
  readonly requests: RecordedRequest[] = [];
  private readonly resources = new Map<string, Resource>();
  private readonly kv = new Map<string, { value: string; createIndex: number; modifyIndex: number }>();
  private kvIndex = 1;
  private clock = 10;
  private readonly faults = new Map<string, ActiveFault[]>();
  private readonly waiters = new Set<Waiter>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly maxWaitMs: number;
  private readonly defaultAclPolicy: 'allow' | 'deny';
  private closed = false;

  private constructor(
    private readonly server: Server,
    options: FakeConsulOptions,
  ) {
    this.maxWaitMs = options.maxWaitMs ?? 10_000;
    this.defaultAclPolicy = options.defaultAclPolicy ?? 'allow';
    this.resources.set(CATALOG_SERVICES, { index: this.clock, body: {} });
  }

  /** Starts a fake on a free 127.0.0.1 port; it is closed when the test (or file) ends. */
  static async start(options: FakeConsulOptions = {}): Promise<FakeConsul> {
    const server = createServer();
    // Go's net/http (Consul) keeps idle connections open; Node's default 5 s would race the client.
    server.keepAliveTimeout = 65_000;
    const fake = new FakeConsul(server, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => fake.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    registerCleanup(() => fake.close());
    return fake;
  }

  /** host:port, for --consul-addr. */
  get address(): string {
    const info = this.server.address() as AddressInfo;
    return `127.0.0.1:${info.port}`;
  }

  /** Current index of a path. */
  indexOf(path: string): number {
    if (path.startsWith('/v1/kv/')) return this.kvIndex;
    return this.resources.get(path)?.index ?? this.clock;
  }

  /**
   * Sets a path's body. Without `index` the path gets the next index of a monotonic clock; with
   * one, exactly that index, which may be lower than before (a snapshot restore, a new leader):
   * requests held on the path are then answered at once, as Consul abandons them.
   */
  set(path: string, body: unknown, options: { index?: number } = {}): number {
    const index = options.index ?? ++this.clock;
    this.resources.set(path, { index, body });
    this.notify();
    return index;
  }

  /** The same body at a new index (a change elsewhere in the service, invisible to ctmpl). */
  touch(path: string): number {
    return this.set(path, this.resources.get(path)?.body ?? this.defaultBody(path));
  }

  /** Sets a service's instances; /v1/catalog/services follows when names or tags change. */
  setService(name: string, instances: readonly InstanceSpec[], options: { index?: number } = {}): number {
    const index = this.set(HEALTH(name), instances.map((i) => healthEntry(name, i)), options);
    const catalog: Record<string, string[]> = {};
    for (const [path, resource] of this.resources) {
      if (!path.startsWith('/v1/health/service/')) continue;
      const entries = resource.body as HealthEntry[];
      if (!Array.isArray(entries) || entries.length === 0) continue;
      catalog[path.slice('/v1/health/service/'.length)] = [...new Set(entries.flatMap((e) => e.Service.Tags))].sort();
    }
    const current = this.resources.get(CATALOG_SERVICES);
    if (JSON.stringify(current?.body) !== JSON.stringify(catalog)) this.set(CATALOG_SERVICES, catalog);
    return index;
  }

  setKey(key: string, value: string): void {
    this.kvIndex = Math.max(this.kvIndex, this.clock) + 1;
    this.clock = this.kvIndex;
    const existing = this.kv.get(key);
    this.kv.set(key, { value, createIndex: existing?.createIndex ?? this.kvIndex, modifyIndex: this.kvIndex });
    this.notify();
  }

  deleteKey(key: string): void {
    if (!this.kv.delete(key)) return;
    this.kvIndex = Math.max(this.kvIndex, this.clock) + 1;
    this.clock = this.kvIndex;
    this.notify();
  }

  /** Applies `fault` to the next `times` requests of `path` (every request until cleared by default). */
  inject(path: string, fault: Fault, times = Number.POSITIVE_INFINITY): FaultHandle {
    const active: ActiveFault = { fault, remaining: times, used: 0 };
    this.faults.set(path, [...(this.faults.get(path) ?? []), active]);
    // An agent that starts failing fails the queries it holds too, not only the next ones.
    if (fault.kind === 'status') for (const waiter of [...this.waiters]) if (waiter.path === path) waiter.wake();
    const faults = this.faults;
    return {
      fault,
      get used() {
        return active.used;
      },
      get remaining() {
        return active.remaining;
      },
      clear() {
        active.remaining = 0;
        faults.set(path, (faults.get(path) ?? []).filter((f) => f !== active));
      },
    };
  }

  clearFaults(path?: string): void {
    if (path === undefined) this.faults.clear();
    else this.faults.delete(path);
  }

  /** Requests of one path (every path when omitted), optionally only those arrived at or after `since`. */
  requestsFor(path?: string, since = 0): RecordedRequest[] {
    return this.requests.filter((r) => (path === undefined || r.path === path) && r.time >= since);
  }

  /** Requests of a path being held right now (blocking or delayed). */
  pending(path: string): number {
    return this.requests.filter((r) => r.path === path && r.reply === undefined).length;
  }

  /** Answered requests of a path whose reply had the given fault. */
  faulted(path: string, kind: Fault['kind']): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path && r.reply?.faults.includes(kind));
  }

  /** Stops listening, drops held requests and connections. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.waiters.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) {
      const index = this.indexOf(waiter.path);
      // Consul answers when the index moves past the one asked for, or abandons the query when
      // the state went backwards (the client then has to reset its index).
      if (index > waiter.minIndex || index < waiter.startIndex) waiter.wake();
    }
  }

  private defaultBody(path: string): unknown {
    if (path.startsWith('/v1/health/service/')) return [];
    if (path === CATALOG_SERVICES) return {};
    return undefined;
  }

  /** Takes one use of every active fault of `path` whose kind is in `kinds`. */
  private take(path: string, kinds: readonly Fault['kind'][]): Fault[] {
    const taken: Fault[] = [];
    const list = this.faults.get(path) ?? [];
    for (const active of list) {
      if (!kinds.includes(active.fault.kind) || active.remaining <= 0) continue;
      // Only one status fault per reply.
      if (active.fault.kind === 'status' && taken.some((f) => f.kind === 'status')) continue;
      active.remaining -= 1;
      active.used += 1;
      taken.push(active.fault);
    }
    this.faults.set(
      path,
      list.filter((f) => f.remaining > 0),
    );
    return taken;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    // The path as sent, decoded: URL would resolve a `.` or `%2E` segment away, as Consul does not.
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    const record: RecordedRequest = {
      seq: this.requests.length + 1,
      method: req.method ?? 'GET',
      path: decodeURIComponent(rawPath),
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      time: Date.now(),
      reply: undefined,
    };
    this.requests.push(record);
    void this.answer(record, res).catch(() => res.destroy());
  }

  private async answer(record: RecordedRequest, res: ServerResponse): Promise<void> {
    const path = record.path;
    const known = record.method === 'GET' && (path.startsWith('/v1/health/service/') || path === CATALOG_SERVICES || path.startsWith('/v1/kv/'));
    if (!known) {
      this.reply(record, res, 404, { 'Content-Type': 'text/plain; charset=utf-8' }, `fake consul: no handler for ${record.method} ${path}\n`, undefined, []);
      return;
    }
    const early = this.take(path, ['delay', 'noBlock']);
    const delay = Math.max(0, ...early.map((f) => (f.kind === 'delay' ? f.ms : 0)));
    if (delay > 0) await this.sleep(delay);
    if (this.closed || res.destroyed) return;

    const minIndex = Number(record.query.index ?? '0');
    const wait = Math.min(parseWait(record.query.wait) ?? 300_000, this.maxWaitMs);
    // Faults that answer at once do so before blocking: Consul fails a query straight away.
    const faults = [...early, ...this.take(path, ['status', 'omitIndex'])];
    const blocking = Number.isFinite(minIndex) && minIndex > 0 && !faults.some((f) => f.kind === 'noBlock' || f.kind === 'status' || f.kind === 'omitIndex');
    if (blocking && this.indexOf(path) <= minIndex) {
      await new Promise<void>((resolve) => {
        const waiter: Waiter = {
          path,
          startIndex: this.indexOf(path),
          minIndex,
          wake: () => {
            this.waiters.delete(waiter);
            clearTimeout(timer);
            this.timers.delete(timer);
            resolve();
          },
        };
        const timer = setTimeout(() => waiter.wake(), wait);
        this.timers.add(timer);
        this.waiters.add(waiter);
        res.once('close', () => waiter.wake());
      });
      if (this.closed || res.destroyed) return;
      // A status fault injected while the query was held fails it (inject wakes held queries).
      faults.push(...this.take(path, ['status']));
    }
    const stale = record.query.stale !== undefined;
    faults.push(...this.take(path, stale ? ['truncate', 'aclFiltered', 'lastContact'] : ['truncate', 'aclFiltered']));
    const applied = faults.map((f) => f.kind);
    const status = faults.find((f): f is Extract<Fault, { kind: 'status' }> => f.kind === 'status');
    if (status) {
      const body = status.body ?? (status.status === 429 ? 'Your IP is issuing too many concurrent connections, please rate limit your calls\n' : `fake consul: injected HTTP ${status.status}\n`);
      this.reply(record, res, status.status, { 'Content-Type': 'text/plain; charset=utf-8' }, body, undefined, applied);
      return;
    }

    const { status: code, body } = this.read(path, record.query);
    const index = faults.some((f) => f.kind === 'omitIndex') ? undefined : this.indexOf(path);
    const lag = faults.find((f): f is Extract<Fault, { kind: 'lastContact' }> => f.kind === 'lastContact');
    // The headers of a real 1.22 agent (a KV 404 has no body and no Content-Type).
    const headers: Record<string, string> = {
      ...(code === 200 ? { 'Content-Type': 'application/json' } : {}),
      'X-Consul-Default-Acl-Policy': this.defaultAclPolicy,
      'X-Consul-KnownLeader': 'true',
      'X-Consul-Query-Backend': 'blocking-query',
      'X-Consul-LastContact': String(lag ? lag.ms : 0),
      'X-Consul-Effective-Consistency': stale ? 'stale' : record.query.consistent !== undefined ? 'consistent' : 'leader',
    };
    if (index !== undefined) headers['X-Consul-Index'] = String(index);
    if (faults.some((f) => f.kind === 'aclFiltered')) headers['X-Consul-Results-Filtered-By-ACLs'] = 'true';
    let text = body === undefined ? '' : JSON.stringify(body);
    if (faults.some((f) => f.kind === 'truncate') && text.length > 1) text = text.slice(0, Math.floor(text.length / 2));
    this.reply(record, res, code, headers, text, index, applied);
  }

  /** The current answer for a path, with the query's filters applied as Consul applies them. */
  private read(path: string, query: Readonly<Record<string, string>>): { status: number; body: unknown } {
    if (path.startsWith('/v1/kv/')) {
      const key = path.slice('/v1/kv/'.length);
      const entries = [...this.kv]
        .filter(([k]) => (query.recurse !== undefined ? k.startsWith(key) : k === key))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => ({ LockIndex: 0, Key: k, Flags: 0, Value: Buffer.from(v.value).toString('base64'), CreateIndex: v.createIndex, ModifyIndex: v.modifyIndex }));
      return entries.length === 0 ? { status: 404, body: undefined } : { status: 200, body: entries };
    }
    const body = this.resources.get(path)?.body ?? this.defaultBody(path);
    if (path.startsWith('/v1/health/service/') && Array.isArray(body)) {
      let entries = body as HealthEntry[];
      if (query.passing !== undefined && query.passing !== 'false' && query.passing !== '0') entries = entries.filter(allPassing);
      if (query.tag !== undefined) entries = entries.filter((e) => e.Service.Tags.includes(query.tag as string));
      return { status: 200, body: entries };
    }
    return { status: 200, body };
  }

  private reply(
    record: RecordedRequest,
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: string,
    index: number | undefined,
    faults: readonly Fault['kind'][],
  ): void {
    if (res.destroyed) return;
    const bytes = Buffer.from(body);
    res.writeHead(status, { ...headers, 'Content-Length': String(bytes.length) });
    res.end(bytes);
    record.reply = { time: Date.now(), status, index, faults: [...faults] };
  }
}

/** Starts a fake Consul (see FakeConsul). */
export function startFakeConsul(options: FakeConsulOptions = {}): Promise<FakeConsul> {
  return FakeConsul.start(options);
}
