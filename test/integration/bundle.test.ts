/**
 * The bundled CLI (scripts/bundle.ts), built into a temporary directory: the launcher answers
 * --version alone without loading the program, the program loads from one main chunk with the
 * optional parts in lazy chunks, Node's own modules are required (not imported: see
 * BUILTINS_AS_COMMONJS) and the costly ones only when used (LOADED_ON_FIRST_USE), and packages
 * that read their own files stay outside the bundle.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { bundle, EXTERNAL_PACKAGES, launcher, LOADED_ON_FIRST_USE } from '../../scripts/bundle.js';
import { REPO_ROOT } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let dir: string;
let chunks: Record<string, string>;

beforeAll(async () => {
  dir = await tempDir('ctmpl-bundle-');
  // The chunks are ES modules, as dist/src's are through the package's "type".
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  await bundle({ outDir: dir });
  chunks = Object.fromEntries(readdirSync(join(dir, 'bundle')).filter((f) => f.endsWith('.js')).map((f) => [f, readFileSync(join(dir, 'bundle', f), 'utf8')]));
}, 60_000);

const run = (...args: string[]): { status: number | null; stdout: string } => spawnSync(process.execPath, [join(dir, 'bin.js'), ...args], { encoding: 'utf8' });

describe('the bundled CLI', () => {
  test('--version alone is answered by the launcher, with the version of package.json and nothing loaded', () => {
    const [versionBranch] = launcher(VERSION).split('} else {');
    expect(versionBranch).not.toMatch(/import|require|getBuiltinModule/);
    for (const flag of ['--version', '-v']) {
      const out = run(flag);
      expect(out.status).toBe(0);
      expect(out.stdout).toBe(`${VERSION}\n`);
    }
  });

  test('other arguments load the program: --help prints the usage', () => {
    const out = run('--help');
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^Usage: ctmpl /);
  });

  test('the program is one main chunk; registries, exec mode and metrics are chunks loaded when used', () => {
    expect(Object.keys(chunks)).toContain('main.js');
    const lazy = Object.entries(chunks).filter(([name]) => name !== 'main.js');
    expect(lazy.some(([, text]) => text.includes('prom-client') || text.includes('collectDefaultMetrics'))).toBe(true);
    // The main chunk imports other chunks statically only for code it shares with them.
    expect(chunks['main.js']).not.toMatch(/collectDefaultMetrics/);
  });

  test("Node's own modules are required, never imported as ES modules (an import of node:http loads undici on Node 24)", () => {
    const imports = Object.entries(chunks).flatMap(([name, text]) => [...text.matchAll(/\b(?:from|import)\s*\(?\s*["']node:[\w/]+["']/g)].map((m) => `${name}: ${m[0]}`));
    expect(imports).toEqual([]);
  });

  test('packages that read their own files at run time stay outside the bundle', () => {
    const all = Object.values(chunks).join('\n');
    expect(EXTERNAL_PACKAGES).toContain('etcd3');
    // etcd3 loads its .proto files relative to its own directory: bundled, that path would be wrong.
    expect(all).not.toMatch(/proto\/rpc\.proto/);
    expect(all).toMatch(/["']etcd3["']/);
  });

  test('--once over a static catalog loads none of the costly built-ins it does not use', () => {
    const out = join(dir, 'upstreams.conf');
    const listFile = join(dir, 'loaded.json');
    const preload = join(dir, 'list-modules.cjs');
    // Packages kept outside the bundle (yaml reads the catalog) resolve from node_modules, as in an install.
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(listFile)}, JSON.stringify(process.moduleLoadList)));`);
    const example = join(REPO_ROOT, 'templates');
    const once = spawnSync(process.execPath, ['-r', preload, join(dir, 'bin.js'), '--once', '--log-level', 'error', '--source', `file:${join(example, 'examples', 'catalog.yaml')}`, '-t', `${join(example, 'nginx-upstream.hbs')}:${out}`], { encoding: 'utf8' });
    expect(once.stderr).toBe('');
    expect(once.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^upstream /m);
    const loaded = new Set(JSON.parse(readFileSync(listFile, 'utf8')) as string[]);
    // Loaded in any run: pino asks worker_threads' isMainThread at start, and Node loads crypto for itself.
    const usedByEveryRun = new Set(['crypto', 'worker_threads']);
    const deferred = [...LOADED_ON_FIRST_USE].filter((name) => !usedByEveryRun.has(name) && loaded.has(`NativeModule ${name}`));
    expect(deferred).toEqual([]);
  });
});
