import type { RecordWithTtl, SrvRecord } from 'node:dns';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { compareInstances, selectInstances } from '../../catalog/select.js';
import { makeInstance } from '../../catalog/instance.js';
import { dependencyId, deepFreeze, type Dependency, type Instance } from '../../catalog/types.js';
import { sleep } from '../../util/sleep.js';
import { describeDns, type DnsSettings } from './settings.js';
import { isHostAddress, portText } from '../../util/address.js';
import { backoffDelay, REGISTRY_BACKOFF, type BackoffPolicy } from '../../util/backoff.js';
import { SourceHealth } from '../health.js';
import type { Source, SourceSink, SourceStats } from '../source.js';

/** Answers that mean "no such records": an empty service, not a failure. */
const NO_RECORDS = new Set(['ENOTFOUND', 'ENODATA']);

function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : err instanceof Error ? err.message : String(err);
}

/** One SRV name being resolved again and again. */
interface Lookup {
  readonly name: string;
  readonly controller: AbortController;
  running: Promise<void>;
  instances: readonly Instance[] | undefined;
}

export interface ResolvedService {
  readonly instances: Instance[];
  /** Smallest TTL seen among the address records (seconds), if any. */
  readonly ttl: number | undefined;
}

/** What resolving needs of a resolver (node's dns.promises Resolver; tests pass a scripted one). */
export interface SrvResolver {
  resolveSrv(name: string): Promise<SrvRecord[]>;
  resolve4(name: string, options: { ttl: true }): Promise<RecordWithTtl[]>;
  resolve6(name: string, options: { ttl: true }): Promise<RecordWithTtl[]>;
}

/**
 * Resolves `name` (an SRV name such as `_http._tcp.web.example`) into instances: one per SRV
 * target address and port (A and AAAA records of the target; the target name itself when it has
 * none). An SRV target "." (the service is decidedly not available) and a name without SRV
 * records are an empty service; any other failure throws, so the last data stays in use.
 */
export async function resolveService(resolver: SrvResolver, name: string, source: string): Promise<ResolvedService> {
  let records;
  try {
    records = await resolver.resolveSrv(name);
  } catch (err) {
    if (NO_RECORDS.has(errorCode(err))) return { instances: [], ttl: undefined };
    throw err;
  }
  const byId = new Map<string, Instance>();
  let ttl: number | undefined;
  for (const record of records) {
    const target = record.name.replace(/\.$/, '');
    const port = portText(record.port);
    if (target === '' || port === undefined || !isHostAddress(target)) continue;
    let addresses: string[];
    if (isIP(target)) addresses = [target];
    else {
      const found: string[] = [];
      for (const family of ['resolve4', 'resolve6'] as const) {
        try {
          for (const a of await resolver[family](target, { ttl: true })) {
            found.push(a.address);
            ttl = ttl === undefined ? a.ttl : Math.min(ttl, a.ttl);
          }
        } catch (err) {
          if (!NO_RECORDS.has(errorCode(err))) throw err;
        }
      }
      addresses = found.length > 0 ? found : [target];
    }
    for (const address of addresses) {
      const id = `${address}:${port}`;
      if (byId.has(id)) continue;
      byId.set(id, makeInstance({
        ID: id,
        Name: name,
        Node: target,
        Address: address,
        Port: port,
        Tags: [],
        Meta: { priority: String(record.priority), weight: String(record.weight), target },
        Status: 'passing',
        Datacenter: '',
        Source: source,
      }));
    }
  }
  return { instances: [...byId.values()].sort(compareInstances), ttl };
}

/**
 * DNS SRV behind the Source interface: `(service "_http._tcp.web.example")` resolves the SRV
 * records and their targets' addresses, and resolves them again after the records' TTL, kept
 * within min_ttl and max_ttl. Node's resolver does not report the SRV record's own TTL, so the
 * targets' address TTL is used (min_ttl when there is none). A failing resolver is retried with
 * backoff and the last answer stays in use; NXDOMAIN or no SRV records is an empty service.
 */
export class DnsSource implements Source {
  readonly live = true;
  readonly description: string;
  private sink: SourceSink | undefined;
  private readonly resolver: Resolver;
  readonly health: SourceHealth;
  readonly stats: SourceStats = { requests: 0, failures: 0 };
  private readonly watched = new Map<string, Dependency>();
  private readonly lookups = new Map<string, Lookup>();

  constructor(
    readonly name: string,
    private readonly settings: DnsSettings,
    private readonly backoff: BackoffPolicy = { ...REGISTRY_BACKOFF, capMs: Math.min(REGISTRY_BACKOFF.capMs, settings.maxTtlMs) },
  ) {
    this.description = describeDns(settings);
    this.health = new SourceHealth(`DNS ${this.description}`, () => this.sink);
    this.resolver = new Resolver({ timeout: settings.timeoutMs, tries: 2 });
    if (settings.server !== undefined) this.resolver.setServers([settings.server]);
  }

  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
  }

  watch(dep: Dependency): void {
    const id = dependencyId(dep);
    if (this.watched.has(id)) return;
    if (dep.kind !== 'service') {
      this.sink?.error(`DNS ${this.description}: only service lookups are supported (no services list, no keys)`, undefined);
      return;
    }
    this.watched.set(id, dep);
    const lookup = this.lookups.get(dep.name);
    if (!lookup) {
      const controller = new AbortController();
      const created: Lookup = { name: dep.name, controller, running: Promise.resolve(), instances: undefined };
      this.lookups.set(dep.name, created);
      created.running = this.loop(created);
    } else if (lookup.instances !== undefined) {
      queueMicrotask(() => this.deliver(lookup));
    }
  }

  unwatch(dep: Dependency): void {
    this.watched.delete(dependencyId(dep));
    if (dep.kind !== 'service') return;
    if ([...this.watched.values()].some((d) => d.kind === 'service' && d.name === dep.name)) return;
    const lookup = this.lookups.get(dep.name);
    this.lookups.delete(dep.name);
    this.health.forget(dep.name);
    lookup?.controller.abort();
  }

  async stop(): Promise<void> {
    const lookups = [...this.lookups.values()];
    this.lookups.clear();
    for (const lookup of lookups) lookup.controller.abort();
    this.resolver.cancel();
    await Promise.all(lookups.map((l) => l.running));
  }

  private async loop(lookup: Lookup): Promise<void> {
    const signal = lookup.controller.signal;
    let failures = 0;
    while (!signal.aborted) {
      let waitMs: number;
      try {
        this.stats.requests += 1;
        const resolved = await resolveService(this.resolver, lookup.name, this.name);
        if (signal.aborted) return;
        failures = 0;
        this.health.resolve(lookup.name);
        lookup.instances = deepFreeze(resolved.instances);
        this.deliver(lookup);
        const ttlMs = resolved.ttl === undefined ? this.settings.minTtlMs : resolved.ttl * 1000;
        waitMs = Math.min(this.settings.maxTtlMs, Math.max(this.settings.minTtlMs, ttlMs));
      } catch (err) {
        if (signal.aborted) return;
        failures += 1;
        this.stats.failures += 1;
        const code = errorCode(err);
        this.health.report(`resolving failed (${code})`, lookup.name, `resolving SRV "${lookup.name}" failed (${code}); retrying with backoff, the last answer stays in use`);
        waitMs = backoffDelay(failures, this.backoff);
      }
      await sleep(waitMs, signal);
    }
  }

  private deliver(lookup: Lookup): void {
    if (lookup.instances === undefined) return;
    for (const dep of this.watched.values()) {
      if (dep.kind === 'service' && dep.name === lookup.name) this.sink?.data(dep, deepFreeze(selectInstances(lookup.instances, dep)));
    }
  }
}
