import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CommandRunner } from '../../../src/actions/command.js';
import { OutputStep, type OutputSettings } from '../../../src/output/output-step.js';
import type { TemplateConfig } from '../../../src/template/settings.js';
import { captureLog } from '../../support/log-capture.js';
import { tempDir } from '../../support/tmp.js';

function printer(): { stream: Writable; printed: string[] } {
  const printed: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      printed.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, printed };
}

async function setup(settings: Partial<OutputSettings> = {}) {
  const dir = await tempDir('ctmpl-output-');
  const { stream, printed } = printer();
  const capture = captureLog();
  const step = new OutputStep({ dry: false, dryOutput: stream, commandTimeoutMs: 10_000, ...settings }, new CommandRunner(), capture.log);
  const template = (over: Partial<TemplateConfig> = {}): TemplateConfig => ({
    source: join(dir, 't.hbs'), destination: join(dir, 'out.conf'), command: 'reload it', wait: undefined, perms: undefined, backup: false, sandbox: dir, ...over,
  });
  return { dir, step, printed, template, ...capture };
}

describe('OutputStep', () => {
  it('writes a new text and hands the file on, with its template command, for the reload', async () => {
    const { step, template } = await setup();
    const outcome = await step.apply(template(), 'upstream web {}\n');
    expect(outcome.kind).toBe('written');
    if (outcome.kind !== 'written') return;
    expect(outcome.file.destination).toBe(template().destination);
    expect(outcome.file.command).toBe('reload it');
    expect(outcome.file.file.previous).toBeUndefined();
    expect(await readFile(template().destination, 'utf8')).toBe('upstream web {}\n');
    expect(step.stats).toEqual({ writes: 1, checkFailures: 0 });
  });

  it('does nothing when the destination already holds the text', async () => {
    const { step, template } = await setup();
    await writeFile(template().destination, 'same\n');
    expect(await step.apply(template(), 'same\n')).toEqual({ kind: 'unchanged' });
    expect(step.stats.writes).toBe(0);
  });

  it('hands an unchanged file on to the commands again while its last reload is pending (nothing to roll back to)', async () => {
    const { step, template } = await setup();
    await writeFile(template().destination, 'same\n');
    const outcome = await step.apply(template(), 'same\n', true);
    expect(outcome).toMatchObject({ kind: 'written', checked: false, file: { destination: template().destination, command: 'reload it' } });
    expect(step.stats.writes, 'nothing was written').toBe(0);
  });

  it('commits a staged file that passes its check, the check seeing the staged path', async () => {
    const { dir, step, template } = await setup();
    const seen = join(dir, 'seen');
    const check = `grep -q good {{staged}} && echo "$CTMPL_STAGED $CTMPL_DESTINATION" > ${seen}`;
    const outcome = await step.apply(template({ check }), 'good\n');
    expect(outcome).toMatchObject({ kind: 'written', checked: true });
    const [staged, destination] = (await readFile(seen, 'utf8')).trim().split(' ');
    expect(destination).toBe(template().destination);
    expect(staged).toMatch(/\/\.out\.conf\.ctmpl-[0-9a-f]+$/);
  });

  it('leaves the destination alone when the check refuses the staged file, with what the check said', async () => {
    const { dir, step, template, at } = await setup();
    await writeFile(template().destination, 'last good\n');
    const outcome = await step.apply(template({ check: 'echo "bad directive" >&2; exit 3' }), 'broken\n');
    expect(outcome).toEqual({ kind: 'check-failed', error: 'check failed: bad directive' });
    expect(await readFile(template().destination, 'utf8')).toBe('last good\n');
    expect((await readdir(dir)).filter((f) => f.includes('.ctmpl-')), 'the staged file is removed').toEqual([]);
    expect(step.stats).toEqual({ writes: 0, checkFailures: 1 });
    expect(at('error')[0]).toMatchObject({ exitCode: 3, output: 'bad directive' });
  });

  it('reports a write that fails, naming the destination, and writes nothing', async () => {
    const { dir, step, template } = await setup();
    await writeFile(join(dir, 'a-file'), 'x');
    const outcome = await step.apply(template({ destination: join(dir, 'a-file', 'out.conf') }), 'text');
    expect(outcome.kind).toBe('write-failed');
    if (outcome.kind === 'write-failed') expect(outcome.error).toContain(join(dir, 'a-file', 'out.conf'));
    expect(step.stats.writes).toBe(0);
  });

  it('prints in --dry instead of writing: each distinct text once per destination', async () => {
    const { dir, step, printed, template } = await setup({ dry: true });
    const other = template({ destination: join(dir, 'other.conf') });
    expect(await step.apply(template(), 'one')).toEqual({ kind: 'dry' });
    await step.apply(template(), 'one');
    await step.apply(other, 'one');
    await step.apply(template(), 'two');
    expect(printed).toEqual([`> ${template().destination}\none\n`, `> ${other.destination}\none\n`, `> ${template().destination}\ntwo\n`]);
    expect(await readdir(dir), 'nothing written').toEqual([]);
  });
});
