import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDestination, WriteError } from '../../../src/output/write.js';

const dir = () => mkdtempSync(join(tmpdir(), 'ctmpl-write-'));

describe('writeDestination', () => {
  it('writes nothing when the content on disk is the same', async () => {
    const path = join(dir(), 'up.conf');
    writeFileSync(path, 'same');
    const before = statSync(path);
    let temp: string | undefined;
    expect(await writeDestination(path, 'same', { onTempFile: (t) => (temp = t) })).toBe('unchanged');
    expect(temp).toBeUndefined();
    expect(statSync(path).ino).toBe(before.ino);
  });

  it('replaces the file through a temp file in the same directory (atomic rename)', async () => {
    const path = join(dir(), 'up.conf');
    writeFileSync(path, 'old');
    const inode = statSync(path).ino;
    let temp: string | undefined;
    expect(await writeDestination(path, 'new', { onTempFile: (t) => (temp = t) })).toBe('written');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(temp && dirname(temp)).toBe(dirname(path));
    expect(statSync(path).ino).not.toBe(inode);
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
