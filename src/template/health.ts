import type { CommandReport } from '../actions/reload.js';

/** Why a template's file is not current. */
export type NotCurrent = 'write failed' | 'reload failed, rolled back' | 'reload failed, nothing to roll back to' | 'file missing';

/** A template's last outcomes, as /status shows them (times as ISO strings). */
export interface TemplateHealthView {
  readonly current: boolean;
  /** Why not, and since when (the grace of /healthz counts from then). */
  readonly notCurrent: { readonly reason: NotCurrent; readonly since: string } | undefined;
  readonly lastWrite: { readonly at: string; readonly outcome: 'written' | 'unchanged' | 'dry' | 'failed'; readonly error?: string } | undefined;
  readonly lastCheck: { readonly at: string; readonly ok: boolean; readonly error?: string } | undefined;
  readonly lastCommand: { readonly at: string; readonly command: string; readonly ok: boolean; readonly exitCode: number | undefined; readonly timedOut: boolean } | undefined;
  readonly retry: { readonly attempts: number; readonly nextAt: string } | undefined;
  readonly rollbacks: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Whether a template's file is current — holds its last render, loaded by the command — and what
 * happened last at each step. A file is not current from a failed write, a failed reload (rolled
 * back, or kept when there was nothing to roll back to) or a missing file, until a batch commits
 * it again; /healthz turns unhealthy once that lasts longer than its grace.
 */
export class TemplateHealth {
  private notCurrent: { reason: NotCurrent; since: number } | undefined;
  private lastWrite: TemplateHealthView['lastWrite'];
  private lastCheck: TemplateHealthView['lastCheck'];
  private lastCommand: TemplateHealthView['lastCommand'];
  private retry: { attempts: number; nextAt: number } | undefined;
  private rollbacks = 0;

  wrote(at: number, outcome: 'written' | 'unchanged' | 'dry'): void {
    this.lastWrite = { at: iso(at), outcome };
  }

  writeFailed(at: number, error: string): void {
    this.lastWrite = { at: iso(at), outcome: 'failed', error };
    this.fail('write failed', at);
  }

  checked(at: number, ok: boolean, error?: string): void {
    this.lastCheck = ok ? { at: iso(at), ok } : { at: iso(at), ok, ...(error === undefined ? {} : { error }) };
  }

  commandRan(report: CommandReport, outcome: 'ok' | 'rolled back' | 'kept'): void {
    this.lastCommand = { at: iso(report.at), command: report.command, ok: report.ok, exitCode: report.exitCode, timedOut: report.timedOut };
    if (outcome === 'rolled back') {
      this.rollbacks += 1;
      this.fail('reload failed, rolled back', report.at);
    } else if (outcome === 'kept') {
      this.fail('reload failed, nothing to roll back to', report.at);
    }
  }

  missing(at: number): void {
    this.fail('file missing', at);
  }

  retrying(attempts: number, nextAt: number): void {
    this.retry = { attempts, nextAt };
  }

  /** The file holds the last render and its command (if any) succeeded. */
  committed(): void {
    this.notCurrent = undefined;
    this.retry = undefined;
  }

  view(): TemplateHealthView {
    return {
      current: this.notCurrent === undefined,
      notCurrent: this.notCurrent && { reason: this.notCurrent.reason, since: iso(this.notCurrent.since) },
      lastWrite: this.lastWrite,
      lastCheck: this.lastCheck,
      lastCommand: this.lastCommand,
      retry: this.retry && { attempts: this.retry.attempts, nextAt: iso(this.retry.nextAt) },
      rollbacks: this.rollbacks,
    };
  }

  private fail(reason: NotCurrent, at: number): void {
    // The first reason counts from when it started; a later one replaces the reason, not the time.
    this.notCurrent = { reason, since: this.notCurrent?.since ?? at };
  }
}
