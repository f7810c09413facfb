/**
 * Where the harness registers how to stop what it started (servers, temp dirs, proxies), so it is
 * stopped whatever happens. One module for both users of the harness:
 *
 * - Inside vitest: when the current test finishes, passed or failed; registered outside a test
 *   (beforeAll, collection), after the file's last test. Errors fail the test or the file.
 * - In a plain node process (the benchmarks): when the process ends, whether normally, on an
 *   uncaught error or on SIGINT/SIGTERM/SIGHUP. vitest is never loaded there.
 *
 * Which one applies is decided once, at import: vitest is imported only when the VITEST variable
 * says the process runs under it, and its hooks are used only when they accept a registration
 * (they throw outside a test file, e.g. in a benchmark that inherited the variable).
 *
 * Cleanups run last registered first: a process registered after its directory stops before the
 * directory is removed. A cleanup's first synchronous step must be the one that matters (sending
 * the kill signal, removing the directory): when the process is already exiting, nothing a
 * cleanup awaits runs any more.
 */
import { constants } from 'node:os';

export type Cleanup = () => unknown;
/** Registers a cleanup; every server start takes one (default: registerCleanup). */
export type CleanupRegistrar = (cleanup: Cleanup) => void;

/**
 * Cleanups left for the end of the process, shared by every instance of this module in the
 * process (vitest evaluates it afresh for each test file), so the exit and signal listeners are
 * added once.
 */
interface ProcessCleanups {
  readonly pending: Set<Cleanup>;
  exitHook: boolean;
  signalHooks: boolean;
  stopping: boolean;
}

const KEY = Symbol.for('ctmpl.test-support.process-cleanups');
const store = globalThis as unknown as Record<symbol, ProcessCleanups | undefined>;
const atExit: ProcessCleanups = (store[KEY] ??= { pending: new Set(), exitHook: false, signalHooks: false, stopping: false });

/** The pending cleanups, last registered first; each is taken out, so it runs at most once. */
function takePending(): Cleanup[] {
  const list = [...atExit.pending].reverse();
  atExit.pending.clear();
  return list;
}

async function runInOrder(cleanups: readonly Cleanup[]): Promise<void> {
  const errors: unknown[] = [];
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, 'cleanup failed');
}

/** On 'exit' only synchronous code runs: each cleanup gets as far as its first await. */
function runPendingNow(): void {
  for (const cleanup of takePending()) {
    try {
      const result = cleanup();
      if (result instanceof Promise) result.catch(() => undefined);
    } catch {
      // The process is exiting: the other cleanups still get their turn.
    }
  }
}

/**
 * After a signal: the pending cleanups one at a time, each awaited, the others left pending
 * meanwhile, so that a second signal (or the deadline) exits at once and the exit pass still
 * gets to them.
 */
async function drainPending(): Promise<void> {
  for (let next = [...atExit.pending].at(-1); next; next = [...atExit.pending].at(-1)) {
    atExit.pending.delete(next);
    try {
      await next();
    } catch {
      // Stopping anyway: the other cleanups still get their turn.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  const code = 128 + (constants.signals[signal] ?? 1);
  if (atExit.stopping) process.exit(code);
  atExit.stopping = true;
  const deadline = setTimeout(() => process.exit(code), 15_000);
  void drainPending().finally(() => {
    clearTimeout(deadline);
    process.exit(code);
  });
}

function addAtExit(cleanup: Cleanup, withSignals: boolean): void {
  if (!atExit.exitHook) {
    atExit.exitHook = true;
    process.on('exit', runPendingNow);
  }
  if (withSignals && !atExit.signalHooks) {
    atExit.signalHooks = true;
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  }
  atExit.pending.add(cleanup);
}

/** The plain-process registrar: runs `cleanup` when the process ends (exit, uncaught error, signal). */
export function atProcessExit(cleanup: Cleanup): void {
  addAtExit(() => cleanup(), true);
}

interface VitestHooks {
  afterAll(fn: () => Promise<void>): void;
  onTestFinished(fn: () => Promise<void>): void;
}

/** Cleanups registered outside a running test (in beforeAll or at collection time). */
const suiteCleanups: Cleanup[] = [];

async function loadVitestHooks(): Promise<VitestHooks | undefined> {
  if (process.env.VITEST === undefined) return undefined;
  try {
    const vitest: VitestHooks = await import('vitest');
    // Once per test file (each file evaluates this module afresh); throws outside a test file.
    vitest.afterAll(() => runInOrder(suiteCleanups.splice(0).reverse()));
    return vitest;
  } catch {
    return undefined;
  }
}

const vitest = await loadVitestHooks();

/**
 * The default registrar. Inside vitest: when the current test finishes, or after the file's last
 * test outside a test; kept for the end of the process too, in case the worker goes first. Outside
 * vitest: atProcessExit.
 */
export function registerCleanup(cleanup: Cleanup): void {
  if (!vitest) {
    atProcessExit(cleanup);
    return;
  }
  const backstop = (): unknown => cleanup();
  addAtExit(backstop, false);
  const run = async (): Promise<void> => {
    if (atExit.pending.delete(backstop)) await cleanup();
  };
  try {
    vitest.onTestFinished(run);
  } catch {
    suiteCleanups.push(run);
  }
}
