/**
 * `npm run build` (after tsc): bundles the CLI with esbuild so that starting it reads a few files
 * instead of ~150 modules and their packages. Writes dist/src/bin.js (over tsc's unbundled entry,
 * so every path that names it — package.json `bin`, the Dockerfile, the tests — runs the bundle)
 * and the lazily loaded parts in dist/src/bundle/.
 *
 * - The entry is a small launcher: it turns on Node's module compile cache where the running Node
 *   has it (22.1+; NODE_DISABLE_COMPILE_CACHE=1 turns it off) and then imports the program, so
 *   the program's code is compiled once per version, not at every start.
 * - Optional parts stay lazy: each `await import()` in src/ (a registry's source, exec mode,
 *   metrics, execa) becomes a chunk of its own, loaded only when used.
 * - Packages that read their own files at run time (etcd3's .proto files through __dirname), load
 *   native code, or are loaded through createRequire on demand stay outside the bundle and are
 *   resolved from node_modules as before.
 *
 *   tsx scripts/bundle.ts [--metafile]   (--metafile also writes dist/bundle-meta.json, for size analysis)
 */
import { build, type BuildOptions } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'dist', 'src');
const CHUNK_DIR = 'bundle';

/**
 * Kept out of the bundle: loaded from node_modules at run time. etcd3 reads its .proto files
 * relative to its own directory; grpc and protobufjs come with it (etcd, Nacos); the others are
 * native (node-unix-socket) or already loaded on demand through createRequire.
 */
export const EXTERNAL_PACKAGES = [
  'etcd3',
  '@grpc/grpc-js',
  '@grpc/proto-loader',
  'protobufjs',
  'node-zookeeper-client',
  'node-unix-socket',
  'pino-pretty',
  'consul',
] as const;

/** CommonJS code inside an ESM bundle still calls `require` (for Node's own modules): give it one. */
const REQUIRE_SHIM = "import { createRequire as __ctmplCreateRequire } from 'node:module'; const require = __ctmplCreateRequire(import.meta.url);";

/** The launcher: compile cache first, then the program (its own chunk, so it is compiled after the cache is on). */
const LAUNCHER = `#!/usr/bin/env node
import module from 'node:module';
// Node 22.1+ keeps compiled code on disk (os.tmpdir()/node-compile-cache unless NODE_COMPILE_CACHE
// says otherwise); older Node starts as before.
if (typeof module.enableCompileCache === 'function' && !process.env.NODE_DISABLE_COMPILE_CACHE) {
  try { module.enableCompileCache(); } catch { /* a read-only or missing cache directory only costs speed */ }
}
await import('./${CHUNK_DIR}/main.js');
`;

export function bundleOptions(): BuildOptions {
  return {
    absWorkingDir: ROOT,
    entryPoints: { [`${CHUNK_DIR}/main`]: 'src/bin.ts' },
    outdir: OUT_DIR,
    chunkNames: `${CHUNK_DIR}/[name]-[hash]`,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    external: [...EXTERNAL_PACKAGES],
    banner: { js: REQUIRE_SHIM },
    // Less to read and compile at start-up; names are kept so stack traces stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: false,
    legalComments: 'eof',
    sourcemap: 'linked',
    logLevel: 'warning',
  };
}

async function main(): Promise<void> {
  rmSync(join(OUT_DIR, CHUNK_DIR), { recursive: true, force: true });
  const result = await build({ ...bundleOptions(), metafile: true });
  writeFileSync(join(OUT_DIR, 'bin.js'), LAUNCHER, { mode: 0o755 });
  rmSync(join(OUT_DIR, 'bin.js.map'), { force: true });
  const outputs = Object.entries(result.metafile.outputs).filter(([path]) => path.endsWith('.js'));
  const bytes = outputs.reduce((n, [, o]) => n + o.bytes, 0);
  const main = outputs.find(([path]) => path.endsWith(`${CHUNK_DIR}/main.js`));
  if (process.argv.includes('--metafile')) writeFileSync(join(ROOT, 'dist', 'bundle-meta.json'), JSON.stringify(result.metafile));
  process.stdout.write(
    `bundle: ${relative(ROOT, join(OUT_DIR, 'bin.js'))} → ${CHUNK_DIR}/main.js (${Math.round((main?.[1].bytes ?? 0) / 1024)} KiB) and ${outputs.length - 1} lazy chunks, ${Math.round(bytes / 1024)} KiB in all\n`,
  );
}

await main();
