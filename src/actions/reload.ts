import type { Logger } from '../observe/log.js';
import type { Metrics } from '../observe/metrics.js';
import type { StagedFile } from '../output/write.js';
import { sleep } from '../util/sleep.js';
import type { CommandResult, CommandRunner } from './command.js';

/** A destination written in this batch, with the command (if any) of its template. */
export interface ChangedFile {
  readonly destination: string;
  readonly command: string | undefined;
  readonly file: StagedFile;
}

export interface ReloadSettings {
  /** The global `--command`, run once after any batch with a change. */
  readonly command: string | undefined;
  readonly timeoutMs: number;
  /** Random delay up to this long before a batch's commands. */
  readonly splayMs: number;
  /** Least time between the end of one batch's commands and the next batch. */
  readonly minIntervalMs: number;
}

/** One command of a batch: what it ran for and how it ended. */
export interface CommandReport {
  readonly command: string;
  readonly destinations: readonly string[];
  readonly ok: boolean;
  readonly exitCode: number | undefined;
  readonly timedOut: boolean;
  readonly at: number;
}

/** What a batch's commands came to. */
export interface ReloadResult {
  /** Every command succeeded. */
  readonly ok: boolean;
  /** Destinations put back to their previous content after their command failed. */
  readonly rolledBack: readonly string[];
  /** Destinations whose command failed but that had no previous content: kept, never deleted. */
  readonly kept: readonly string[];
  readonly reports: readonly CommandReport[];
}

export interface ReloadStats {
  commandRuns: number;
  commandFailures: number;
  rollbacks: number;
}

/**
 * Runs a batch's commands: each distinct command once (per-template commands in template order,
 * then the global one), never two at a time. A command that fails — non-zero exit or timeout —
 * has the files it was run for put back to their previous content, and runs once more so the
 * reloaded program returns to the last good state. The daemon goes on either way.
 */
export class Reloader {
  private lastEnd = 0;

  constructor(
    private readonly commands: CommandRunner,
    private readonly settings: ReloadSettings,
    private readonly log: Logger,
    readonly stats: ReloadStats = { commandRuns: 0, commandFailures: 0, rollbacks: 0 },
    private readonly metrics?: Metrics,
  ) {}

  /** Waits out --min-reload-interval since the last commands, so a burst is coalesced. */
  async paceBatch(signal: AbortSignal): Promise<void> {
    if (this.settings.minIntervalMs <= 0 || this.lastEnd === 0) return;
    await sleep(this.lastEnd + this.settings.minIntervalMs - Date.now(), signal);
  }

  /**
   * Runs the commands for the files changed in one batch. A failed command has its files put back
   * where they had a previous content (`rolledBack`); a file that did not exist before is kept
   * (`kept`): deleting it could only make things worse (a proxy that includes it would not start).
   */
  async run(changed: readonly ChangedFile[], signal: AbortSignal): Promise<ReloadResult> {
    const byCommand = new Map<string, ChangedFile[]>();
    for (const file of changed) {
      if (file.command !== undefined) byCommand.set(file.command, [...(byCommand.get(file.command) ?? []), file]);
    }
    if (this.settings.command !== undefined) byCommand.set(this.settings.command, [...(byCommand.get(this.settings.command) ?? []), ...changed]);
    if (byCommand.size === 0) return { ok: true, rolledBack: [], kept: [], reports: [] };
    if (this.settings.splayMs > 0) {
      // Splay: a fleet of sidecars seeing the same change does not reload in lockstep.
      await sleep(Math.random() * this.settings.splayMs, signal);
    }
    const allChanged = changed.map((f) => f.destination).join('\n');
    let ok = true;
    const rolledBack = new Set<string>();
    const kept = new Set<string>();
    const reports: CommandReport[] = [];
    for (const [command, files] of byCommand) {
      if (signal.aborted) break;
      const destinations = [...new Set(files.map((f) => f.destination))];
      const env = { CTMPL_DESTINATIONS: destinations.join('\n'), CTMPL_CHANGED: allChanged, CTMPL_CHANGED_COUNT: String(changed.length) };
      const result = await this.runOnce(command, env);
      reports.push({ command, destinations, ok: result.ok, exitCode: result.exitCode, timedOut: result.timedOut, at: Date.now() });
      if (result.ok) continue;
      ok = false;
      // A command killed because ctmpl is stopping is not a failed reload: nothing to roll back.
      if (signal.aborted) break;
      const back = await this.rollBack(command, files, env);
      for (const destination of back.restored) rolledBack.add(destination);
      for (const destination of back.kept) kept.add(destination);
    }
    this.lastEnd = Date.now();
    return { ok, rolledBack: [...rolledBack], kept: [...kept].filter((d) => !rolledBack.has(d)), reports };
  }

  private async runOnce(command: string, env: Record<string, string>, context = 'command'): Promise<CommandResult> {
    const result = await this.commands.run(command, { timeoutMs: this.settings.timeoutMs, env });
    this.stats.commandRuns += 1;
    this.metrics?.commands.inc({ result: result.ok ? 'success' : result.timedOut ? 'timeout' : 'failure' });
    this.metrics?.commandDuration.observe(result.durationMs / 1000);
    const fields = { command, exitCode: result.exitCode, signal: result.signal, durationMs: result.durationMs, output: result.output || undefined };
    if (result.ok) {
      this.log.info(fields, `${context} succeeded`);
      return result;
    }
    this.stats.commandFailures += 1;
    this.log.error(fields, result.timedOut ? `${context} timed out after ${this.settings.timeoutMs} ms; its process tree was killed` : `${context} failed`);
    return result;
  }

  /**
   * Puts the command's files back to their previous content — only where there was one — and runs
   * the command again on them. A file that did not exist before stays: there is nothing to roll
   * back to, and the command is tried again later with it.
   */
  private async rollBack(command: string, files: readonly ChangedFile[], env: Record<string, string>): Promise<{ restored: string[]; kept: string[] }> {
    const restored: string[] = [];
    const kept = files.filter((f) => f.file.previous === undefined).map((f) => f.destination);
    for (const f of [...files].reverse()) {
      if (f.file.previous === undefined) continue;
      try {
        await f.file.restore();
        restored.push(f.destination);
      } catch (err) {
        this.log.error({ destination: f.destination, err: err instanceof Error ? err.message : String(err) }, 'rollback could not restore the previous file');
      }
    }
    if (kept.length > 0) this.log.warn({ command, kept }, `the command failed and ${kept.length} file(s) had no previous version: they are kept as written (nothing to roll back to); the command is tried again later`);
    if (restored.length === 0) return { restored, kept };
    this.stats.rollbacks += 1;
    this.metrics?.rollbacks.inc();
    this.log.warn({ command, restored }, `rolled back ${restored.length} file(s) to their last good content; running the command again`);
    await this.runOnce(command, { ...env, CTMPL_ROLLBACK: '1' }, 'command after rollback');
    return { restored, kept };
  }
}
