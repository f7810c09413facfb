import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { refuseOverwrite, writeWhole } from '../../../src/migrate/write.js';
import { tempDir } from '../../support/tmp.js';

describe('writing conversions', () => {
  it('refuses, before writing anything, to replace files that exist, unless forced', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.hbs'), 'mine');
    const attempt = refuseOverwrite([join(dir, 'a.hbs'), join(dir, 'b.hbs')], false, (p) => p.slice(dir.length + 1));
    await expect(attempt).rejects.toBeInstanceOf(InputError);
    await expect(attempt).rejects.toMatchObject({ where: '--out', message: '1 file(s) to write already exist: a.hbs' });
    await expect(refuseOverwrite([join(dir, 'a.hbs')], true, (p) => p)).resolves.toBeUndefined();
  });

  it('writes whole files into new directories and leaves no temporary file', async () => {
    const dir = await tempDir();
    await writeWhole(join(dir, 'x', 'y', 'a.hbs'), 'text');
    expect(await readFile(join(dir, 'x', 'y', 'a.hbs'), 'utf8')).toBe('text');
    expect(await readdir(join(dir, 'x', 'y'))).toEqual(['a.hbs']);
  });
});
