import { describe, expect, it } from 'vitest';
import type { TemplateUnit } from '../../../src/template/unit.js';
import { OnceTracker } from '../../../src/pipeline/once.js';
import { captureLog } from '../../support/log-capture.js';
import { tempDir } from '../../support/tmp.js';
import { loadUnit } from '../../support/units.js';
import { inputs } from '../template/fixtures.js';

const COUNTS = { filesChanged: 2, commandsRun: 1 };
const WEB = '{{#each (service "web")}}{{Address}}{{/each}}';

/** A unit rendered once against `data`: complete when `web` has data, else waiting for it. */
async function unit(name: string, data: Map<string, unknown> | undefined): Promise<{ unit: TemplateUnit; depId: string }> {
  const u = await loadUnit(await tempDir('ctmpl-once-'), name, WEB);
  const first = u.render(inputs(new Map()));
  if (data) {
    const id = [...u.deps.keys()][0] as string;
    u.render(inputs(new Map([[id, []], ...data])));
  }
  expect(first.kind).toBe('waiting');
  return { unit: u, depId: [...u.deps.keys()][0] as string };
}

const never = (): boolean => false;

describe('OnceTracker', () => {
  it('is not over while a template waits for data that can still arrive, or while work is queued', async () => {
    const { log } = captureLog();
    const tracker = new OnceTracker(log, false);
    const done = await unit('done', new Map());
    const pending = await unit('pending', undefined);
    expect(tracker.finished([done.unit, pending.unit], true, never, COUNTS)).toBeUndefined();
    expect(tracker.finished([done.unit], false, never, COUNTS), 'a batch is still queued').toBeUndefined();
  });

  it('exits 0 once every template rendered, with a summary of what it did', async () => {
    const { log, at } = captureLog();
    const tracker = new OnceTracker(log, false);
    const a = await unit('a', new Map());
    const b = await unit('b', new Map());
    expect(tracker.finished([a.unit, b.unit], true, never, COUNTS)).toBe(0);
    expect(at('info').at(-1)).toMatchObject({ msg: 'summary', templatesRendered: 2, templates: 2, filesChanged: 2, commandsRun: 1, failed: false });
  });

  it('says a dry run wrote nothing and ran nothing', async () => {
    const { log, at } = captureLog();
    const a = await unit('a', new Map());
    expect(new OnceTracker(log, true).finished([a.unit], true, never, COUNTS)).toBe(0);
    expect(at('info').at(-1)?.msg).toMatch(/dry run: nothing written, nothing run/);
  });

  it('exits 1 when a template failed (render, check or write), unless it succeeded later', async () => {
    const { log } = captureLog();
    const a = await unit('a', new Map());
    const failed = new OnceTracker(log, false);
    failed.failure(a.unit);
    expect(failed.finished([a.unit], true, never, COUNTS)).toBe(1);
    const recovered = new OnceTracker(log, false);
    recovered.failure(a.unit);
    recovered.success(a.unit);
    expect(recovered.finished([a.unit], true, never, COUNTS)).toBe(0);
  });

  it('does not wait for a template that failed', async () => {
    const { log } = captureLog();
    const tracker = new OnceTracker(log, false);
    const pending = await unit('pending', undefined);
    tracker.failure(pending.unit);
    expect(tracker.finished([pending.unit], true, never, COUNTS)).toBe(1);
  });

  it('exits 1 when a command failed', async () => {
    const { log } = captureLog();
    const tracker = new OnceTracker(log, false);
    const a = await unit('a', new Map());
    tracker.commandFailure();
    expect(tracker.finished([a.unit], true, never, COUNTS)).toBe(1);
  });

  it('ends a template whose data has all arrived from sources that will not change, yet cannot render: exit 1, and says why', async () => {
    const { log, at } = captureLog();
    const tracker = new OnceTracker(log, false);
    const stuck = await unit('stuck', undefined);
    const settled: string[] = [];
    const code = tracker.finished([stuck.unit], true, (id, source) => (settled.push(`${source} ${id}`), true), COUNTS);
    expect(code).toBe(1);
    expect(settled).toEqual([`file ${stuck.depId}`]);
    expect(at('error').map((e) => e.msg)).toEqual(['template cannot render: the data it waits for does not exist']);
  });

  it('ends the run with exit 1 once a source gave up on a dependency a template needs, naming the source, the dependency and the last error', async () => {
    const { log, at } = captureLog();
    const tracker = new OnceTracker(log, false);
    const waiting = await unit('waiting', undefined);
    const error = 'no answer after 4 attempts (consul retry: 3 retries); last error: ECONNREFUSED';
    const gaveUp = (id: string, source: string): string | undefined => (id === waiting.depId && source === 'file' ? error : undefined);
    expect(tracker.finished([waiting.unit], false, never, COUNTS, gaveUp), 'not before the queued work is done').toBeUndefined();
    expect(tracker.finished([waiting.unit], true, never, COUNTS, gaveUp)).toBe(1);
    expect(at('error')).toEqual([expect.objectContaining({ source: 'file', dependency: waiting.depId, error, msg: `template cannot render: source "file" gave up on ${waiting.depId}: ${error}` })]);
    expect(at('info').at(-1)).toMatchObject({ msg: 'summary', failed: true });
  });
});
