import { writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TemplateFileWatch } from '../../../src/template/file-watch.js';
import type { TemplateUnit } from '../../../src/template/unit.js';
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
  const watch = await TemplateFileWatch.start([a, b], (unit) => due.push(unit), capture.log);
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
