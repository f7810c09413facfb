import type { ChangedFile } from '../actions/reload.js';
import type { CommandRunner } from '../actions/command.js';
import { checksStagedFile, withStagedPath } from '../actions/shell.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../observe/log.js';
import type { Metrics } from '../observe/metrics.js';
import type { TemplateConfig } from '../template/settings.js';
import { inPlace, stageDestination } from './write.js';

/** What putting one rendered text in place came to. */
export type OutputOutcome =
  /** Written (and checked, when the template has a check); `file` goes to the batch's commands. */
  | { readonly kind: 'written'; readonly file: ChangedFile; readonly checked: boolean }
  /** The file already holds this text (or --dry printed it). */
  | { readonly kind: 'unchanged' | 'dry' }
  /** The check refused the staged file, or the write failed: the destination is left as it was. */
  | { readonly kind: 'check-failed' | 'write-failed'; readonly error: string };

export interface OutputSettings {
  readonly dry: boolean;
  /** Where --dry prints; stdout unless a test captures it. */
  readonly dryOutput: NodeJS.WritableStream;
  readonly commandTimeoutMs: number;
}

/**
 * Puts a rendered text in place: unchanged → nothing; otherwise staged next to the destination,
 * checked (when a check is set; a failed check leaves the destination alone), then committed.
 * --dry prints instead.
 */
export class OutputStep {
  /** Last text per destination in --dry, which has no file to compare with. */
  private readonly printed = new Map<string, string>();
  readonly stats = { writes: 0, checkFailures: 0 };

  constructor(
    private readonly settings: OutputSettings,
    private readonly commands: CommandRunner,
    private readonly log: Logger,
    private readonly metrics?: Metrics,
  ) {}

  /**
   * Says so when a template's check never looks at the staged file: `nginx -t` alone tests the
   * live configuration, passes, and lets a broken file through.
   */
  warnAboutChecks(templates: readonly TemplateConfig[]): void {
    for (const t of templates) {
      if (t.check !== undefined && !checksStagedFile(t.check)) {
        this.log.warn({ destination: t.destination, check: t.check }, `the check of ${t.destination} does not mention {{staged}} or $CTMPL_STAGED: it tests something other than the new file, which it cannot stop (for example: haproxy -c -f {{staged}})`);
      }
    }
  }

  /**
   * `reloadPending`: the file's last reload failed with nothing to roll back to, so an unchanged
   * text still goes to the commands (as written in place), to be reloaded again.
   */
  async apply(template: TemplateConfig, text: string, reloadPending = false): Promise<OutputOutcome> {
    const destination = template.destination;
    if (this.settings.dry) {
      if (text !== this.printed.get(destination)) this.settings.dryOutput.write(`> ${destination}\n${text}\n`);
      this.printed.set(destination, text);
      return { kind: 'dry' };
    }
    try {
      const staged = await stageDestination(destination, text, {
        ...(template.perms === undefined ? {} : { perms: template.perms }),
        ...(template.uid === undefined ? {} : { uid: template.uid }),
        ...(template.gid === undefined ? {} : { gid: template.gid }),
        ...(template.writeMode === undefined ? {} : { mode: template.writeMode }),
        backup: template.backup,
        onFallback: (path, code) => this.log.warn({ destination: path, code }, `cannot rename over ${path} (${code}: a bind mount?); wrote it in place instead`),
      });
      if (staged === 'unchanged') {
        this.log.info({ destination, template: template.source, outcome: 'unchanged' }, 'rendered; file unchanged');
        if (reloadPending) return { kind: 'written', file: { destination, command: template.command, file: inPlace(destination) }, checked: false };
        return { kind: 'unchanged' };
      }
      if (template.check !== undefined) {
        const refusal = await this.check(template, staged.staged);
        if (refusal !== undefined) {
          await staged.discard();
          return { kind: 'check-failed', error: refusal };
        }
      }
      await staged.commit();
      this.stats.writes += 1;
      this.metrics?.writes.inc({ destination });
      this.log.info({ destination, template: template.source, outcome: 'written' }, 'wrote file');
      return { kind: 'written', file: { destination, command: template.command, file: staged }, checked: template.check !== undefined };
    } catch (err) {
      const error = errorMessage(err);
      this.log.error({ destination, err: error }, 'write failed');
      return { kind: 'write-failed', error };
    }
  }

  /** Runs the template's check on the staged file; its output is logged either way. Returns why it failed. */
  private async check(template: TemplateConfig, staged: string): Promise<string | undefined> {
    const destination = template.destination;
    const command = withStagedPath(template.check as string, staged);
    const result = await this.commands.run(command, { timeoutMs: this.settings.commandTimeoutMs, env: { CTMPL_STAGED: staged, CTMPL_DESTINATION: destination } });
    const fields = { destination, check: template.check, exitCode: result.exitCode, durationMs: result.durationMs, output: result.output || undefined };
    if (result.ok) {
      this.log.info(fields, 'check passed');
      return undefined;
    }
    this.stats.checkFailures += 1;
    this.metrics?.checkFailures.inc({ destination });
    this.log.error(fields, `check failed: ${destination} is left as it was and nothing is reloaded; the next change tries again`);
    return `check failed: ${result.output || `exit ${String(result.exitCode)}`}`;
  }
}
