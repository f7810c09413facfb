import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExecSupervisor } from '../../../src/actions/exec.js';
import type { ChangedFile, Reloader, ReloadResult } from '../../../src/actions/reload.js';
import { dependencyId, type Dependency } from '../../../src/catalog/types.js';
import { Subscriptions } from '../../../src/feed/subscriptions.js';
import { Metrics } from '../../../src/observe/metrics.js';
import type { OutputOutcome, OutputStep } from '../../../src/output/output-step.js';
import type { StagedFile } from '../../../src/output/write.js';
import { runBatch, type BatchParts } from '../../../src/pipeline/batch.js';
import { OnceTracker } from '../../../src/pipeline/once.js';
import { WaitingReporter } from '../../../src/pipeline/waiting.js';
import type { TemplateConfig } from '../../../src/template/settings.js';
import type { TemplateUnit } from '../../../src/template/unit.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeSource } from '../../support/fake-source.js';
import { captureLog } from '../../support/log-capture.js';
import { tempDir } from '../../support/tmp.js';
import { loadUnit } from '../../support/units.js';
import { inputs } from '../template/fixtures.js';

const WEB: Dependency = { kind: 'service', source: 'file', name: 'web', status: ['passing'] };

/** The output step as a script: each destination gets the outcome the test set ('written' by default). */
class ScriptedOutput {
  readonly applied: { destination: string; text: string; reloadPending: boolean }[] = [];
  readonly outcomes = new Map<string, OutputOutcome['kind']>();
  async apply(template: TemplateConfig, text: string, reloadPending = false): Promise<OutputOutcome> {
    this.applied.push({ destination: template.destination, text, reloadPending });
    const kind = this.outcomes.get(template.destination) ?? 'written';
    if (kind === 'written') return { kind, file: { destination: template.destination, command: template.command, file: {} as StagedFile }, checked: template.check !== undefined };
    if (kind === 'check-failed' || kind === 'write-failed') return { kind, error: `${kind} for ${template.destination}` };
    return { kind };
  }
}

/** The reloader as a script: records each run; fails it, rolling back or keeping the destinations the test names. */
class ScriptedReloader {
  readonly runs: string[][] = [];
  rolledBack: string[] = [];
  kept: string[] = [];
  async run(changed: readonly ChangedFile[]): Promise<ReloadResult> {
    const destinations = changed.map((f) => f.destination);
    this.runs.push(destinations);
    const ok = this.rolledBack.length === 0 && this.kept.length === 0;
    return { ok, rolledBack: this.rolledBack, kept: this.kept, reports: [{ command: 'reload', destinations, ok, exitCode: ok ? 0 : 1, timedOut: false, at: Date.now() }] };
  }
}

class FakeExec {
  running = false;
  reloads = 0;
  async reload(): Promise<void> {
    this.reloads += 1;
  }
}

async function setup(options: { once?: boolean } = {}) {
  const dir = await tempDir('ctmpl-batch-');
  const units = {
    plain: await loadUnit(dir, 'plain', 'plain text\n', { command: 'reload plain' }),
    web: await loadUnit(dir, 'web', '{{#each (service "web")}}{{Address}}\n{{/each}}'),
    broken: await loadUnit(dir, 'broken', '{{add 1 "not a number"}}'),
  };
  const all: TemplateUnit[] = Object.values(units);
  const data = new Map<string, unknown>([[dependencyId(WEB), []]]);
  const output = new ScriptedOutput();
  const reloader = new ScriptedReloader();
  const exec = new FakeExec();
  const source = new FakeSource('file');
  const capture = captureLog();
  const metrics = new Metrics();
  const watchedFiles: string[][] = [];
  const committedIds: string[][] = [];
  const committedValues: unknown[][] = [];
  const retried: TemplateUnit[][] = [];
  let succeeded = 0;
  const parts: BatchParts = {
    inputs: (unit) => inputs(data, { sandbox: unit.sandbox }),
    // The batch uses only apply, run, running and reload of these (see the report on seams).
    output: output as unknown as OutputStep,
    reloader: reloader as unknown as Reloader,
    exec: () => exec as unknown as ExecSupervisor,
    haproxy: () => undefined,
    subscriptions: new Subscriptions(new Map([['file', source]]), () => undefined, capture.log),
    waiting: new WaitingReporter(capture.log, new FakeClock(), 30_000, () => false),
    once: options.once ? new OnceTracker(capture.log, false) : undefined,
    commit: (rendered) => {
      committedIds.push([...rendered.keys()]);
      committedValues.push([...rendered.values()]);
    },
    retry: (list) => (list.length === 0 ? undefined : (retried.push([...list]), { delayMs: 10_000, attempts: retried.length })),
    succeeded: () => void (succeeded += 1),
    log: capture.log,
    metrics,
    signal: new AbortController().signal,
    watchFiles: (paths) => void watchedFiles.push([...paths]),
  };
  return { units, all, data, output, reloader, exec, source, parts, metrics, watchedFiles, committedIds, committedValues, retried, succeeded: () => succeeded, ...capture };
}

describe('runBatch', () => {
  it('puts each complete render in place, reloads once, then commits what the templates used', async () => {
    const { units, all, output, reloader, parts, committedIds, committedValues, succeeded } = await setup();
    const result = await runBatch([units.plain, units.web], all, parts);
    expect(output.applied.map((a) => [a.destination, a.text])).toEqual([[units.plain.name, 'plain text\n'], [units.web.name, '']]);
    expect(reloader.runs).toEqual([[units.plain.name, units.web.name]]);
    expect(result).toEqual({ changed: [units.plain.name, units.web.name], committed: [units.plain, units.web], retry: [] });
    expect(committedIds).toEqual([[dependencyId(WEB)]]);
    expect(committedValues, 'what the render saw of each dependency').toEqual([[[]]]);
    expect(succeeded()).toBe(1);
    expect(units.web.health.view().current).toBe(true);
  });

  it('commits a template whose file already held its render, without a reload', async () => {
    const { units, all, output, reloader, parts, committedIds, succeeded } = await setup();
    output.outcomes.set(units.web.name, 'unchanged');
    expect(await runBatch([units.web], all, parts)).toEqual({ changed: [], committed: [units.web], retry: [] });
    expect(reloader.runs).toEqual([]);
    expect(committedIds).toEqual([[dependencyId(WEB)]]);
    expect(succeeded(), 'no command ran: nothing to call a success').toBe(0);
  });

  it('writes nothing for a template still waiting for data, watches what it needs and says what it waits for', async () => {
    const { units, all, data, output, source, parts, at } = await setup();
    data.clear();
    const result = await runBatch([units.web], all, parts);
    expect(output.applied).toEqual([]);
    expect(result.committed).toEqual([]);
    expect([...source.watched.values()]).toEqual([WEB]);
    expect(at('info').some((l) => l.msg === 'waiting for service web (file)')).toBe(true);
  });

  it('watches the dependencies of every template, not only those of the batch', async () => {
    const { units, all, source, parts } = await setup();
    units.web.render(inputs());
    await runBatch([units.plain], all, parts);
    expect([...source.watched.values()]).toEqual([WEB]);
  });

  it('keeps going after a render that fails: logged, counted, the others still written', async () => {
    const { units, all, output, parts, at, metrics } = await setup();
    const result = await runBatch([units.broken, units.plain], all, parts);
    expect(output.applied.map((a) => a.destination)).toEqual([units.plain.name]);
    expect(result.changed).toEqual([units.plain.name]);
    expect(at('error').map((l) => l.msg)).toEqual(['render failed; the last good file stays']);
    expect(units.broken.lastError).toMatch(/not a number/);
    expect((await metrics.renderErrors.get()).values).toMatchObject([{ labels: { destination: units.broken.name }, value: 1 }]);
  });

  it('records a refused check as the last error, reloads and commits nothing for it, and does not retry it', async () => {
    const { units, all, output, reloader, parts, retried } = await setup({ once: true });
    output.outcomes.set(units.plain.name, 'check-failed');
    const result = await runBatch([units.plain], all, parts);
    expect(units.plain.lastError).toBe(`check-failed for ${units.plain.name}`);
    expect(units.plain.health.view().lastCheck).toMatchObject({ ok: false, error: `check-failed for ${units.plain.name}` });
    expect(reloader.runs).toEqual([]);
    expect(result).toEqual({ changed: [], committed: [], retry: [] });
    expect(retried).toEqual([]);
    expect(parts.once?.finished([units.plain], true, () => false, { filesChanged: 0, commandsRun: 0 })).toBe(1);
  });

  it('retries a template whose write failed, with backoff, and says its file is not current', async () => {
    const { units, all, output, parts, retried, metrics } = await setup();
    output.outcomes.set(units.plain.name, 'write-failed');
    const result = await runBatch([units.plain], all, parts);
    expect(result.retry).toEqual([units.plain]);
    expect(retried).toEqual([[units.plain]]);
    expect(units.plain.health.view()).toMatchObject({ current: false, notCurrent: { reason: 'write failed' }, retry: { attempts: 1 } });
    expect((await metrics.writeFailures.get()).values).toMatchObject([{ labels: { destination: units.plain.name }, value: 1 }]);
  });

  it('gives back the templates whose files were rolled back, to render and reload again later', async () => {
    const { units, all, reloader, parts, committedIds, succeeded } = await setup();
    reloader.rolledBack = [units.web.name];
    const result = await runBatch([units.plain, units.web], all, parts);
    expect(result.retry).toEqual([units.web]);
    expect(result.committed, 'the template whose file was not rolled back').toEqual([units.plain]);
    expect(committedIds).toEqual([[]]);
    expect(units.web.health.view()).toMatchObject({ current: false, notCurrent: { reason: 'reload failed, rolled back' }, rollbacks: 1 });
    expect(succeeded()).toBe(0);
  });

  it('reloads a file kept after a failed reload (nothing to roll back to) again, even unchanged', async () => {
    const { units, all, output, reloader, parts } = await setup();
    reloader.kept = [units.plain.name];
    expect((await runBatch([units.plain], all, parts)).retry).toEqual([units.plain]);
    expect(units.plain.health.view().notCurrent?.reason).toBe('reload failed, nothing to roll back to');
    reloader.kept = [];
    await runBatch([units.plain], all, parts);
    expect(output.applied.map((a) => a.reloadPending)).toEqual([false, true]);
    expect(units.plain.health.view().current).toBe(true);
  });

  it('counts a failed reload against --once', async () => {
    const { units, all, reloader, parts } = await setup({ once: true });
    reloader.rolledBack = [units.plain.name];
    await runBatch([units.plain], all, parts);
    expect(parts.once?.finished([units.plain], true, () => false, { filesChanged: 1, commandsRun: 1 })).toBe(1);
  });

  it('signals the exec child after the reload, when it runs and a file changed', async () => {
    const { units, all, exec, output, parts } = await setup();
    await runBatch([units.plain], all, parts);
    expect(exec.reloads, 'not running yet').toBe(0);
    exec.running = true;
    output.outcomes.set(units.plain.name, 'unchanged');
    await runBatch([units.plain], all, parts);
    expect(exec.reloads, 'nothing changed').toBe(0);
    output.outcomes.delete(units.plain.name);
    await runBatch([units.plain], all, parts);
    expect(exec.reloads).toBe(1);
  });

  it('hands the files a render read with `file` over to be watched', async () => {
    const { units, all, parts, watchedFiles } = await setup();
    const dir = units.plain.sandbox;
    await writeFile(join(dir, 'snippet.conf'), 'keepalive 8;');
    const reader = await loadUnit(dir, 'reader', '{{file "snippet.conf"}}');
    await runBatch([reader], [...all, reader], parts);
    expect(watchedFiles).toEqual([[join(dir, 'snippet.conf')]]);
  });
});
