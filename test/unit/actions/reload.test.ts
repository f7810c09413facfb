import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CommandRunner } from '../../../src/actions/command.js';
import { Reloader, type ChangedFile } from '../../../src/actions/reload.js';
import { stageDestination } from '../../../src/output/write.js';

const silent = pino({ level: 'silent' });

/** Writes `next` over `path` (which holds `previous`) the way a batch does, for the reloader. */
async function changed(dir: string, name: string, previous: string, next: string, command?: string): Promise<ChangedFile> {
  const destination = join(dir, name);
  writeFileSync(destination, previous);
  const file = await stageDestination(destination, next);
  if (file === 'unchanged') throw new Error('expected a change');
  await file.commit();
  return { destination, command, file };
}

function reloader(command: string | undefined, over: Partial<{ minIntervalMs: number }> = {}) {
  return new Reloader(new CommandRunner(), { command, timeoutMs: 5000, splayMs: 0, minIntervalMs: over.minIntervalMs ?? 0 }, silent);
}

const signal = new AbortController().signal;

describe('Reloader', () => {
  it('runs each distinct command once per batch: per-template ones first, then the global one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctmpl-reload-'));
    const log = join(dir, 'log');
    const files = [
      await changed(dir, 'a', '1', '2', `echo "tpl $CTMPL_DESTINATIONS" >> ${log}`),
      await changed(dir, 'b', '1', '2', `echo "tpl $CTMPL_DESTINATIONS" >> ${log}`),
      await changed(dir, 'c', '1', '2'),
    ];
    const r = reloader(`echo "global $CTMPL_CHANGED_COUNT" >> ${log}`);
    expect(await r.run(files, signal)).toMatchObject({ ok: true, rolledBack: [], kept: [] });
    expect(readFileSync(log, 'utf8')).toBe(`tpl ${join(dir, 'a')}\n${join(dir, 'b')}\nglobal 3\n`);
    expect(r.stats).toEqual({ commandRuns: 2, commandFailures: 0, rollbacks: 0 });
  });

  it('rolls the files back and runs the command again when a reload fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctmpl-reload-'));
    const log = join(dir, 'log');
    const flag = join(dir, 'fail-once');
    writeFileSync(flag, '');
    const files = [await changed(dir, 'up.conf', 'good', 'bad'), await changed(dir, 'other.conf', 'old', 'new')];
    // Fails the first time (as a reload rejecting the new files), succeeds on the rollback run.
    const r = reloader(`cat ${join(dir, 'up.conf')} >> ${log}; if [ -e ${flag} ]; then rm ${flag}; exit 1; fi`);
    expect(await r.run(files, signal)).toMatchObject({ ok: false, rolledBack: [join(dir, 'other.conf'), join(dir, 'up.conf')], kept: [] });
    expect(readFileSync(join(dir, 'up.conf'), 'utf8')).toBe('good');
    expect(readFileSync(join(dir, 'other.conf'), 'utf8')).toBe('old');
    expect(readFileSync(log, 'utf8')).toBe('badgood');
    expect(r.stats).toEqual({ commandRuns: 2, commandFailures: 1, rollbacks: 1 });
  });

  it('rolls back only the files of the template whose command failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctmpl-reload-'));
    const files = [await changed(dir, 'a', 'a-good', 'a-bad', 'exit 1'), await changed(dir, 'b', 'b-old', 'b-new', 'true')];
    expect(await reloader(undefined).run(files, signal)).toMatchObject({ ok: false, rolledBack: [join(dir, 'a')], kept: [] });
    expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('a-good');
    expect(readFileSync(join(dir, 'b'), 'utf8')).toBe('b-new');
  });

  it('keeps a file that had no previous version when its reload fails, and says there was nothing to roll back to', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctmpl-reload-'));
    const destination = join(dir, 'new.conf');
    const staged = await stageDestination(destination, 'first content');
    if (staged === 'unchanged') throw new Error('expected a change');
    await staged.commit();
    const log = join(dir, 'log');
    const r = reloader(`echo run >> ${log}; exit 1`);
    const result = await r.run([{ destination, command: undefined, file: staged }], signal);
    expect(result).toMatchObject({ ok: false, rolledBack: [], kept: [destination] });
    expect(result.reports).toEqual([expect.objectContaining({ ok: false, exitCode: 1, destinations: [destination] })]);
    expect(readFileSync(destination, 'utf8')).toBe('first content');
    // No rollback happened, so the command is not run again on "last good files" that do not exist.
    expect(readFileSync(log, 'utf8')).toBe('run\n');
    expect(r.stats.rollbacks).toBe(0);
  });

  it('rolls back after a timeout too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctmpl-reload-'));
    const files = [await changed(dir, 'a', 'good', 'bad')];
    const r = new Reloader(new CommandRunner(), { command: `grep -q bad ${join(dir, 'a')} && sleep 5; true`, timeoutMs: 300, splayMs: 0, minIntervalMs: 0 }, silent);
    expect((await r.run(files, signal)).ok).toBe(false);
    expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('good');
    expect(r.stats.rollbacks).toBe(1);
  });

  it('keeps the minimum interval between the end of one batch and the next', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctmpl-reload-'));
    const r = reloader('true', { minIntervalMs: 400 });
    await r.paceBatch(signal); // nothing ran yet: no wait
    await r.run([await changed(dir, 'a', '1', '2')], signal);
    const started = Date.now();
    await r.paceBatch(signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
  });
});
