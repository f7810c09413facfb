/**
 * Whether the dependencies a template was still waiting for at its last render have all brought
 * data since (see SchedulerOptions.hasAllData). Asked at every arrival while a template waits for
 * its first data, so it resumes where the previous answer stopped: a thousand arrivals cost a
 * thousand lookups, not a million.
 */
export class Arrivals {
  /** Per list of missing ids (a new list at every render): how many of its first ids have arrived. */
  private readonly arrived = new WeakMap<readonly string[], number>();

  constructor(private readonly hasData: (id: string) => boolean) {}

  /**
   * `waiting`: what the last render lacked; `deps`: the dependencies it used. Entries that are not
   * dependencies (a key that does not exist yet) wait for their dependency's next change, which
   * arrives as data like any other.
   */
  complete(waiting: readonly string[], deps: ReadonlyMap<string, unknown>): boolean {
    let at = this.arrived.get(waiting) ?? 0;
    while (at < waiting.length) {
      const id = waiting[at] as string;
      if (deps.has(id) && !this.hasData(id)) break;
      at += 1;
    }
    this.arrived.set(waiting, at);
    return at === waiting.length;
  }
}
