import { writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TemplateFileWatch } from '../../../src/template/file-watch.js';
import { partialSet } from '../../../src/template/engine.js';
import { TemplateUnit } from '../../../src/template/unit.js';
import { captureLog } from '../../support/log-capture.js';
import { registerCleanup, tempDir } from '../../support/tmp.js';
import { until } from '../../support/until.js';
import { loadUnit } from '../../support/units.js';
import { inputs } from './fixtures.js';

async function setup() {
  const dir = await tempDir('ctmpl-file-watch-');
  const a = await loadUnit(dir, 'a', 'a: first');
  const b = await loadUnit(dir, 'b', 'b: {{file "snippet.conf"}}');
  await writeFile(join(dir, 'snippet.conf'), 'snippet one');
  const due: TemplateUnit[] = [];
  const capture = captureLog();
  const watch = await TemplateFileWatch.start([a, b], undefined, (unit) => due.push(unit), capture.log);
  registerCleanup(() => watch.close());
  const text = (unit: TemplateUnit): string | undefined => {
    const outcome = unit.render(inputs(new Map(), { sandbox: unit.sandbox }));
    return outcome.kind === 'complete' ? outcome.text : undefined;
  };
  return { dir, a, b, due, watch, text, ...capture };
}

describe('TemplateFileWatch', () => {
  it('recompiles an edited template and makes only that one due', async () => {
    const { a, due, text } = await setup();
    await writeFile(a.config.source, 'a: second');
    await until(() => due.includes(a), 'the edited template due');
    expect(text(a)).toBe('a: second');
    expect(due.every((u) => u === a)).toBe(true);
  });

  it('keeps the last good template after a broken edit, says where it is broken, and takes the next good one', async () => {
    const { a, due, text, at } = await setup();
    await writeFile(a.config.source, 'a: {{#each (services)}}never closed');
    await until(() => at('error').length > 0, 'the broken edit reported');
    expect(at('error')[0]).toMatchObject({ template: a.config.source, msg: 'template has errors; keeping the last good output' });
    expect(String(at('error')[0]?.err)).toContain(a.config.source);
    expect(due).toEqual([]);
    expect(text(a)).toBe('a: first');
    await writeFile(a.config.source, 'a: fixed');
    await until(() => due.includes(a), 'the fixed template due');
    expect(text(a)).toBe('a: fixed');
  });

  it('never loses the last of quick successive edits', async () => {
    const { a, due, text } = await setup();
    for (let n = 1; n <= 4; n++) await writeFile(a.config.source, `a: edit ${n}`);
    await until(() => due.includes(a) && text(a) === 'a: edit 4', 'the last edit compiled');
  });

  it('makes a template due when a file it read with `file` changes, once that file is handed over', async () => {
    const { dir, b, due, watch, text } = await setup();
    expect(text(b)).toBe('b: snippet one');
    watch.add(b.files);
    // A watch added later is armed in the background: write until it sees the edit.
    await until(() => (writeFileSync(join(dir, 'snippet.conf'), 'snippet two'), due.includes(b)), 'the reading template due');
    expect(text(b)).toBe('b: snippet two');
  });
});

describe('TemplateFileWatch over a partials directory', () => {
  it('an edited partial renders every template again; a broken edit keeps its last good text', async () => {
    const dir = await tempDir('ctmpl-file-watch-partials-');
    const parts = join(dir, 'parts');
    await mkdir(parts);
    await writeFile(join(parts, 'line.hbs'), 'one');
    const partials = partialSet(parts);
    await partials.load();
    const load = async (name: string, text: string): Promise<TemplateUnit> => {
      const source = join(dir, `${name}.hbs`);
      await writeFile(source, text);
      return TemplateUnit.load({ source, destination: join(dir, 'out', name), command: undefined, wait: undefined, perms: undefined, backup: false, sandbox: dir }, partials);
    };
    const a = await load('a', 'a: {{> line}}');
    const b = await load('b', 'b: static');
    const due: TemplateUnit[] = [];
    const capture = captureLog();
    const watch = await TemplateFileWatch.start([a, b], partials, (unit) => due.push(unit), capture.log);
    registerCleanup(() => watch.close());
    const text = (unit: TemplateUnit): string | undefined => {
      const outcome = unit.render(inputs(new Map(), { sandbox: unit.sandbox }));
      return outcome.kind === 'complete' ? outcome.text : undefined;
    };
    expect(text(a)).toBe('a: one');
    await writeFile(join(parts, 'line.hbs'), 'two');
    await until(() => due.includes(a) && due.includes(b), 'every template due');
    expect(text(a)).toBe('a: two');
    due.length = 0;
    await writeFile(join(parts, 'line.hbs'), '{{#if}}');
    await until(() => capture.at('error').length > 0, 'the broken partial reported');
    expect(capture.at('error')[0]).toMatchObject({ partial: join(parts, 'line.hbs'), msg: 'partial has errors; keeping its last good text' });
    expect(due).toEqual([]);
    expect(text(a)).toBe('a: two');
  });
});
