/**
 * The Node versions the benchmarks run ctmpl under: the machine's Node and the current LTS (24),
 * so each figure has a column per version.
 *
 * - BENCH_NODES=path,path,… names the binaries ("current" is the Node running the benchmark).
 * - Otherwise: the Node running the benchmark, the first `node` on PATH outside node_modules/.bin
 *   (the machine's, when npm scripts run a node installed as a package), and Node 24: the
 *   `node-<platform>-<arch>` npm package (the real binary, as the `node` package installs it),
 *   installed once with npm into ~/.cache/ctmpl/node-<version>, outside the repository, as
 *   test/support/obtain-tools.sh does for consul. BENCH_NODE24_VERSION changes the version.
 * Versions found twice are run once.
 *
 * Run directly, prints the path of the Node 24 binary (installing it first when missing), for CI
 * to run the test suites under it too:
 *   PATH="$(dirname "$(node dist/bench/node-versions.js)"):$PATH" npx vitest run --project unit
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, sep } from 'node:path';
import { isMain, progress } from './common.js';

export interface NodeBinary {
  readonly path: string;
  /** e.g. v24.22.3 */
  readonly version: string;
  readonly major: number;
}

/** Node 24 LTS, pinned (checked on this project's machines: installs in seconds, runs the suites). */
export const NODE24_VERSION = process.env.BENCH_NODE24_VERSION ?? '24.22.3';

function describe(path: string): NodeBinary | undefined {
  const out = spawnSync(path, ['--version'], { encoding: 'utf8' });
  const version = out.stdout?.trim() ?? '';
  const major = Number(/^v(\d+)\./.exec(version)?.[1]);
  return out.status === 0 && Number.isFinite(major) ? { path, version, major } : undefined;
}

/** The first `node` on PATH that is not a package's shim in some node_modules/.bin. */
function machineNode(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '' || dir.includes(`node_modules${sep}.bin`)) continue;
    const candidate = join(dir, 'node');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Node `version` from npm (`node-<platform>-<arch>`), installed once into the cache. */
export function obtainNode(version: string): string {
  const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ctmpl', `node-${version}`);
  const pkg = `node-${process.platform}-${process.arch}`;
  const binary = join(cache, 'node_modules', pkg, 'bin', 'node');
  if (existsSync(binary)) return binary;
  progress(`obtaining Node ${version} (npm install ${pkg}@${version} into ${cache})…`);
  mkdirSync(cache, { recursive: true });
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', cache, `${pkg}@${version}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(binary)) throw new Error(`npm installed ${pkg}@${version} but ${binary} is missing`);
  return binary;
}

let chosen: readonly NodeBinary[] | undefined;

/** The Node binaries to run ctmpl under, oldest first. */
export function benchNodes(): readonly NodeBinary[] {
  if (chosen) return chosen;
  const spec = process.env.BENCH_NODES;
  const paths = spec
    ? spec.split(',').map((p) => (p.trim() === 'current' ? process.execPath : p.trim())).filter((p) => p !== '')
    : [process.execPath, machineNode(), obtainNode(NODE24_VERSION)].filter((p): p is string => p !== undefined);
  const byVersion = new Map<string, NodeBinary>();
  for (const path of paths) {
    const node = describe(realpathSync(path));
    if (!node) throw new Error(`${path} is not a working node binary`);
    if (!byVersion.has(node.version)) byVersion.set(node.version, node);
  }
  chosen = [...byVersion.values()].sort((a, b) => a.major - b.major);
  return chosen;
}

if (isMain(import.meta.url)) process.stdout.write(`${obtainNode(NODE24_VERSION)}\n`);
