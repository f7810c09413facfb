import { execa, type ResultPromise } from 'execa';
import type { ExecSettings } from '../config/schema.js';
import type { Logger } from '../observe/log.js';
import { sleep } from '../util/sleep.js';

/** A child that ran this long before dying counts as having started fine: backoff starts over. */
const STABLE_RUN_MS = 60_000;

/**
 * Exec mode (the docker-sidecar pattern): ctmpl supervises one child — usually the proxy whose
 * config it renders. The child starts after the first complete render; a change sends it the
 * reload signal (or restarts it); SIGTERM/SIGINT are passed on; an unexpected exit is logged and
 * the child restarted with backoff instead of leaving the container with nothing running.
 */
export class ExecSupervisor {
  private child: ResultPromise | undefined;
  private startedAt = 0;
  private failures = 0;
  private stopping = false;
  private readonly aborter = new AbortController();
  private exited: Promise<void> = Promise.resolve();
  readonly stats = { starts: 0, reloads: 0, unexpectedExits: 0 };

  constructor(
    private readonly settings: ExecSettings,
    private readonly log: Logger,
  ) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the child (once; later calls do nothing while it runs). */
  start(): void {
    if (this.child || this.stopping) return;
    // `exec` makes the shell replace itself, so signals reach the command, not a wrapper shell.
    const child = execa('/bin/sh', ['-c', `exec ${this.settings.command}`], { stdio: 'inherit', reject: false });
    this.child = child;
    this.startedAt = Date.now();
    this.stats.starts += 1;
    this.log.info({ command: this.settings.command, pid: child.pid }, 'exec: child started');
    this.exited = child.then((result) => this.onExit(child, result.exitCode, result.signal ?? undefined));
  }

  /** A change was written: signal the child (after the splay), or restart it. */
  async reload(): Promise<void> {
    if (!this.child) {
      this.start();
      return;
    }
    if (this.settings.splayMs > 0) await sleep(Math.random() * this.settings.splayMs, this.aborter.signal);
    if (this.stopping || !this.child) return;
    this.stats.reloads += 1;
    if (this.settings.reloadSignal) {
      this.log.info({ pid: this.child.pid, signal: this.settings.reloadSignal }, 'exec: signalling child to reload');
      this.child.kill(this.settings.reloadSignal);
      return;
    }
    this.log.info({ pid: this.child.pid }, 'exec: restarting child (reload signal is none)');
    await this.terminate('SIGTERM');
    this.start();
  }

  /** Passes the stop signal on, waits up to the kill timeout, then SIGKILL. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.stopping = true;
    this.aborter.abort();
    await this.terminate(signal);
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    child.kill(signal);
    const killer = setTimeout(() => {
      this.log.warn({ pid: child.pid, timeoutMs: this.settings.killTimeoutMs }, 'exec: child did not stop in time; SIGKILL');
      child.kill('SIGKILL');
    }, this.settings.killTimeoutMs);
    await child;
    clearTimeout(killer);
  }

  private async onExit(child: ResultPromise, exitCode: number | undefined, signal: string | undefined): Promise<void> {
    if (this.child !== child) {
      this.log.info({ exitCode, signal }, 'exec: child stopped');
      return;
    }
    // Not asked to stop: the child died on its own.
    this.child = undefined;
    this.stats.unexpectedExits += 1;
    this.failures = Date.now() - this.startedAt >= STABLE_RUN_MS ? 1 : this.failures + 1;
    const delay = Math.min(this.settings.restartBackoffMaxMs, 1000 * 2 ** (this.failures - 1));
    this.log.error({ exitCode, signal, restartInMs: delay }, 'exec: child exited unexpectedly; restarting it');
    await sleep(delay, this.aborter.signal);
    if (!this.stopping) this.start();
  }
}
