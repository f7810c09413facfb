import { writeFileSync } from 'node:fs';
import { rename, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentWatcher } from '../../../src/util/content-watcher.js';
import { registerCleanup, tempDir } from '../../support/tmp.js';
import { quietFor, until } from '../../support/until.js';

/** A watcher over one file holding `text`; `reports` collects [path, text] pairs in order. */
async function watching(text: string) {
  const dir = await tempDir('ctmpl-watch-');
  const path = join(dir, 'watched.txt');
  await writeFile(path, text);
  const reports: [string, string][] = [];
  const removed: string[] = [];
  const errors: unknown[] = [];
  const watcher = await ContentWatcher.start([{ path, text }], (p, t) => void reports.push([p, t]), { error: (e) => errors.push(e), removed: (p) => removed.push(p) });
  registerCleanup(() => watcher.close());
  const texts = (): string[] => reports.filter(([p]) => p === path).map(([, t]) => t);
  return { dir, path, watcher, reports, texts, removed, errors };
}

describe('ContentWatcher', () => {
  it('reports a file whose content changed, with its new text', async () => {
    const { path, texts, errors } = await watching('one');
    await writeFile(path, 'two');
    await until(() => texts().includes('two'), 'the edit reported');
    expect(texts()).toEqual(['two']);
    expect(errors).toEqual([]);
  });

  it('does not report a save that leaves the content as it was', async () => {
    const { path, texts } = await watching('one');
    await writeFile(path, 'one');
    // Past the watcher's later read of that save (100 ms after its event): nothing was reported.
    // (A later read that fell inside the next in-place rewrite would see it empty; see the class.)
    await quietFor(300);
    expect(texts()).toEqual([]);
    await writeFile(path, 'two');
    await until(() => texts().includes('two'), 'the real edit reported');
    expect(texts()).toEqual(['two']);
  });

  it('never loses the last of several quick successive edits', async () => {
    const { path, texts } = await watching('v0');
    for (let n = 1; n <= 5; n++) await writeFile(path, `v${n}`);
    await until(() => texts().at(-1) === 'v5', 'the last edit reported');
  });

  it("does not report the empty file an in-place rewrite shows between truncate and write", async () => {
    const { path, texts } = await watching('old');
    await truncate(path, 0);
    await quietFor(20);
    await writeFile(path, 'new');
    await until(() => texts().includes('new'), 'the rewrite reported');
    await quietFor(150);
    expect(texts()).not.toContain('');
  });

  it('reports a file that really became empty', async () => {
    const { path, texts } = await watching('old');
    await truncate(path, 0);
    await until(() => texts().includes(''), 'the empty file reported, after the later read');
  });

  it("follows an editor's save by rename", async () => {
    const { dir, path, texts } = await watching('old');
    await writeFile(join(dir, '.watched.txt.swp'), 'saved');
    await rename(join(dir, '.watched.txt.swp'), path);
    await until(() => texts().includes('saved'), 'the renamed-over file reported');
  });

  it('watches a file added later, from then on', async () => {
    const { dir, watcher, reports } = await watching('x');
    const other = join(dir, 'other.txt');
    await writeFile(other, 'first');
    watcher.add(other);
    // A watch added later is armed in the background: write until it sees the edit.
    await until(() => (writeFileSync(other, 'second'), reports.some(([p, t]) => p === other && t === 'second')), 'the added file reported');
  });

  it('says when a watched file is removed', async () => {
    const { path, removed } = await watching('x');
    await rm(path);
    await until(() => removed.includes(path), 'the removal reported');
  });

  it('reports nothing once closed', async () => {
    const { path, watcher, texts } = await watching('old');
    await watcher.close();
    await writeFile(path, 'after close');
    await quietFor(200);
    expect(texts()).toEqual([]);
  });
});
