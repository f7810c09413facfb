import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ExecSupervisor } from '../../../src/actions/exec.js';
import type { ExecSettings } from '../../../src/config/schema.js';

const silent = pino({ level: 'silent' });
const supervisors: ExecSupervisor[] = [];
afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stop('SIGKILL')));
});

async function until(check: () => boolean, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const lines = (path: string): string[] => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '') : []);
const alive = (pid: number | undefined): boolean => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A child that logs its start, each SIGHUP, and SIGTERM (then exits) into `log`.
 * It says "start" only once its traps are set: a signal sent on seeing "start" must find them.
 */
function child(log: string, onTerm = 'exit 0'): string {
  return `sh -c 'trap "echo hup >> ${log}" HUP; trap "echo term >> ${log}; ${onTerm}" TERM; echo start >> ${log}; while :; do sleep 0.05; done'`;
}

function supervise(command: string, over: Partial<ExecSettings> = {}): ExecSupervisor {
  const s = new ExecSupervisor({ command, reloadSignal: 'SIGHUP', killTimeoutMs: 2000, splayMs: 0, restartBackoffMaxMs: 200, ...over }, silent);
  supervisors.push(s);
  return s;
}

describe('ExecSupervisor', () => {
  it('starts the child and sends it the reload signal on change', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'ctmpl-exec-')), 'log');
    const s = supervise(child(log));
    s.start();
    await until(() => lines(log).includes('start'));
    await s.reload();
    await until(() => lines(log).includes('hup'));
    expect(lines(log).filter((l) => l === 'start')).toHaveLength(1);
  });

  it('restarts the child on change when the reload signal is none', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'ctmpl-exec-')), 'log');
    const s = supervise(child(log), { reloadSignal: undefined });
    s.start();
    await until(() => lines(log).includes('start'));
    const first = s.pid;
    await s.reload();
    await until(() => lines(log).filter((l) => l === 'start').length === 2);
    expect(lines(log)).toEqual(['start', 'term', 'start']);
    expect(s.pid).not.toBe(first);
  });

  it('restarts a child that dies on its own, with backoff', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'ctmpl-exec-')), 'log');
    const s = supervise(`sh -c 'echo start >> ${log}; exit 3'`);
    s.start();
    await until(() => lines(log).length >= 3);
    expect(s.stats.unexpectedExits).toBeGreaterThanOrEqual(2);
  });

  it('passes the stop signal on and waits for the child', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'ctmpl-exec-')), 'log');
    const s = supervise(child(log));
    s.start();
    await until(() => lines(log).includes('start'));
    const pid = s.pid;
    await s.stop('SIGTERM');
    expect(lines(log)).toContain('term');
    expect(alive(pid)).toBe(false);
  });

  it('kills a child that ignores the stop signal after the kill timeout', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'ctmpl-exec-')), 'log');
    const s = supervise(child(log, 'true'), { killTimeoutMs: 300 });
    s.start();
    await until(() => lines(log).includes('start'));
    const pid = s.pid;
    const started = Date.now();
    await s.stop('SIGTERM');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(alive(pid)).toBe(false);
  });
});
