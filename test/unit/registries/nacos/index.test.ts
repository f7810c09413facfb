import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nacosRegistry } from '../../../../src/registries/nacos/index.js';
import { inputErrorOf } from '../../../support/input-error.js';
import { passwordFile } from '../../../support/nacos/fixture.js';
import { registerCleanup } from '../../../support/tmp.js';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../src/registries/nacos');

/** Every module reached from `file` through static imports (dynamic `import()` is not followed). */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  if (!file.startsWith('/')) return seen;
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/^(?:import|export)\s(?!type\b)[^;]*?\sfrom\s'([^']+)'/gms)) {
    const spec = match[1] as string;
    staticImports(spec.startsWith('.') ? resolve(dirname(file), spec).replace(/\.js$/, '.ts') : spec, seen);
  }
  return seen;
}

describe('the Nacos registry definition', () => {
  it('answers services and lists them, with dotted names, no keys, no nodes, no query options', () => {
    expect(nacosRegistry.schemes).toEqual(['nacos']);
    expect(nacosRegistry.capabilities).toEqual({ services: true, listing: true, keys: false, dottedNames: true, queryOptions: [], nodes: false });
  });

  it('parses a URI, reads its password file at load (naming the file, never its content), and describes it without credentials', async () => {
    const file = await passwordFile('');
    const settings = nacosRegistry.parse({ scheme: 'nacos', rest: `//ctmpl@h:8848?password_file=${file}` }, { baseDir: '/etc/ctmpl', what: '--source', env: {}, shared: undefined });
    const [check] = nacosRegistry.files?.(settings) ?? [];
    expect(check?.kind).toBe('secret');
    await writeFile(file, '\n');
    const err = inputErrorOf(() => (check as { read(): void }).read());
    expect(err.describe()).toContain(`${file}: the Nacos password file is empty`);
    await writeFile(file, 'pw\n');
    (check as { read(): void }).read();
    expect(nacosRegistry.files?.(nacosRegistry.parse({ scheme: 'nacos', rest: '//h' }, { baseDir: '/', what: 'x', env: {}, shared: undefined }))).toEqual([]);
    expect(nacosRegistry.describe(settings)).toBe('nacos://ctmpl@h:8848?namespace=public&group=DEFAULT_GROUP');
  });

  it('loads gRPC only when a source is created', async () => {
    const loaded = [...staticImports(`${SRC}/index.ts`)];
    expect(loaded.filter((m) => m.startsWith('@grpc/') || m.endsWith('/source.ts') || m.endsWith('/proto.ts'))).toEqual([]);
    expect(staticImports(`${SRC}/source.ts`).has('@grpc/grpc-js')).toBe(true);
    const source = await nacosRegistry.create('n', nacosRegistry.parse({ scheme: 'nacos', rest: '//127.0.0.1:1' }, { baseDir: '/', what: 'x', env: {}, shared: undefined }), { watch: true });
    registerCleanup(() => source.stop());
    expect(source.description).toBe('nacos://127.0.0.1:1?namespace=public&group=DEFAULT_GROUP');
  });
});
