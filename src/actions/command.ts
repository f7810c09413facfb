import { randomBytes } from 'node:crypto';
import { signalTree, TREE_MARKER } from './process-tree.js';

export interface CommandOptions {
  timeoutMs: number;
  /** Extra environment (CTMPL_* variables naming what changed). */
  env?: Record<string, string>;
  /** Time between SIGTERM and SIGKILL when a command must be stopped. */
  killGraceMs?: number;
}

export interface CommandResult {
  readonly command: string;
  readonly ok: boolean;
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** Interleaved stdout and stderr, trimmed to its last few kilobytes for the log. */
  readonly output: string;
}

const OUTPUT_LIMIT = 8 * 1024;

/**
 * Runs shell commands (`/bin/sh -c`) each in its own process group, so a timeout or a shutdown
 * stops the whole tree: with a plain kill, grandchildren (`nginx -s reload` wrappers, `sleep`s)
 * would survive and keep the pipes open.
 */
export class CommandRunner {
  /** Running commands: their process group, and the marker their whole tree carries. */
  private readonly running = new Map<number, string>();

  async run(command: string, options: CommandOptions): Promise<CommandResult> {
    const started = performance.now();
    // Loaded on first use: execa is the costliest import, and --once runs often have no command.
    const { execa } = await import('execa');
    const tree = randomBytes(8).toString('hex');
    const child = execa('/bin/sh', ['-c', command], {
      detached: true,
      reject: false,
      all: true,
      stdin: 'ignore',
      env: { ...options.env, [TREE_MARKER]: tree },
      extendEnv: true,
      stripFinalNewline: true,
    });
    const pid = child.pid;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    if (pid !== undefined) {
      this.running.set(pid, tree);
      timer = setTimeout(() => {
        timedOut = true;
        void this.killTree(pid, tree, options.killGraceMs ?? 2000);
      }, options.timeoutMs);
    }
    try {
      const result = await child;
      const output = String(result.all ?? '');
      return {
        command,
        ok: !timedOut && result.exitCode === 0,
        exitCode: result.exitCode,
        signal: result.signal ?? undefined,
        timedOut,
        durationMs: Math.round(performance.now() - started),
        output: output.length > OUTPUT_LIMIT ? `…${output.slice(-OUTPUT_LIMIT)}` : output,
      };
    } finally {
      clearTimeout(timer);
      if (pid !== undefined) this.running.delete(pid);
    }
  }

  /** Stops every running command's process tree (on shutdown). */
  async stopAll(graceMs = 2000): Promise<void> {
    await Promise.all([...this.running].map(([pid, tree]) => this.killTree(pid, tree, graceMs)));
  }

  /** SIGTERM to the whole tree (its group and every process carrying its marker), then SIGKILL to what is left after the grace period. */
  private async killTree(pgid: number, tree: string, graceMs: number): Promise<void> {
    if (!(await signalTree(pgid, tree, 'SIGTERM'))) return;
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (!(await signalTree(pgid, tree, 0))) return;
    }
    await signalTree(pgid, tree, 'SIGKILL');
  }
}
