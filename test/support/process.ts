/**
 * Child processes of the harness: a server program with its output kept for error messages, and
 * stopping any child (signal, grace, SIGKILL) with the wait for its exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { registerCleanup, type CleanupRegistrar } from './cleanup.js';

/** True once the child has exited, or when it never started (spawn failed). */
export function hasExited(child: ChildProcess): boolean {
  return child.pid === undefined || child.exitCode !== null || child.signalCode !== null;
}

/**
 * Sends `signal` (SIGTERM), then SIGKILL if the child is still there after `graceMs`; resolves
 * once it has exited: true when it went without the SIGKILL (or SIGKILL was the signal asked
 * for). Safe to call twice, or on a child that has exited.
 */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<boolean> {
  if (hasExited(child)) return true;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  if (signal === 'SIGKILL') {
    await exited;
    return true;
  }
  let graceful = true;
  const timer = setTimeout(() => {
    graceful = false;
    child.kill('SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
  return graceful;
}

/** Registers a SIGKILL of `child` for when the test (or benchmark) ends, unless it has exited by then. */
export function killAtCleanup<T extends ChildProcess>(child: T, cleanup: CleanupRegistrar = registerCleanup): T {
  cleanup(() => stopChild(child, 'SIGKILL'));
  return child;
}

/** A server program run by the harness. */
export interface ServerProcess {
  readonly pid: number | undefined;
  /** False once it has exited (or when it could not be started). */
  readonly running: boolean;
  /** The last 20,000 characters it printed (stdout and stderr), for error messages. */
  output(): string;
  /**
   * `signal` (SIGTERM), SIGKILL after `graceMs` (5 s); resolves once it has exited, with false
   * when it took the SIGKILL. Safe to call twice.
   */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<boolean>;
}

const OUTPUT_KEPT = 20_000;

/**
 * Starts `command` with stdin closed and its output kept. The caller registers the stop it needs
 * (most: `stop('SIGKILL')`; nginx stops its master gracefully so the workers go with it).
 */
export function spawnServer(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): ServerProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(options.env ? { env: options.env } : {}) });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // ENOENT and the like: keep it for the error message instead of crashing the process.
  child.on('error', (err) => keep(Buffer.from(`\n${command}: ${err.message}\n`)));
  return {
    get pid() {
      return child.pid;
    },
    get running() {
      return !hasExited(child);
    },
    output: () => output,
    stop: (signal, graceMs) => stopChild(child, signal, graceMs),
  };
}
