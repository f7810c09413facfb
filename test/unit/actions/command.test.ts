import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandRunner } from '../../../src/actions/command.js';

/** True while a process whose command line contains `marker` exists. */
function running(marker: string): boolean {
  try {
    execFileSync('pgrep', ['-f', marker]);
    return true;
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

async function until(check: () => boolean, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

describe('CommandRunner', () => {
  const runner = new CommandRunner();

  it('runs through /bin/sh and captures output and exit code', async () => {
    const result = await runner.run('echo out; echo err >&2; exit 3', { timeoutMs: 5000 });
    expect(result).toMatchObject({ ok: false, exitCode: 3, timedOut: false });
    expect(result.output).toBe('out\nerr');
  });

  it('passes CTMPL_* variables on top of the environment', async () => {
    const result = await runner.run('echo "$CTMPL_CHANGED_COUNT:$HOME"', { timeoutMs: 5000, env: { CTMPL_CHANGED_COUNT: '2' } });
    expect(result.output).toBe(`2:${process.env.HOME ?? ''}`);
  });

  it('kills the whole process tree on timeout, grandchildren included', async () => {
    const marker = `sleep 4${process.pid % 1000}.123`;
    const result = await runner.run(`${marker} & ${marker}; wait`, { timeoutMs: 300, killGraceMs: 500 });
    expect(result.timedOut).toBe(true);
    expect(result.ok).toBe(false);
    expect(await until(() => !running(marker), 3000)).toBe(true);
  });

  it('kills a grandchild that left the process group with setsid, at the timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctmpl-setsid-'));
    const pidFile = join(dir, 'pid');
    // setsid puts the grandchild in a session (and group) of its own: a group kill misses it.
    const result = await runner.run(`setsid sleep 300 & echo $! > ${pidFile}; sleep 300`, { timeoutMs: 300, killGraceMs: 300 });
    expect(result.timedOut).toBe(true);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(1);
    expect(await until(() => !alive(pid), 3000)).toBe(true);
  });

  it('escalates to SIGKILL when the tree ignores SIGTERM', async () => {
    const marker = `sleep 5${process.pid % 1000}.321`;
    const result = await runner.run(`trap "" TERM; ${marker} & trap "" TERM; wait`, { timeoutMs: 200, killGraceMs: 300 });
    expect(result.timedOut).toBe(true);
    expect(await until(() => !running(marker), 3000)).toBe(true);
  });

  it('stops running commands on shutdown', async () => {
    const marker = `sleep 6${process.pid % 1000}.456`;
    const pending = runner.run(`${marker}`, { timeoutMs: 60_000 });
    expect(await until(() => running(marker), 3000)).toBe(true);
    await runner.stopAll(500);
    const result = await pending;
    expect(result.ok).toBe(false);
    expect(running(marker)).toBe(false);
  });
});
