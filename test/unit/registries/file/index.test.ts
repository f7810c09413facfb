import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileRegistry } from '../../../../src/registries/file/index.js';
import { inputErrorOf } from '../../../support/input-error.js';
import { tempDir } from '../../../support/tmp.js';

const context = { baseDir: '/conf', what: '--source "file:"', env: {}, shared: undefined };

describe('the file registry', () => {
  it.each([
    ['catalog.yaml', '/conf/catalog.yaml'],
    ['/etc/ctmpl/catalog.yaml', '/etc/ctmpl/catalog.yaml'],
    ['///etc/ctmpl/catalog.yaml', '/etc/ctmpl/catalog.yaml'],
  ])('reads file:%s as %s', (rest, path) => {
    expect(fileRegistry.parse({ scheme: 'file', rest }, context)).toEqual({ path });
  });

  it('refuses a file: URI without a path', () => {
    expect(inputErrorOf(() => fileRegistry.parse({ scheme: 'file', rest: '' }, context)).message).toBe('--source "file:": "file:" names no file');
  });

  it('describes the source by its path, and asks for the file to be checked at load', () => {
    expect(fileRegistry.describe({ path: '/c.yaml' })).toBe('file:/c.yaml');
    expect(fileRegistry.files?.({ path: '/c.yaml' })).toEqual([{ kind: 'file', path: '/c.yaml', describe: 'the catalog file' }]);
  });

  it('checks the catalog offline for `ctmpl validate`, leaving a missing file to the load', async () => {
    const dir = await tempDir('ctmpl-file-registry-');
    await writeFile(join(dir, 'good.yaml'), 'services:\n  web:\n    - { address: 10.0.0.1, port: 80 }\n');
    await writeFile(join(dir, 'bad.yaml'), 'services:\n  web:\n    - { address: 10.0.0.1 }\n');
    await expect(fileRegistry.check?.({ path: join(dir, 'good.yaml') })).resolves.toBeUndefined();
    await expect(fileRegistry.check?.({ path: join(dir, 'missing.yaml') })).resolves.toBeUndefined();
    await expect(fileRegistry.check?.({ path: join(dir, 'bad.yaml') })).rejects.toMatchObject({ where: `${join(dir, 'bad.yaml')}:3:7` });
  });
});
