import { compareStrings } from '../../catalog/select.js';
import type { Instance } from '../../catalog/types.js';
import { toInstance, vipAddressesOf } from './normalize.js';
import type { EurekaNames } from './settings.js';
import type { EurekaApplications, EurekaInstanceRecord } from './wire.js';

interface Entry {
  readonly record: EurekaInstanceRecord;
  readonly instance: Instance;
  /** The instance as JSON: an entry whose fingerprint is unchanged is no change. */
  readonly fingerprint: string;
}

interface Application {
  /** As Eureka last reported it. */
  name: string;
  readonly entries: Map<string, Entry>;
}

/** A name's instances, under the name's spelling in the registry. */
interface Group {
  readonly name: string;
  readonly instances: Instance[];
}

/** Eureka's lookups ignore case (it upper-cases app names and VIP addresses with Locale.ROOT). */
function keyOf(name: string): string {
  return name.toUpperCase();
}

/**
 * ctmpl's copy of a Eureka registry, as a Eureka client keeps one: replaced by a full fetch,
 * updated by deltas, checked against the server with Eureka's reconcile hashcode. Instances that
 * Eureka holds count in the hashcode even when ctmpl cannot use them.
 */
export class EurekaRegistry {
  /** Upper-cased application name → application. */
  private apps = new Map<string, Application>();
  /** Upper-cased name → instances, per kind of name; rebuilt after a change. */
  private readonly groups = new Map<EurekaNames, Map<string, Group>>();

  constructor(private readonly source: string) {}

  /** Replaces the whole registry with a full fetch. True when anything differs from before. */
  replace(answer: EurekaApplications): boolean {
    const next = new Map<string, Application>();
    for (const record of answer.instances) this.put(next, record);
    const changed = !sameApplications(this.apps, next);
    if (changed) {
      this.apps = next;
      this.groups.clear();
    }
    return changed;
  }

  /**
   * Applies a delta as Eureka clients do: ADDED and MODIFIED put the instance (creating its
   * application), DELETED removes it (and an application left without instances). The delta
   * repeats the last few minutes of changes, so most of it is usually known already: only a
   * real difference counts. True when anything changed.
   */
  applyDelta(delta: EurekaApplications): boolean {
    let changed = false;
    for (const record of delta.instances) {
      if (record.action === 'ADDED' || record.action === 'MODIFIED') changed = this.put(this.apps, record) || changed;
      else if (record.action === 'DELETED') changed = this.remove(record) || changed;
    }
    if (changed) this.groups.clear();
    return changed;
  }

  /**
   * Eureka's reconcile hashcode (Applications.getReconcileHashCode): for each status, in the
   * order of the names, `STATUS_COUNT_`; "" for an empty registry.
   */
  hashcode(): string {
    const counts = new Map<string, number>();
    for (const app of this.apps.values()) for (const entry of app.entries.values()) counts.set(entry.record.status, (counts.get(entry.record.status) ?? 0) + 1);
    return [...counts.keys()]
      .sort(compareStrings)
      .map((status) => `${status}_${counts.get(status) ?? 0}_`)
      .join('');
  }

  /** Every instance under `name` (an application or VIP address, per `names`), whatever the case. */
  instancesOf(name: string, names: EurekaNames): readonly Instance[] {
    return this.grouped(names).get(keyOf(name))?.instances ?? [];
  }

  /** Each name (application or VIP address) with its instances, for `(services)`. */
  services(names: EurekaNames): Map<string, readonly Instance[]> {
    return new Map([...this.grouped(names).values()].map((g) => [g.name, g.instances]));
  }

  /** Instances held (usable or not). */
  get size(): number {
    let n = 0;
    for (const app of this.apps.values()) n += app.entries.size;
    return n;
  }

  private put(apps: Map<string, Application>, record: EurekaInstanceRecord): boolean {
    const key = keyOf(record.app);
    let app = apps.get(key);
    if (!app) {
      app = { name: record.app, entries: new Map() };
      apps.set(key, app);
    }
    const renamed = app.name !== record.app;
    app.name = record.app;
    const instance = toInstance(record, this.source);
    const fingerprint = JSON.stringify(instance);
    const before = app.entries.get(record.id);
    app.entries.set(record.id, { record, instance, fingerprint });
    return renamed || before?.fingerprint !== fingerprint;
  }

  private remove(record: EurekaInstanceRecord): boolean {
    const key = keyOf(record.app);
    const app = this.apps.get(key);
    if (!app?.entries.delete(record.id)) return false;
    if (app.entries.size === 0) this.apps.delete(key);
    return true;
  }

  private grouped(names: EurekaNames): Map<string, Group> {
    const cached = this.groups.get(names);
    if (cached) return cached;
    const byKey = new Map<string, { spellings: Set<string>; instances: Instance[] }>();
    for (const app of this.apps.values()) {
      for (const entry of app.entries.values()) {
        const keys = names === 'app' ? [app.name] : vipAddressesOf(entry.record, names === 'secure_vip');
        for (const name of keys) {
          const group = byKey.get(keyOf(name)) ?? { spellings: new Set<string>(), instances: [] };
          group.spellings.add(name);
          group.instances.push(entry.instance);
          byKey.set(keyOf(name), group);
        }
      }
    }
    // One spelling per name, the same whatever order the server listed instances in.
    const groups = new Map([...byKey].map(([key, g]) => [key, { name: [...g.spellings].sort(compareStrings)[0] ?? key, instances: g.instances }]));
    this.groups.set(names, groups);
    return groups;
  }
}

function sameApplications(a: ReadonlyMap<string, Application>, b: ReadonlyMap<string, Application>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, appA] of a) {
    const appB = b.get(key);
    if (!appB || appA.name !== appB.name || appA.entries.size !== appB.entries.size) return false;
    for (const [id, entry] of appA.entries) if (appB.entries.get(id)?.fingerprint !== entry.fingerprint) return false;
  }
  return true;
}
