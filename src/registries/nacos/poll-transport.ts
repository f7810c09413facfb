import { backoffDelay } from '../../util/backoff.js';
import { sleep } from '../../util/sleep.js';
import { NacosAuthError } from './auth.js';
import { NacosHttpError, NacosUnreachable } from './http.js';
import { parseServiceInfo, serviceListPage } from './messages.js';
import { groupedName, type ServiceKey } from './normalize.js';
import { allPages, describeKey, refusalHint, SERVICE_PAGE_SIZE, type NacosTransport, type TransportContext } from './transport.js';

interface Poll {
  readonly controller: AbortController;
  readonly running: Promise<void>;
}

/**
 * The Nacos 1.x open API, polled: one loop per service, all in parallel, each asking
 * `/v1/ns/instance/list` (with `healthyOnly=false`, so unhealthy instances are seen as such) every
 * poll_interval, and again with backoff after a failure. Used where gRPC is unavailable
 * (Nacos 1.x, a gRPC port that cannot be reached) or when `transport=http` asks for it.
 */
export class PollTransport implements NacosTransport {
  readonly kind = 'http';
  private readonly polls = new Map<string, Poll>();

  constructor(private readonly context: TransportContext) {}

  subscribe(key: ServiceKey): void {
    const id = groupedName(key);
    if (this.polls.has(id)) return;
    const controller = new AbortController();
    this.polls.set(id, { controller, running: this.loop(key, controller.signal) });
  }

  unsubscribe(key: ServiceKey): void {
    const id = groupedName(key);
    this.polls.get(id)?.controller.abort();
    this.polls.delete(id);
  }

  async listServices(): Promise<string[]> {
    const { settings } = this.context;
    return allPages(async (pageNo) =>
      serviceListPage(
        await this.get('v1/ns/service/list', { pageNo: String(pageNo), pageSize: String(SERVICE_PAGE_SIZE), namespaceId: settings.namespace, groupName: settings.group }),
      ),
    );
  }

  async stop(): Promise<void> {
    const polls = [...this.polls.values()];
    this.polls.clear();
    for (const poll of polls) poll.controller.abort();
    await Promise.all(polls.map((p) => p.running));
  }

  /** A GET with the accessToken (when the source logs in); a refused token is dropped for the next try. */
  private async get(path: string, params: Record<string, string>): Promise<unknown> {
    const token = await this.context.login.accessToken();
    try {
      return await this.context.http.request('GET', path, params, token);
    } catch (err) {
      if (err instanceof NacosHttpError && err.status === 403) this.context.login.invalidate();
      throw err;
    }
  }

  private async loop(key: ServiceKey, signal: AbortSignal): Promise<void> {
    const { settings, events, timing } = this.context;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const body = await this.get('v1/ns/instance/list', {
          // Nacos 2.x wants the grouped name here (1.x accepts both).
          serviceName: groupedName(key),
          groupName: key.group,
          namespaceId: settings.namespace,
          clusters: settings.clusters.join(','),
          healthyOnly: 'false',
        });
        if (signal.aborted) return;
        events.connected(`HTTP ${settings.hosts.join(',')}`);
        events.service(key, parseServiceInfo(body, describeKey(key)));
        failures = 0;
      } catch (err) {
        if (signal.aborted) return;
        failures += 1;
        const failure = err instanceof Error ? err : new Error(String(err));
        const refused = failure instanceof NacosHttpError && failure.status === 403;
        if (failure instanceof NacosUnreachable || failure instanceof NacosAuthError) events.disconnected(failure);
        else events.serviceFailed(key, new Error(`reading ${describeKey(key)} failed: ${failure.message}${refused ? `; ${refusalHint(this.context.login)}` : ''}`));
      }
      await sleep(failures === 0 ? settings.pollIntervalMs : Math.min(settings.pollIntervalMs, backoffDelay(failures, timing.backoff)), signal);
    }
  }
}
