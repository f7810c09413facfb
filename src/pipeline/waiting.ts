import { describeDependency } from '../catalog/types.js';
import type { Logger } from '../observe/log.js';
import type { TemplateUnit } from '../template/unit.js';
import type { Clock, Timer } from '../util/clock.js';

/**
 * Feedback a person expects: after the first pass, one line per template saying what it waits
 * for; if it still waits after a while, a warning naming the dependencies that have no data.
 */
export class WaitingReporter {
  private readonly reported = new Set<TemplateUnit>();
  private readonly timers: Timer[] = [];

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly warnAfterMs: number,
    private readonly hasData: (id: string) => boolean,
  ) {}

  report(units: readonly TemplateUnit[]): void {
    for (const unit of units) {
      if (unit.rendered || this.reported.has(unit)) continue;
      this.reported.add(unit);
      const waitingFor = unit.waiting.map((w) => {
        const dep = unit.deps.get(w);
        return dep ? describeDependency(dep) : w;
      });
      this.log.info({ template: unit.config.source, destination: unit.name, waitingFor }, `waiting for ${waitingFor.join(', ')}`);
      this.timers.push(
        this.clock.setTimeout(() => {
          if (unit.rendered) return;
          const missing = [...unit.deps.keys()].filter((id) => !this.hasData(id));
          this.log.warn(
            { template: unit.config.source, destination: unit.name, missing, waitingFor: unit.waiting },
            `still waiting after ${this.warnAfterMs / 1000} s: ${missing.length > 0 ? `no data yet for ${missing.join(', ')}` : unit.waiting.join(', ')}`,
          );
        }, this.warnAfterMs),
      );
    }
  }

  stop(): void {
    for (const timer of this.timers) this.clock.clearTimeout(timer);
  }
}
