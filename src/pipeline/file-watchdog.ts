import { access } from 'node:fs/promises';
import type { Logger } from '../observe/log.js';
import type { TemplateUnit } from '../template/unit.js';
import type { Clock, Timer } from '../util/clock.js';

/**
 * A rendered file someone deleted is written again: every `everyMs` each rendered template's
 * destination is looked for; a missing one is reported (its health says "file missing") and the
 * template renders again, which writes it and runs its command.
 */
export class FileWatchdog {
  private timer: Timer | undefined;
  private stopped = false;

  constructor(
    private readonly units: () => readonly TemplateUnit[],
    private readonly missing: (unit: TemplateUnit) => void,
    private readonly clock: Clock,
    private readonly everyMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = this.clock.setTimeout(() => void this.check(), this.everyMs);
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
  }

  private async check(): Promise<void> {
    for (const unit of this.units()) {
      if (!unit.rendered || this.stopped) continue;
      try {
        await access(unit.name);
      } catch {
        this.log.warn({ destination: unit.name }, `${unit.name} is missing; writing it again`);
        this.missing(unit);
      }
    }
    if (!this.stopped) this.start();
  }
}
