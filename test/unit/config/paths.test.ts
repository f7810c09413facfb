import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireDirectory, requireFile } from '../../../src/config/paths.js';
import { tempDir } from '../../support/tmp.js';

async function setup() {
  const dir = await tempDir('ctmpl-paths-');
  await writeFile(join(dir, 'file.txt'), 'x');
  await mkdir(join(dir, 'sub'));
  return dir;
}

describe('requireFile and requireDirectory', () => {
  it('accept a readable file, and a readable directory', async () => {
    const dir = await setup();
    await expect(requireFile(join(dir, 'file.txt'), '--template', 'the template')).resolves.toBeUndefined();
    await expect(requireDirectory(join(dir, 'sub'), '--sandbox-path', 'the sandbox directory')).resolves.toBeUndefined();
  });

  it('say what is missing, for which setting, and what to give instead', async () => {
    const dir = await setup();
    const err = await requireFile(join(dir, 'none.hbs'), '--template', 'the template').catch((e: unknown) => e);
    expect(err).toMatchObject({ message: `--template: the template ${join(dir, 'none.hbs')} does not exist`, hint: 'give the path of a readable file' });
  });

  it('refuse a directory where a file is wanted, and the other way round', async () => {
    const dir = await setup();
    await expect(requireFile(join(dir, 'sub'), 'x', 'the template')).rejects.toThrow(`x: ${join(dir, 'sub')} is a directory`);
    await expect(requireDirectory(join(dir, 'file.txt'), 'x', 'the sandbox')).rejects.toThrow(`x: ${join(dir, 'file.txt')} is not a directory`);
  });

  it.skipIf(process.getuid?.() === 0)('refuse a file that cannot be read, with the reason', async () => {
    const dir = await setup();
    await chmod(join(dir, 'file.txt'), 0o000);
    await expect(requireFile(join(dir, 'file.txt'), 'x', 'the template')).rejects.toThrow(/cannot be read \(EACCES\)/);
  });
});
