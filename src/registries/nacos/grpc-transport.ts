import { Backoff, backoffDelay } from '../../util/backoff.js';
import { sleep } from '../../util/sleep.js';
import { NacosAuthError } from './auth.js';
import { NacosConnection, NacosGrpcError } from './connection.js';
import { NacosUnreachable } from './http.js';
import { FORBIDDEN, NacosResponseError, notifyPush, okResponse, parseServiceInfo, requests, serverRequestId, serviceListPage, subscribeAnswer, type NacosServiceInfo } from './messages.js';
import { groupedName, keyOfServiceInfo, type ServiceKey } from './normalize.js';
import type { NacosMessage } from './proto.js';
import { grpcAddressOf } from './settings.js';
import { allPages, describeKey, refusalHint, SERVICE_PAGE_SIZE, type NacosTransport, type TransportContext } from './transport.js';

interface Subscription {
  readonly key: ServiceKey;
  /** lastRefTime of the data last passed on over this connection: an older answer (a late subscribe reply after a push) is dropped. */
  lastRefTime: number;
  failures: number;
  /** The connection a subscribe request is running on, so one is never sent twice. */
  pending: NacosConnection | undefined;
  retry: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Nacos 2.x over gRPC with server push. Connects to one server at a time (round robin on
 * failure), subscribes every service in parallel — each with its own deadline and retries, so a
 * slow or failing one never holds up another — answers pushes, keeps the connection checked with
 * HealthCheckRequest, and after any loss reconnects with backoff and subscribes everything again.
 */
export class GrpcTransport implements NacosTransport {
  readonly kind = 'grpc';
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly controller = new AbortController();
  private connection: NacosConnection | undefined;
  /** Ends the current connection's life: called with why (or undefined for a requested reconnect). */
  private endConnection: ((why: Error | undefined) => void) | undefined;
  private hostIndex = 0;
  private readonly running: Promise<void>;

  constructor(
    private readonly context: TransportContext,
    private readonly clientVersion: string,
  ) {
    this.running = this.loop();
  }

  subscribe(key: ServiceKey): void {
    const id = groupedName(key);
    if (this.subscriptions.has(id)) return;
    const subscription: Subscription = { key, lastRefTime: 0, failures: 0, pending: undefined, retry: undefined };
    this.subscriptions.set(id, subscription);
    if (this.connection) void this.subscribeOne(subscription, this.connection);
  }

  unsubscribe(key: ServiceKey): void {
    const id = groupedName(key);
    const subscription = this.subscriptions.get(id);
    if (!subscription) return;
    clearTimeout(subscription.retry);
    this.subscriptions.delete(id);
    const { settings } = this.context;
    // Best effort: the server also forgets the subscription when the connection ends.
    this.connection?.request('SubscribeServiceRequest', requests.subscribe(settings.namespace, key.group, key.name, settings.clusters, false)).catch(() => undefined);
  }

  async listServices(): Promise<string[]> {
    const connection = this.connection;
    if (!connection) throw new NacosUnreachable('not connected to Nacos');
    const { settings } = this.context;
    return allPages(async (pageNo) => serviceListPage(await connection.request('ServiceListRequest', requests.serviceList(settings.namespace, settings.group, pageNo, SERVICE_PAGE_SIZE))));
  }

  async stop(): Promise<void> {
    this.controller.abort();
    for (const s of this.subscriptions.values()) clearTimeout(s.retry);
    this.endConnection?.(undefined);
    await this.running;
  }

  private async loop(): Promise<void> {
    const { settings, timing, events } = this.context;
    const signal = this.controller.signal;
    const backoff = new Backoff(timing.backoff);
    while (!signal.aborted) {
      const httpHost = settings.hosts[this.hostIndex % settings.hosts.length] as string;
      const { host, port } = grpcAddressOf(httpHost, settings);
      let connection: NacosConnection;
      try {
        connection = await NacosConnection.open({
          host,
          port,
          namespace: settings.namespace,
          timeoutMs: settings.timeoutMs,
          clientVersion: this.clientVersion,
          token: () => this.context.login.accessToken(),
          onServerRequest: (message, from) => this.onServerRequest(message, from),
          onClose: (err) => this.endConnection?.(err),
        });
      } catch (err) {
        if (signal.aborted) return;
        this.hostIndex += 1;
        events.disconnected(new Error(`cannot connect to Nacos gRPC at ${host}:${port}: ${errorText(err)}`));
        await sleep(backoff.next(), signal);
        continue;
      }
      if (signal.aborted) {
        connection.close();
        return;
      }
      const openedAt = Date.now();
      const why = await this.live(connection);
      connection.close();
      this.connection = undefined;
      for (const s of this.subscriptions.values()) clearTimeout(s.retry);
      if (signal.aborted) return;
      if (why === undefined) {
        // The server asked for a reconnect: no problem to report; a short pause so a server that
        // keeps asking cannot make a hot loop.
        await sleep(timing.backoff.baseMs, signal);
        continue;
      }
      this.hostIndex += 1;
      events.disconnected(new Error(`lost the Nacos gRPC connection to ${connection.address}: ${why.message}`));
      // A connection that dies right after it opened is a failure like any other (no hot loop).
      if (Date.now() - openedAt >= 2 * timing.keepaliveMs) backoff.reset();
      await sleep(backoff.next(), signal);
    }
  }

  /** Runs a connection until it is lost; resolves with why (undefined: reconnect requested or stopping). */
  private live(connection: NacosConnection): Promise<Error | undefined> {
    const { timing, events } = this.context;
    return new Promise((resolve) => {
      const alive = new AbortController();
      this.endConnection = (why) => {
        this.endConnection = undefined;
        alive.abort();
        resolve(why);
      };
      this.connection = connection;
      events.connected(connection.address);
      for (const subscription of this.subscriptions.values()) {
        // Order matters within one connection only: another server's clock may be behind.
        subscription.lastRefTime = 0;
        void this.subscribeOne(subscription, connection);
      }
      void (async () => {
        while (!alive.signal.aborted) {
          await sleep(timing.keepaliveMs, alive.signal);
          if (alive.signal.aborted) return;
          try {
            await connection.request('HealthCheckRequest', requests.healthCheck(), { auth: false });
          } catch (err) {
            this.endConnection?.(new Error(`no answer to the health check (${errorText(err)})`));
          }
        }
      })();
    });
  }

  private async subscribeOne(subscription: Subscription, connection: NacosConnection): Promise<void> {
    if (subscription.pending === connection) return;
    subscription.pending = connection;
    clearTimeout(subscription.retry);
    const { settings, events, timing, login } = this.context;
    const { key } = subscription;
    const current = (): boolean => this.connection === connection && this.subscriptions.get(groupedName(key)) === subscription;
    try {
      const body = await connection.request('SubscribeServiceRequest', requests.subscribe(settings.namespace, key.group, key.name, settings.clusters, true));
      if (!current()) return;
      subscription.failures = 0;
      this.accept(subscription, subscribeAnswer(body, describeKey(key)));
    } catch (err) {
      if (!current()) return;
      if (err instanceof NacosGrpcError && err.connectionLost) {
        this.endConnection?.(err);
        return;
      }
      const refused = err instanceof NacosResponseError && err.code === FORBIDDEN;
      if (refused) login.invalidate();
      subscription.failures += 1;
      const failure = err instanceof Error ? err : new Error(String(err));
      if (failure instanceof NacosAuthError) events.disconnected(failure);
      else events.serviceFailed(key, new Error(`subscribing to ${describeKey(key)} failed: ${failure.message}${refused ? `; ${refusalHint(login)}` : ''}`));
      subscription.retry = setTimeout(() => {
        if (current()) void this.subscribeOne(subscription, connection);
      }, backoffDelay(subscription.failures, timing.backoff));
    } finally {
      if (subscription.pending === connection) subscription.pending = undefined;
    }
  }

  private accept(subscription: Subscription, info: NacosServiceInfo): void {
    const refTime = info.lastRefTime ?? 0;
    if (refTime > 0 && refTime < subscription.lastRefTime) return;
    subscription.lastRefTime = Math.max(refTime, subscription.lastRefTime);
    this.context.events.service(subscription.key, info);
  }

  private onServerRequest(message: NacosMessage, connection: NacosConnection): void {
    const requestId = serverRequestId(message.body);
    switch (message.type) {
      case 'NotifySubscriberRequest': {
        void connection.respond('NotifySubscriberResponse', okResponse(requestId));
        if (connection !== this.connection) return;
        let push: { serviceInfo: unknown };
        try {
          push = notifyPush(message.body);
        } catch {
          return;
        }
        const raw = push.serviceInfo as { name?: string | null; groupName?: string | null } | null;
        const key = raw && typeof raw === 'object' ? keyOfServiceInfo(raw) : undefined;
        const subscription = key && this.subscriptions.get(groupedName(key));
        if (!key || !subscription) return; // a service no longer watched
        try {
          this.accept(subscription, parseServiceInfo(push.serviceInfo, describeKey(key)));
        } catch (err) {
          this.context.events.serviceFailed(key, err instanceof Error ? err : new Error(String(err)));
        }
        return;
      }
      case 'ClientDetectionRequest':
        void connection.respond('ClientDetectionResponse', okResponse(requestId));
        return;
      case 'ConnectResetRequest':
        // The server moves clients between its nodes: answer, then reconnect at once.
        void connection.respond('ConnectResetResponse', okResponse(requestId)).then(() => {
          if (connection === this.connection) this.endConnection?.(undefined);
        });
        return;
      default:
      // Other server requests (config pushes, ability negotiation) concern features ctmpl does not use.
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
