/**
 * `npm run build` (after tsc): bundles the CLI with esbuild so that starting it reads a few files
 * instead of ~150 modules and their packages. Writes dist/src/bin.js (over tsc's unbundled entry,
 * so every path that names it — package.json `bin`, the Dockerfile, the tests — runs the bundle)
 * and the lazily loaded parts in dist/src/bundle/.
 *
 * - The entry is a small launcher: it answers `--version` alone itself, turns on Node's module
 *   compile cache where the running Node has it (22.1+; NODE_DISABLE_COMPILE_CACHE=1 turns it
 *   off) and then imports the program, so its code is compiled once per version, not at every start.
 * - Node's own modules are required, not imported (see BUILTINS_AS_COMMONJS); the costly ones
 *   that most runs never use are required on first use (LOADED_ON_FIRST_USE).
 * - Optional parts stay lazy: each `await import()` in src/ (a registry's source, exec mode,
 *   metrics, execa) becomes a chunk of its own, loaded only when used.
 * - Packages that read their own files at run time (etcd3's .proto files through __dirname), load
 *   native code, or are loaded through createRequire on demand stay outside the bundle and are
 *   resolved from node_modules as before.
 *
 *   tsx scripts/bundle.ts [--metafile] [--profile] [--no-sourcemap]
 *   (--metafile also writes dist/bundle-meta.json, for size analysis; --profile leaves the code
 *   unminified, for readable CPU profiles; --no-sourcemap for the image, which ships no sources)
 */
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'dist', 'src');
const CHUNK_DIR = 'bundle';

/** The version `ctmpl --version` prints (package.json's, as src/util/version.ts reads it). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

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
] as const;

/** CommonJS code inside an ESM bundle still calls `require` (for Node's own modules): give it one. */
const REQUIRE_SHIM = "const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);";

/**
 * The launcher (dist/src/bin.js). `ctmpl --version` alone is answered here, from the version the
 * bundle was built with: nothing else to load. Otherwise it turns on the compile cache, then
 * imports the program (its own chunk, so that it is compiled after the cache is on).
 * `process.getBuiltinModule` (Node 20.16+) reads node:module without an ESM import of it.
 */
export function launcher(version: string): string {
  return `#!/usr/bin/env node
// Written by scripts/bundle.ts: see there.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  process.stdout.write(${JSON.stringify(`${version}\n`)});
} else {
  const { enableCompileCache } = process.getBuiltinModule('node:module');
  // Node 22.1+ keeps compiled code on disk (os.tmpdir()/node-compile-cache, or NODE_COMPILE_CACHE;
  // NODE_DISABLE_COMPILE_CACHE=1 turns it off); older Node starts as before.
  try {
    enableCompileCache?.();
  } catch {
    // An unwritable cache directory only costs start-up time.
  }
  // On Node 20 (V8 11) a daemon keeps V8's young generation at its first size (1 MiB
  // semi-spaces) instead of letting the start-up burst grow it to 32 MiB that stay resident until
  // V8's memory reducer runs: ~25 MiB less RSS at 10,000 instances, for ~200 more young-generation
  // collections (~0.15 s of CPU) until the first render. Node 22+ lets it grow and gives it back
  // after the first render (src/util/compact-heap.ts). Set at run time on purpose (V8 raises the
  // factor to 2 when it is given on the command line). --once and an explicit
  // --max-semi-space-size (NODE_OPTIONS) keep V8's default.
  const own = \`\${process.execArgv.join(' ')} \${process.env.NODE_OPTIONS ?? ''}\`;
  const oldV8 = Number(process.versions.v8.split('.')[0]) < 12;
  if (oldV8 && !args.includes('--once') && !own.includes('semi-space')) {
    process.getBuiltinModule('node:v8').setFlagsFromString('--semi-space-growth-factor=1');
  }
  await import('./${CHUNK_DIR}/main.js');
}
`;
}

/**
 * Node's own modules are loaded with `require`, not `import`: an ESM import of a built-in copies
 * every export, and on Node 24 reading `node:http`'s exports loads the whole of undici (~40 ms of
 * start-up for nothing). As CommonJS, esbuild reads each property only where the code uses it.
 */
const BUILTINS_AS_COMMONJS: Plugin = {
  name: 'builtins-as-commonjs',
  setup(b) {
    const names = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    b.onResolve({ filter: /^(node:)?[a-z0-9_/]+$/ }, (args) => {
      if (!names.has(args.path) || args.namespace === 'builtin') return undefined;
      return { path: args.path.replace(/^node:/, ''), namespace: 'builtin' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: builtinModuleSource(args.path), loader: 'js' }));
  },
};

/**
 * Built-ins that cost start-up time (node:crypto alone loads some thirty of Node's internal
 * modules) and that the code paths of most runs never touch: commander's executable subcommands
 * (child_process), pino's transports (worker_threads), HTTPS probes, exec mode. Each becomes an
 * object of getters, its export names read when bundling, that loads the module on first use
 * (never a module whose export is itself a function, as node:assert's is).
 */
export const LOADED_ON_FIRST_USE: ReadonlySet<string> = new Set(['child_process', 'crypto', 'dgram', 'https', 'readline', 'tls', 'worker_threads', 'zlib']);

function builtinModuleSource(name: string): string {
  if (!LOADED_ON_FIRST_USE.has(name)) return `module.exports = require('node:${name}');`;
  const exported = Object.getOwnPropertyNames(process.getBuiltinModule(`node:${name}`) as object);
  const getters = exported.map((key) => `get ${JSON.stringify(key)}() { return load()[${JSON.stringify(key)}]; }`);
  return `let loaded; const load = () => (loaded ??= require('node:${name}'));\nmodule.exports = { ${getters.join(', ')} };`;
}

/**
 * Handlebars loads Mozilla's source-map library at start-up only to offer source maps of compiled
 * templates, which ctmpl never asks for; without it Handlebars uses its own minimal stand-in and
 * generates the same code. 62 KiB less to load and run at every start.
 */
const NO_SOURCE_MAP_IN_HANDLEBARS: Plugin = {
  name: 'no-source-map-in-handlebars',
  setup(b) {
    b.onResolve({ filter: /^source-map$/ }, (args) => (/[\\/]handlebars[\\/]/.test(args.importer) ? { path: 'source-map', namespace: 'left-out' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'left-out' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

export function bundleOptions(profile = false, sourcemap = true): BuildOptions {
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
    plugins: [BUILTINS_AS_COMMONJS, NO_SOURCE_MAP_IN_HANDLEBARS],
    banner: { js: REQUIRE_SHIM },
    // Less to read and compile at start-up; names are kept so stack traces stay readable.
    minifyWhitespace: !profile,
    minifySyntax: !profile,
    keepNames: false,
    legalComments: 'eof',
    sourcemap: sourcemap ? 'linked' : false,
    logLevel: 'warning',
  };
}

/** Bundles into `outDir` (dist/src by default): the launcher as bin.js, the program in bundle/. */
export async function bundle(options: { outDir?: string; profile?: boolean; sourcemap?: boolean; extra?: BuildOptions } = {}): Promise<Metafile> {
  const outDir = options.outDir ?? OUT_DIR;
  rmSync(join(outDir, CHUNK_DIR), { recursive: true, force: true });
  const result = await build({ ...bundleOptions(options.profile, options.sourcemap), outdir: outDir, ...options.extra, metafile: true });
  writeFileSync(join(outDir, 'bin.js'), launcher(packageVersion()), { mode: 0o755 });
  rmSync(join(outDir, 'bin.js.map'), { force: true });
  return result.metafile;
}

async function main(): Promise<void> {
  const metafile = await bundle({ profile: process.argv.includes('--profile'), sourcemap: !process.argv.includes('--no-sourcemap') });
  const result = { metafile };
  const outputs = Object.entries(result.metafile.outputs).filter(([path]) => path.endsWith('.js'));
  const bytes = outputs.reduce((n, [, o]) => n + o.bytes, 0);
  const main = outputs.find(([path]) => path.endsWith(`${CHUNK_DIR}/main.js`));
  if (process.argv.includes('--metafile')) writeFileSync(join(ROOT, 'dist', 'bundle-meta.json'), JSON.stringify(result.metafile));
  process.stdout.write(
    `bundle: ${relative(ROOT, join(OUT_DIR, 'bin.js'))} → ${CHUNK_DIR}/main.js (${Math.round((main?.[1].bytes ?? 0) / 1024)} KiB) and ${outputs.length - 1} lazy chunks, ${Math.round(bytes / 1024)} KiB in all\n`,
  );
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await main();
