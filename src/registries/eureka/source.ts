import { readFileSync } from 'node:fs';
import { selectInstances, summarizeServices } from '../../catalog/select.js';
import { deepFreeze, dependencyId, describeDependency, type Dependency, type DependencyValue } from '../../catalog/types.js';
import { InputError } from '../../errors.js';
import { Backoff, REGISTRY_BACKOFF, type BackoffPolicy } from '../../util/backoff.js';
import { sleep } from '../../util/sleep.js';
import { CONNECTION, SourceHealth } from '../health.js';
import type { Source, SourceSink, SourceStats } from '../source.js';
import { EurekaClient, EurekaHttpError, EurekaUnavailableError } from './client.js';
import { describeFailure } from './failure.js';
import { EurekaRegistry } from './registry.js';
import { describeEureka, readEurekaPassword, type EurekaSettings } from './settings.js';
import { parseApplications, type EurekaApplications } from './wire.js';

/** Distinct unreadable instances reported at most (each once); more are dropped silently. */
const MAX_SKIP_REPORTS = 1000;

export interface EurekaTiming {
  /** Retry policy after a failed fetch; its cap is lowered to the fetch interval. */
  readonly backoff: BackoffPolicy;
}

/**
 * Eureka behind the Source interface, reading the registry as a Eureka client does: one full
 * fetch of `{context}/apps`, then `{context}/apps/delta` every interval, applied to ctmpl's copy
 * and checked with Eureka's reconcile hashcode (a mismatch means a full fetch). Every dependency
 * is answered from that one copy, so no application can delay another. A full fetch is made
 * again after any failure and when another server of the peer group answers (its delta does not
 * continue another server's copy). A failed fetch is a problem of the whole source: the last
 * good data stays in use, an error is never an empty answer.
 */
export class EurekaSource implements Source {
  readonly live = true;
  readonly description: string;
  readonly stats: SourceStats = { requests: 0, failures: 0 };
  readonly health: SourceHealth;
  /** Full fetches made because a delta did not reconcile (hashcode mismatch), for tests and metrics. */
  reconciliations = 0;
  private sink: SourceSink | undefined;
  private client: EurekaClient | undefined;
  private readonly registry: EurekaRegistry;
  private readonly watched = new Map<string, Dependency>();
  /** What each dependency was last sent, as JSON: the same answer is not sent again. */
  private readonly delivered = new Map<string, string>();
  private readonly reportedSkips = new Set<string>();
  private readonly controller = new AbortController();
  private running: Promise<void> | undefined;
  /** The server the copy was fully fetched from; undefined until then and after a failure. */
  private copyFrom: string | undefined;
  private loaded = false;

  constructor(
    readonly name: string,
    private readonly settings: EurekaSettings,
    private readonly timing: EurekaTiming = { backoff: REGISTRY_BACKOFF },
  ) {
    this.description = describeEureka(settings);
    this.health = new SourceHealth(`Eureka at ${this.description}`, () => this.sink);
    this.registry = new EurekaRegistry(name);
  }

  /** Reads the password (and CA) files now, so a rotated password is picked up by a restart or SIGHUP. */
  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
    const password = readEurekaPassword(this.settings);
    let ca: Buffer | undefined;
    if (this.settings.caFile !== undefined) {
      try {
        ca = readFileSync(this.settings.caFile);
      } catch (err) {
        throw new InputError(`cannot read the Eureka CA certificate file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, this.settings.caFile, 'check ca_file= in the Eureka source URI');
      }
    }
    this.client = new EurekaClient(this.settings, { ...(password !== undefined ? { password } : {}), ...(ca ? { ca } : {}) }, this.stats);
    if (this.watched.size > 0) this.running = this.run(this.client);
  }

  watch(dep: Dependency): void {
    const id = dependencyId(dep);
    if (this.watched.has(id)) return;
    if (dep.kind === 'key' || dep.kind === 'keys') {
      this.health.report('no keys', id, `Eureka holds no keys and values: ${describeDependency(dep)} cannot be answered`);
      return;
    }
    this.watched.set(id, dep);
    // The registry is read only once something is watched, then for as long as the source runs.
    if (this.running === undefined && this.client !== undefined) this.running = this.run(this.client);
    else if (this.loaded) queueMicrotask(() => this.deliver(dep));
  }

  unwatch(dep: Dependency): void {
    const id = dependencyId(dep);
    this.watched.delete(id);
    this.delivered.delete(id);
    this.health.forget(id);
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
    this.client?.destroy();
  }

  private async run(client: EurekaClient): Promise<void> {
    const signal = this.controller.signal;
    const backoff = new Backoff({ ...this.timing.backoff, capMs: Math.min(this.timing.backoff.capMs, this.settings.intervalMs) });
    while (!signal.aborted) {
      let waitMs = this.settings.intervalMs;
      try {
        const changed = await this.refresh(client, signal);
        if (signal.aborted) return;
        backoff.reset();
        this.health.resolve(CONNECTION);
        if (changed || !this.loaded) {
          this.loaded = true;
          for (const dep of this.watched.values()) this.deliver(dep);
        }
      } catch (err) {
        if (signal.aborted) return;
        this.copyFrom = undefined;
        const { key, message } = describeFailure(err, this.settings);
        this.health.report(key, CONNECTION, `${message}; retrying with backoff, the last good data stays in use`, err);
        waitMs = backoff.next();
      }
      await sleep(waitMs, signal);
    }
  }

  /** One round: a delta when the copy can take one, else a full fetch. True when the copy changed. */
  private async refresh(client: EurekaClient, signal: AbortSignal): Promise<boolean> {
    if (this.copyFrom === undefined) return this.fetchAll(client, signal);
    let delta: { value: EurekaApplications; server: string };
    try {
      delta = await client.get('/apps/delta', parseApplications, signal);
    } catch (err) {
      // A server that answered but refused the delta (Eureka's disableDelta gives 403): a full
      // fetch, as Eureka clients fall back to. A server that did not answer is not asked twice.
      if (err instanceof EurekaUnavailableError && err.attempts.every((a) => isRefusal(a.error))) return this.fetchAll(client, signal);
      throw err;
    }
    if (delta.server !== this.copyFrom) return this.fetchAll(client, signal);
    this.reportSkipped(delta.value);
    const changed = this.registry.applyDelta(delta.value);
    if (delta.value.hashcode !== undefined && delta.value.hashcode === this.registry.hashcode()) return changed;
    // The copy drifted from the server's (a missed delta, a restarted server): start over.
    this.reconciliations += 1;
    return (await this.fetchAll(client, signal)) || changed;
  }

  private async fetchAll(client: EurekaClient, signal: AbortSignal): Promise<boolean> {
    const { value, server } = await client.get('/apps', parseApplications, signal);
    this.reportSkipped(value);
    this.copyFrom = server;
    return this.registry.replace(value);
  }

  private deliver(dep: Dependency): void {
    if (!this.loaded) return;
    const id = dependencyId(dep);
    if (!this.watched.has(id)) return;
    const value = this.valueOf(dep);
    if (value === undefined) return;
    const json = JSON.stringify(value);
    if (this.delivered.get(id) === json) return;
    this.delivered.set(id, json);
    this.sink?.data(dep, value);
  }

  private valueOf(dep: Dependency): DependencyValue | undefined {
    switch (dep.kind) {
      case 'service':
        return deepFreeze(selectInstances(this.registry.instancesOf(dep.name, this.settings.names), dep));
      case 'services':
        return deepFreeze(summarizeServices(this.registry.services(this.settings.names), dep.dc));
      default:
        return undefined;
    }
  }

  /** Instances Eureka sent that cannot be read at all: logged once each. */
  private reportSkipped(answer: EurekaApplications): void {
    for (const what of answer.skipped) {
      if (this.reportedSkips.has(what) || this.reportedSkips.size >= MAX_SKIP_REPORTS) continue;
      this.reportedSkips.add(what);
      this.sink?.error(`Eureka at ${this.description}: skipping ${what}`, undefined);
    }
  }
}

/** The server answered, with a status other than 200 (but not an authentication failure). */
function isRefusal(error: unknown): boolean {
  return error instanceof EurekaHttpError && error.status !== 401;
}
