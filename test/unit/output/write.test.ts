import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stageDestination, writeDestination, WriteError } from '../../../src/output/write.js';

const dir = () => mkdtempSync(join(tmpdir(), 'ctmpl-write-'));

describe('writeDestination', () => {
  it('writes nothing when the content on disk is the same', async () => {
    const path = join(dir(), 'up.conf');
    writeFileSync(path, 'same');
    const before = statSync(path);
    expect(await stageDestination(path, 'same')).toBe('unchanged');
    expect(await writeDestination(path, 'same')).toBe('unchanged');
    expect(statSync(path).ino).toBe(before.ino);
    expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
  });

  it('stages next to the destination, then replaces it by rename (atomic)', async () => {
    const path = join(dir(), 'up.conf');
    writeFileSync(path, 'old');
    const inode = statSync(path).ino;
    const staged = await stageDestination(path, 'new');
    if (staged === 'unchanged') throw new Error('expected a staged file');
    expect(dirname(staged.staged)).toBe(dirname(path));
    expect(readFileSync(staged.staged, 'utf8')).toBe('new');
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(staged.previous).toBe('old');
    await staged.commit();
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).ino).not.toBe(inode);
    expect(readdirSync(dirname(path))).toEqual(['up.conf']);
  });

  it('leaves the destination untouched when a staged file is discarded', async () => {
    const path = join(dir(), 'up.conf');
    writeFileSync(path, 'old');
    const staged = await stageDestination(path, 'bad');
    if (staged === 'unchanged') throw new Error('expected a staged file');
    await staged.discard();
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(dirname(path))).toEqual(['up.conf']);
  });

  it('restores the previous content after a commit, and removes a file that was new', async () => {
    const base = dir();
    const path = join(base, 'up.conf');
    writeFileSync(path, 'good');
    const staged = await stageDestination(path, 'next');
    if (staged === 'unchanged') throw new Error('expected a staged file');
    await staged.commit();
    await staged.restore();
    expect(readFileSync(path, 'utf8')).toBe('good');
    const fresh = await stageDestination(join(base, 'new.conf'), 'x');
    if (fresh === 'unchanged') throw new Error('expected a staged file');
    await fresh.commit();
    await fresh.restore();
    expect(readdirSync(base)).toEqual(['up.conf']);
  });

  it('writes in place (same inode, mode kept) for bind-mounted files', async () => {
    const path = join(dir(), 'up.conf');
    writeFileSync(path, 'old');
    chmodSync(path, 0o640);
    const inode = statSync(path).ino;
    expect(await writeDestination(path, 'new', { mode: 'in_place' })).toBe('written');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).ino).toBe(inode);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dirname(path))).toEqual(['up.conf']);
  });

  it.each(['EBUSY', 'EXDEV'])('falls back to writing in place when rename fails with %s, and says so', async (code) => {
    const path = join(dir(), 'up.conf');
    writeFileSync(path, 'old');
    const inode = statSync(path).ino;
    const fallbacks: string[] = [];
    const renameFile = async (): Promise<void> => {
      throw Object.assign(new Error(code), { code });
    };
    expect(await writeDestination(path, 'new', { renameFile, onFallback: (_p, c) => fallbacks.push(c) })).toBe('written');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).ino).toBe(inode);
    expect(fallbacks).toEqual([code]);
    expect(readdirSync(dirname(path))).toEqual(['up.conf']);
  });

  it("keeps an existing file's mode", async () => {
    const path = join(dir(), 'up.conf');
    writeFileSync(path, 'old');
    chmodSync(path, 0o600);
    await writeDestination(path, 'new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('creates new files 0644 and missing parent directories', async () => {
    const path = join(dir(), 'a', 'b', 'up.conf');
    await writeDestination(path, 'x');
    expect(statSync(path).mode & 0o777).toBe(0o644);
  });

  it('applies perms when configured', async () => {
    const path = join(dir(), 'secret.conf');
    writeFileSync(path, 'old');
    await writeDestination(path, 'new', { perms: 0o640 });
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it('keeps one .bak of the previous content when backup is on', async () => {
    const path = join(dir(), 'up.conf');
    writeFileSync(path, 'v1');
    await writeDestination(path, 'v2', { backup: true });
    await writeDestination(path, 'v3', { backup: true });
    expect(readFileSync(`${path}.bak`, 'utf8')).toBe('v2');
    expect(readFileSync(path, 'utf8')).toBe('v3');
  });

  it('fails clearly for an unwritable destination and leaves no temp file', async () => {
    const base = dir();
    writeFileSync(join(base, 'file'), 'a regular file');
    const err = await writeDestination(join(base, 'file', 'up.conf'), 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WriteError);
    expect((err as WriteError).message).toMatch(/cannot write .*up\.conf \(ENOTDIR\)/);
    expect(readdirSync(base)).toEqual(['file']);
  });
});
