import { REGISTRY_BACKOFF, type BackoffPolicy } from '../../util/backoff.js';
import type { NacosLogin } from './auth.js';
import type { NacosHttp } from './http.js';
import type { NacosServiceInfo } from './messages.js';
import type { ServiceKey } from './normalize.js';
import type { NacosSettings } from './settings.js';

/** What a transport tells the source. The source keeps each service's last data through all of it. */
export interface TransportEvents {
  /** A service's full instance list: a subscribe answer, a push or a poll. */
  service(key: ServiceKey, info: NacosServiceInfo): void;
  /** One service could not be subscribed or read; the connection itself works. */
  serviceFailed(key: ServiceKey, err: Error): void;
  /** Nacos answers (again), at `address`. */
  connected(address: string): void;
  /** No Nacos server answers, or the login is refused: every service keeps its last data. */
  disconnected(err: Error): void;
}

/** One way of reading Nacos: gRPC push or HTTP polling. */
export interface NacosTransport {
  readonly kind: 'grpc' | 'http';
  /** Starts delivering `key`'s instances (in parallel with every other service). */
  subscribe(key: ServiceKey): void;
  unsubscribe(key: ServiceKey): void;
  /** Every service name of the namespace and group, plain (paged through). */
  listServices(): Promise<string[]>;
  stop(): Promise<void>;
}

/** Timing of the Nacos source; tests shrink it. */
export interface NacosTiming {
  /** gRPC: a HealthCheckRequest this often; one without an answer ends the connection. */
  readonly keepaliveMs: number;
  /** auto: how often a source that fell back to polling tries gRPC again. */
  readonly grpcRetryMs: number;
  /** Reconnects and retried subscriptions. */
  readonly backoff: BackoffPolicy;
  /** A refused login is not tried again for this long (Nacos rate-limits logins per user). */
  readonly loginRetryMs: number;
}

export const DEFAULT_NACOS_TIMING: NacosTiming = { keepaliveMs: 5000, grpcRetryMs: 60_000, backoff: REGISTRY_BACKOFF, loginRetryMs: 5000 };

/** What every transport is built from. */
export interface TransportContext {
  readonly settings: NacosSettings;
  readonly http: NacosHttp;
  readonly login: NacosLogin;
  readonly timing: NacosTiming;
  readonly events: TransportEvents;
}

/** Page size of service lists (Nacos caps a page at 500 on some versions). */
export const SERVICE_PAGE_SIZE = 500;
/** A list longer than this many pages is refused rather than paged forever. */
export const MAX_SERVICE_PAGES = 200;

/** Pages through a service list: `page(n)` returns page n (from 1) and the total count. */
export async function allPages(page: (pageNo: number) => Promise<{ count: number; names: string[] }>): Promise<string[]> {
  const names = new Set<string>();
  for (let pageNo = 1; pageNo <= MAX_SERVICE_PAGES; pageNo++) {
    const answer = await page(pageNo);
    for (const name of answer.names) names.add(name);
    if (answer.names.length === 0 || names.size >= answer.count) return [...names];
  }
  throw new Error(`the service list is longer than ${MAX_SERVICE_PAGES} pages of ${SERVICE_PAGE_SIZE}`);
}

/** Why a request was refused (403), with what to do: log in, or check what the user may read. */
export function refusalHint(login: NacosLogin): string {
  return login.user === undefined
    ? 'Nacos wants a login: put USER@ before the servers and add password_file=PATH'
    : `logging in as "${login.user}" again; if this lasts, check what that user may read in this namespace`;
}

/** `web` or `GROUP@@web` as a person reads it in a log line. */
export function describeKey(key: ServiceKey): string {
  return `"${key.name}" (group ${key.group})`;
}
