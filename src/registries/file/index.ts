import { resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import { InputError } from '../../errors.js';
import type { RegistryDefinition } from '../definition.js';

export interface FileSettings {
  /** Absolute path of the catalog file. */
  readonly path: string;
}

/** The static catalog file: the embedded default, needing no registry (`file:PATH`, YAML or JSON). */
export const fileRegistry: RegistryDefinition<FileSettings> = {
  name: 'file',
  schemes: ['file'],
  syntax: 'file:PATH',
  capabilities: { services: true, listing: true, keys: true, dottedNames: false, queryOptions: [], nodes: false },
  parse(uri, { baseDir, what }) {
    // `file:x.yaml`, `file:/abs.yaml`, and `file:///abs.yaml` as URIs write it.
    const path = uri.rest.replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new InputError(`${what}: "file:${uri.rest}" names no file`, undefined, 'write file:PATH, e.g. file:catalog.yaml');
    return { path: resolve(baseDir, path) };
  },
  files: (settings) => [{ kind: 'file', path: settings.path, describe: 'the catalog file' }],
  describe: (settings) => `file:${settings.path}`,
  async create(name, settings, options) {
    const { FileSource } = await import('./source.js');
    return new FileSource(name, settings.path, { watch: options.watch });
  },
  async check(settings) {
    const { parseCatalog } = await import('./catalog.js');
    let text: string;
    try {
      text = await readFile(settings.path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      // A missing file is already reported by the load, against the flag or key that names it.
      if (code === 'ENOENT') return;
      throw new InputError(`cannot read catalog file (${code})`, settings.path, 'check the path given to --source file:PATH');
    }
    parseCatalog(settings.path, text, 'file');
  },
};
