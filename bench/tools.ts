/**
 * The two tools of the side-by-side benchmarks (ctmpl, built in dist/, and the pinned
 * consul-template from test/support/obtain-tools.sh), started the same way against one Consul
 * (started by the test harness, test/support/consul.ts), plus the file watching the scenarios
 * measure with.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { killAtCleanup, stopChild } from '../test/support/process.js';
import { obtainTool } from '../test/support/programs.js';
import { ROOT } from './common.js';
import { CONSUL_TEMPLATE_COLUMN } from './compare.js';
import { benchNodes, type NodeBinary } from './node-versions.js';

/** ctmpl's entry point: the build in dist/, or BENCH_CTMPL_BIN (another build, to compare two versions). */
export const CTMPL_BIN = process.env.BENCH_CTMPL_BIN ?? join(ROOT, 'dist/src/bin.js');

/**
 * The ctmpl builds to run: BENCH_CTMPL_BUILDS=label=path/to/bin.js,… (e.g. a build of an older
 * commit, for a before/after in one run), else this checkout's (CTMPL_BIN) as "ctmpl".
 */
export function ctmplBuilds(): { label: string; bin: string }[] {
  const spec = process.env.BENCH_CTMPL_BUILDS;
  if (!spec) return [{ label: 'ctmpl', bin: CTMPL_BIN }];
  return spec.split(',').map((entry) => {
    const at = entry.indexOf('=');
    if (at <= 0) throw new Error(`BENCH_CTMPL_BUILDS: "${entry}" is not label=path`);
    return { label: entry.slice(0, at).trim(), bin: entry.slice(at + 1).trim() };
  });
}

export type ToolKind = 'ctmpl' | 'consul-template';


/**
 * Agent configuration for the side-by-side benchmarks. Both tools hold one HTTP connection per
 * blocking query (Node's agent and Go's transport alike open as many as there are queries in
 * flight); Consul refuses more than `limits.http_max_conns_per_client` (200 by default) from one
 * address, so watching 1,000 services needs it raised, as consul-template's users do.
 */
export const BENCH_AGENT_CONFIG = { limits: { http_max_conns_per_client: 5000 } } as const;

/** One template in both languages; they must render the same text. */
export interface TemplatePair {
  /** Handlebars, for ctmpl. */
  readonly hbs: string;
  /** Go text/template, for consul-template. */
  readonly go: string;
}

export interface RunOptions {
  readonly consulAddr: string;
  readonly template: string;
  readonly destination: string;
  /** Run after the destination changed (through /bin/sh in both tools). */
  readonly command?: string;
  /** `min:max` as both tools spell it; '0' turns quiescence off. */
  readonly wait: string;
  readonly once?: boolean;
}

export interface Tool {
  readonly kind: ToolKind;
  /** Label in tables: the tool and the flags that matter. */
  readonly label: string;
  /** Its column in the summary: one per ctmpl build and Node version, and consul-template's. */
  readonly column: string;
  /** The Node it runs under, and the entry point it runs (ctmpl only). */
  readonly node?: NodeBinary;
  readonly bin?: string;
  /** Writes the template in this tool's language next to the destination; returns its path. */
  writeTemplate(dir: string, name: string, pair: TemplatePair): string;
  start(options: RunOptions): ChildProcess;
  /** The signal that stops it cleanly (consul-template passes SIGTERM on to a child and stays up; SIGINT stops it). */
  readonly stopSignal: NodeJS.Signals;
}

/**
 * Extra ctmpl flags. The removal guard and flap damping change what is measured on purpose
 * (they hold or delay changes), so most scenarios turn them off; the flapping scenario also runs
 * ctmpl with its defaults.
 */
export const CTMPL_GUARDS_OFF = ['--max-removal', 'off', '--flap', 'off'] as const;

const cleanEnv = (): NodeJS.ProcessEnv => ({ ...process.env, CONSUL_HTTP_TOKEN: '', CONSUL_HTTP_ADDR: '', CONSUL_HTTP_TOKEN_FILE: '' });

/** One ctmpl build under one Node. */
export function ctmplTool(extraArgs: readonly string[] = CTMPL_GUARDS_OFF, label?: string, node: NodeBinary | undefined = undefined, build = { label: 'ctmpl', bin: CTMPL_BIN }): Tool {
  if (!existsSync(build.bin)) throw new Error(`${build.bin} does not exist: run \`npm run build\` first`);
  const column = node ? `${build.label} node ${node.major}` : build.label;
  const flags = label ?? (extraArgs.length > 0 ? extraArgs.join(' ') : '');
  return {
    kind: 'ctmpl',
    stopSignal: 'SIGTERM',
    column,
    bin: build.bin,
    ...(node ? { node } : {}),
    label: flags === '' ? column : `${column} ${flags}`,
    writeTemplate: (dir, name, pair) => {
      const path = join(dir, `${name}.hbs`);
      writeFileSync(path, pair.hbs);
      return path;
    },
    start: (o) =>
      spawn(
        node?.path ?? process.execPath,
        [
          build.bin,
          '-t',
          `${o.template}:${o.destination}${o.command === undefined ? '' : `:${o.command}`}`,
          '--consul-addr',
          o.consulAddr,
          '--wait',
          o.wait,
          ...(o.once ? ['--once'] : []),
          '--log-level',
          'error',
          ...extraArgs,
        ],
        { stdio: ['ignore', 'ignore', 'inherit'], env: cleanEnv() },
      ),
  };
}

/**
 * ctmpl once per build and Node version (benchNodes(), ctmplBuilds()): the variants a scenario
 * compares with consul-template.
 */
export function ctmplTools(extraArgs: readonly string[] = CTMPL_GUARDS_OFF, label?: string): Tool[] {
  return ctmplBuilds().flatMap((build) => benchNodes().map((node) => ctmplTool(extraArgs, label, node, build)));
}

export function consulTemplateTool(): Tool {
  const binary = obtainTool('consul-template');
  return {
    kind: 'consul-template',
    label: 'consul-template',
    column: CONSUL_TEMPLATE_COLUMN,
    stopSignal: 'SIGINT',
    writeTemplate: (dir, name, pair) => {
      const path = join(dir, `${name}.tpl`);
      writeFileSync(path, pair.go);
      return path;
    },
    start: (o) =>
      quietStop(spawn(
        binary,
        [
          '-consul-addr',
          o.consulAddr,
          '-template',
          `${o.template}:${o.destination}${o.command === undefined ? '' : `:${o.command}`}`,
          // consul-template's default is no quiescence; `-wait 0s` says so explicitly.
          '-wait',
          o.wait === '0' ? '0s' : o.wait,
          ...(o.once ? ['-once'] : []),
          '-log-level',
          'err',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'], env: cleanEnv() },
      )),
  };
}

/** Passes a child's stderr on, without the "Cleaning up..." consul-template prints when stopped. */
function quietStop(child: ChildProcess): ChildProcess {
  let rest = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '' && line.trim() !== 'Cleaning up...') process.stderr.write(`consul-template: ${line}\n`);
  });
  return child;
}

/** Starts a tool's daemon (killed when the benchmark ends, however it ends). */
export function startDaemon(tool: Tool, options: RunOptions): ChildProcess {
  return killAtCleanup(tool.start(options));
}

/** Stops a daemon started by startDaemon with its own stop signal (SIGKILL after 5 s). */
export async function stopDaemon(tool: Tool, child: ChildProcess): Promise<void> {
  await stopChild(child, tool.stopSignal, 5000);
}

/** Runs `--once` to completion; resolves with the wall time in ms, rejects on a non-zero exit. */
export function runOnce(tool: Tool, options: Omit<RunOptions, 'once'>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = killAtCleanup(tool.start({ ...options, once: true }));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`${tool.label} --once exited with ${code ?? signal ?? '?'}`));
    });
  });
}

export function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Watches one file's directory (inotify through fs.watch): both tools replace the destination by
 * a rename, which inotify reports at once. A slow poll backs the watch up in case an event is
 * dropped.
 */
export class FileWatch {
  private readonly watcher: FSWatcher;
  private readonly poll: NodeJS.Timeout;
  private waiters: (() => void)[] = [];
  /** Times the destination was replaced (a rename onto its name, or its creation). */
  replaced = 0;

  constructor(readonly path: string) {
    const name = basename(path);
    this.watcher = watch(dirname(path), (event, file) => {
      if (file !== name) return;
      if (event === 'rename') this.replaced += 1;
      this.wake();
    });
    this.poll = setInterval(() => this.wake(), 50);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /**
   * Resolves with performance.now() at the first event (or poll) after which `predicate` holds
   * for the file's content; rejects when the child exits or the time is up.
   */
  async until(predicate: (text: string) => boolean, timeoutMs: number, child?: ChildProcess): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const now = performance.now();
      if (predicate(readOrEmpty(this.path))) return now;
      if (child && child.exitCode !== null) throw new Error(`the tool exited (${child.exitCode}) while waiting for ${this.path}`);
      if (now > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${this.path} (content: ${JSON.stringify(readOrEmpty(this.path).slice(0, 300))})`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  close(): void {
    clearInterval(this.poll);
    this.watcher.close();
    this.wake();
  }
}

export { sleep };

export { byColumn, comparison, CONSUL_TEMPLATE_COLUMN, summaryColumns, type ScenarioReport, type SummaryRow } from './compare.js';
