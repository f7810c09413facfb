/**
 * The set-up of bench/haproxy.ts: a static catalog file, a real haproxy (master-worker, from
 * test/support/haproxy.ts) whose first configuration is ctmpl's `--once` render of the shipped
 * haproxy-runtime template, and a ctmpl daemon keeping it up to date — with or without the
 * template's `haproxy` key. The daemon's JSON log lines are counted as they come, so the
 * benchmark can wait for each change to be acted on and count reloads and Runtime API commands.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { HAPROXY } from '../test/support/checkers.js';
import { NO_CONSUL_ENV, parseLogLines, type LogLine } from '../test/support/ctmpl.js';
import type { HaproxyServer } from '../test/support/haproxy.js';
import { catalogText, haproxyOnFirstRender, type CatalogEntry } from '../test/support/haproxy-ctmpl.js';
import { hasExited, killAtCleanup, stopChild } from '../test/support/process.js';
import { tempDir } from '../test/support/tmp.js';
import { waitFor } from '../test/support/wait.js';
import { ROOT } from './common.js';

export const BIN = join(ROOT, 'dist/src/bin.js');
const TEMPLATE = join(ROOT, 'templates/haproxy-runtime.hbs');

/** reload: every change reloads haproxy (consul-template's way); runtime: the `haproxy` key. */
export type Mode = 'reload' | 'runtime';

/** One instance of service `web` in the catalog file. */
export type Entry = CatalogEntry;

/** What the daemon has logged so far, counted line by line. */
export interface CtmplCounts {
  /** The first render happened (the file was written or found unchanged). */
  rendered: boolean;
  /** Changes applied through the Runtime API without a reload, and the commands they took. */
  applied: number;
  runtimeCommands: number;
  /** Changes the runtime path handed on to the reload ("haproxy needs a reload"). */
  fellBack: number;
  /** Reload commands run (succeeded, failed or timed out). */
  reloadCommands: number;
  /** Log lines at level error or above. */
  errors: number;
}

export interface CtmplDaemon {
  readonly counts: Readonly<CtmplCounts>;
  /** Waits until `probe` holds; fails at once, with the daemon's last output, if it exits meanwhile. */
  waitFor(probe: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function count(counts: CtmplCounts, line: LogLine): void {
  if (line.msg === 'wrote file' || line.msg === 'rendered; file unchanged') counts.rendered = true;
  if (/through its Runtime API; no reload$/.test(line.msg)) {
    counts.applied += 1;
    counts.runtimeCommands += typeof line.commands === 'number' ? line.commands : 0;
  }
  if (line.msg.startsWith('haproxy needs a reload')) counts.fellBack += 1;
  if (/^command (succeeded|failed|timed out)/.test(line.msg)) counts.reloadCommands += 1;
  if (line.level >= 50) counts.errors += 1;
}

function startDaemon(config: string, cwd: string, env: Record<string, string>): CtmplDaemon {
  const child = killAtCleanup(spawn(process.execPath, [BIN, '--config', config], { cwd, env: { ...process.env, ...NO_CONSUL_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  const counts: CtmplCounts = { rendered: false, applied: 0, runtimeCommands: 0, fellBack: 0, reloadCommands: 0, errors: 0 };
  let tail = '';
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-8000);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of parseLogLines(lines.join('\n'))) count(counts, line);
    });
  }
  return {
    counts,
    async waitFor(probe, what, timeoutMs = 15_000) {
      try {
        await waitFor(
          () => {
            if (probe()) return true;
            if (hasExited(child)) throw new Error('ctmpl exited');
            return false;
          },
          { timeoutMs, intervalMs: 5, what },
        );
      } catch (err) {
        throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- ctmpl's last output ---\n${tail}`);
      }
    },
    stop: async () => void (await stopChild(child)),
  };
}

export interface HaproxyRig {
  readonly haproxy: HaproxyServer;
  readonly catalog: string;
  readonly ctmpl: CtmplDaemon;
  /** Stops ctmpl, then haproxy (the temp dir goes at the end of the process). */
  stop(): Promise<void>;
}

/**
 * haproxy started on ctmpl's first render of `first`; then the daemon, which reloads with
 * `kill -USR2` of the master (no server state saved, as a plain reload command does) and, in
 * runtime mode, applies server changes on haproxy's admin socket. Waits for its first render.
 */
export async function startRig(mode: Mode, first: readonly Entry[]): Promise<HaproxyRig> {
  const dir = await tempDir('ctmpl-bench-haproxy-');
  const catalog = join(dir, 'catalog.yaml');
  writeFileSync(catalog, catalogText({ web: first }));
  const { haproxy, env } = await haproxyOnFirstRender(dir, `file:${catalog}`, TEMPLATE);
  const template = { source: TEMPLATE, destination: haproxy.config, check: `${HAPROXY} -c -q -f {{staged}}`, command: `kill -USR2 ${haproxy.masterPid}` };
  const config = join(dir, 'ctmpl.yaml');
  writeFileSync(config, stringify({ sources: [`file:${catalog}`], wait: '0', flap: 'off', max_removal: 'off', templates: [mode === 'runtime' ? { ...template, haproxy: { socket: haproxy.socket } } : template] }));
  const ctmpl = startDaemon(config, dir, env);
  const stop = async (): Promise<void> => {
    await ctmpl.stop();
    await haproxy.stop();
  };
  try {
    await ctmpl.waitFor(() => ctmpl.counts.rendered, 'ctmpl to render the catalog', 20_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { haproxy, catalog, ctmpl, stop };
}
