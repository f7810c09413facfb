import type { Logger } from '../observe/log.js';
import type { Source } from '../registries/source.js';
import type { TemplateUnit } from '../template/unit.js';

export interface OnceCounts {
  readonly filesChanged: number;
  readonly commandsRun: number;
}

/**
 * --once bookkeeping: which templates failed (render, check, write), whether a command failed,
 * and when the run is over — every template rendered or failed, or waits on data that cannot
 * arrive any more. Then it logs the summary and gives the exit code.
 */
export class OnceTracker {
  private readonly failed = new Set<TemplateUnit>();
  private commandFailed = false;

  constructor(
    private readonly log: Logger,
    private readonly dry: boolean,
  ) {}

  failure(unit: TemplateUnit): void {
    this.failed.add(unit);
  }

  success(unit: TemplateUnit): void {
    this.failed.delete(unit);
  }

  commandFailure(): void {
    this.commandFailed = true;
  }

  /**
   * The exit code once the run is over, else undefined. `idle`: nothing is due or queued;
   * `settled(id, source)`: a dependency has data from a source that will not change any more;
   * `gaveUp(id, source)`: why the source stopped trying a dependency (Consul after its retry
   * attempts, or on a permission error), if it did — a template that needs it cannot render.
   */
  finished(
    units: readonly TemplateUnit[],
    idle: boolean,
    settled: (id: string, source: string) => boolean,
    counts: OnceCounts,
    gaveUp: (id: string, source: string) => string | undefined = () => undefined,
  ): number | undefined {
    const pending = units.filter((u) => !u.rendered && !this.failed.has(u));
    const abandoned = new Map(pending.flatMap((u) => {
      const given = [...u.deps].flatMap(([id, dep]) => {
        const error = gaveUp(id, dep.source);
        return error === undefined ? [] : [{ source: dep.source, dependency: id, error }];
      });
      return given.length > 0 ? [[u, given] as const] : [];
    }));
    // Stuck: every dependency settled, yet the render is incomplete (a key that does not exist…).
    const stuck = pending.filter((u) => abandoned.has(u) || ([...u.deps].every(([id, dep]) => settled(id, dep.source)) && (u.deps.size > 0 || u.waiting.length > 0)));
    if (pending.length > stuck.length || !idle) return undefined;
    for (const unit of stuck) {
      const given = abandoned.get(unit);
      if (given === undefined) this.log.error({ template: unit.config.source, waiting: unit.waiting }, 'template cannot render: the data it waits for does not exist');
      for (const { source, dependency, error } of given ?? []) {
        this.log.error({ template: unit.config.source, source, dependency, error }, `template cannot render: source "${source}" gave up on ${dependency}: ${error}`);
      }
    }
    const failed = stuck.length > 0 || this.failed.size > 0 || this.commandFailed;
    this.log.info(
      { templatesRendered: units.filter((u) => u.rendered).length, templates: units.length, filesChanged: counts.filesChanged, commandsRun: counts.commandsRun, failed },
      this.dry ? 'summary (dry run: nothing written, nothing run)' : 'summary',
    );
    return failed ? 1 : 0;
  }
}

/**
 * The run's exit code once it is over (see OnceTracker.finished), with what has settled and what a
 * source gave up on read from the running sources: data in from a source that will not change
 * (`live` false) is settled for good.
 */
export function onceExitCode(once: OnceTracker, units: readonly TemplateUnit[], idle: boolean, sources: ReadonlyMap<string, Source>, hasData: (id: string) => boolean, counts: OnceCounts): number | undefined {
  const settled = (id: string, source: string): boolean => hasData(id) && sources.get(source)?.live === false;
  const gaveUp = (id: string, source: string): string | undefined => sources.get(source)?.health.gaveUp(id);
  return once.finished(units, idle, settled, counts, gaveUp);
}
