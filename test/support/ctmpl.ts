import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { execa, type Result } from 'execa';
import { REPO_ROOT } from './programs.js';
import { registerCleanup } from './tmp.js';
import { waitFor, type WaitOptions } from './wait.js';

export { waitFor, type WaitOptions } from './wait.js';

/** The repository root, with a trailing slash (from test/support/ or compiled into dist/, for the benchmarks). */
export const ROOT = `${REPO_ROOT}/`;
/** The built CLI the tests exercise (`npm run build`). */
export const BIN = `${ROOT}dist/src/bin.js`;
export const TEMPLATES = `${ROOT}templates`;
export const EXAMPLE_CATALOG = `${ROOT}templates/examples/catalog.yaml`;

/**
 * The CONSUL_HTTP_* (and TLS) variables of the environment running the tests, blanked: ctmpl run
 * by a test sees only the Consul settings the test gives it.
 */
export const NO_CONSUL_ENV: Readonly<Record<string, string>> = {
  CONSUL_HTTP_ADDR: '',
  CONSUL_HTTP_TOKEN: '',
  CONSUL_HTTP_TOKEN_FILE: '',
  CONSUL_HTTP_AUTH: '',
  CONSUL_HTTP_SSL: '',
  CONSUL_CACERT: '',
  CONSUL_CAPATH: '',
  CONSUL_CLIENT_CERT: '',
  CONSUL_CLIENT_KEY: '',
};

function assertBuilt(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} does not exist: run \`npm run build\` before the integration tests`);
}

/** One pino JSON log line. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON log lines in a stream's text; other lines (rendered output in --dry) are skipped. */
export function parseLogLines(text: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (isRecord(value) && typeof value.level === 'number' && typeof value.msg === 'string') {
      lines.push({ ...value, level: value.level, msg: value.msg });
    }
  }
  return lines;
}

/** A log line's field as a string ('' when absent), for matching. */
export function field(line: LogLine, name: string): string {
  const value = line[name];
  return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

export interface RunOptions {
  readonly cwd: string;
  /** Extra environment variables (the test's own environment is inherited). */
  readonly env?: Readonly<Record<string, string>>;
  /** The run is killed (and the test fails) after this long. */
  readonly timeoutMs?: number;
}

export interface RunResult {
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** JSON log lines from stdout and stderr (stderr carries them in --dry). */
  readonly logs: LogLine[];
}

/** Runs `node dist/src/bin.js ARGS` to completion (for --once, --dry and input errors). */
export async function runCtmpl(args: readonly string[], options: RunOptions): Promise<RunResult> {
  assertBuilt();
  const result: Result = await execa('node', [BIN, ...args], {
    cwd: options.cwd,
    env: { ...options.env },
    extendEnv: true,
    reject: false,
    stdin: 'ignore',
    timeout: options.timeoutMs ?? 20_000,
    stripFinalNewline: false,
  });
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  return {
    exitCode: result.exitCode,
    signal: result.signal ?? undefined,
    timedOut: result.timedOut,
    stdout,
    stderr,
    logs: [...parseLogLines(stdout), ...parseLogLines(stderr)],
  };
}

/** A file's content, or undefined while it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The lines of a file (e.g. one line per command run); [] while it does not exist. */
export async function readLines(path: string): Promise<string[]> {
  const text = await readIfExists(path);
  return text === undefined ? [] : text.split('\n').filter((l) => l !== '');
}

export interface ExitInfo {
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
}

export interface Daemon {
  readonly pid: number;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** JSON log lines so far (stdout, then stderr). */
  logs(): LogLine[];
  /** Set once the process has exited. */
  readonly exit: ExitInfo | undefined;
  readonly exited: Promise<ExitInfo>;
  signal(signal: NodeJS.Signals): void;
  /** Like waitFor, but fails at once (with the output) if the daemon exits meanwhile. */
  waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, options?: WaitOptions): Promise<T>;
  /** Waits for the `count`-th log line matching `match` (counting from the start). */
  waitForLog(match: (line: LogLine) => boolean, options?: WaitOptions & { count?: number }): Promise<LogLine>;
  /** SIGTERM; SIGKILL if it has not exited after `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<ExitInfo>;
}

/**
 * Starts ctmpl as a long-running daemon. It is stopped when the test ends, pass or fail.
 * The caller waits for readiness (the first render) itself, e.g. with waitForLog.
 */
export function startCtmpl(args: readonly string[], options: { cwd: string; env?: Readonly<Record<string, string>> }): Daemon {
  assertBuilt();
  const child = execa('node', [BIN, ...args], {
    cwd: options.cwd,
    env: { ...options.env },
    extendEnv: true,
    reject: false,
    stdin: 'ignore',
    buffer: false,
    // The test does its own SIGTERM-then-SIGKILL in stop().
    forceKillAfterDelay: false,
  });
  if (child.pid === undefined) throw new Error('ctmpl did not start');
  const pid = child.pid;
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  let exit: ExitInfo | undefined;
  const exited: Promise<ExitInfo> = child.then((result) => {
    exit = { exitCode: result.exitCode, signal: result.signal ?? undefined };
    return exit;
  });

  const describe = (): string => `\n--- ctmpl stdout ---\n${out}\n--- ctmpl stderr ---\n${err}`;

  const daemon: Daemon = {
    pid,
    stdout: () => out,
    stderr: () => err,
    logs: () => [...parseLogLines(out), ...parseLogLines(err)],
    get exit() {
      return exit;
    },
    exited,
    signal(signal) {
      child.kill(signal);
    },
    async waitFor(probe, waitOptions = {}) {
      try {
        return await waitFor(async () => {
          const value = await probe();
          if ((value === undefined || value === false) && exit) {
            throw new Error(`ctmpl exited (code ${String(exit.exitCode)}, signal ${String(exit.signal)})`);
          }
          return value;
        }, waitOptions);
      } catch (e) {
        throw new Error(`${e instanceof Error ? e.message : String(e)}${describe()}`);
      }
    },
    waitForLog(match, waitOptions = {}) {
      const count = waitOptions.count ?? 1;
      return daemon.waitFor(() => daemon.logs().filter(match)[count - 1], { what: 'a log line', ...waitOptions });
    },
    async stop(graceMs = 5000) {
      if (exit) return exit;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, graceMs);
      });
      await Promise.race([exited, killed]);
      clearTimeout(timer);
      return exited;
    },
  };
  registerCleanup(() => daemon.stop());
  return daemon;
}

/**
 * Minimum time between two edits of the same watched file, as an operator's edits would be spaced.
 * chokidar 5 drops a `change` event that comes less than 50 ms after the previous one for the same
 * path; ctmpl's watcher (src/sources/watch-files.ts) reads the file again after each event to make
 * up for it, which the "quick successive edits" tests check with spacing off. The gap is never for
 * waiting on ctmpl: every effect is still awaited with waitFor.
 */
export const EDIT_SPACING_MS = 120;
const lastEdit = new Map<string, number>();
let tempCounter = 0;

/** Waits until EDIT_SPACING_MS have passed since the previous edit of `path`. */
async function spaceEdit(path: string, spacing: boolean): Promise<void> {
  const previous = lastEdit.get(path);
  if (spacing && previous !== undefined) {
    const wait = previous + EDIT_SPACING_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

export interface EditOptions {
  /** false: write at once, even right after the previous edit (for the tests about quick edits). */
  readonly spacing?: boolean;
}

/**
 * Edits a watched file as editors and config tools save: write a temporary file beside it, then
 * rename it over the original, so a reader sees the old or the new content, never a mix. (An
 * in-place write is empty for a moment; see writeInPlace and the test about it.)
 */
export async function editFile(path: string, content: string, options: EditOptions = {}): Promise<void> {
  await spaceEdit(path, options.spacing !== false);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${tempCounter++}.tmp`);
  await writeFile(temp, content);
  await rename(temp, path);
  lastEdit.set(path, Date.now());
}

/** Rewrites a watched file in place (open with O_TRUNC, then write), as `cat > FILE` does. */
export async function writeInPlace(path: string, content: string, options: EditOptions = {}): Promise<void> {
  await spaceEdit(path, options.spacing !== false);
  await writeFile(path, content);
  lastEdit.set(path, Date.now());
}

/**
 * A shell command for -c / template commands that appends one line per run to `log`:
 * `CTMPL_CHANGED_COUNT|CTMPL_CHANGED with newlines as commas`.
 */
export function recordRunCommand(log: string): string {
  return `printf '%s|%s\\n' "$CTMPL_CHANGED_COUNT" "$(printf '%s' "$CTMPL_CHANGED" | tr '\\n' ',')" >> ${log}`;
}
