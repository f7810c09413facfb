/**
 * Packaging and deployment files:
 * - `npm pack` from a clean copy of the working tree (prepack builds), the tarball's contents, and
 *   the package installed from it (`npx ctmpl`);
 * - deploy/Dockerfile: parsed and checked (the image itself is built and run in
 *   test/integration/sidecar.test.ts, `npx vitest run --project sidecar` (part of `npm test`));
 * - the image's HEALTHCHECK command against a real ctmpl --listen, a 503 and a closed port;
 * - the sidecar template rendered from a (fake) Consul into a config `nginx -t` accepts (the compose
 *   example itself runs for real in sidecar.test.ts);
 * - deploy/ctmpl.service through `systemd-analyze verify`.
 * npm commands reuse the machine's npm cache; the whole file takes about a minute.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { builtinModules } from 'node:module';
import { basename, dirname, join, posix } from 'node:path';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { beforeAll, describe, expect, test } from 'vitest';
import { parseNginxUpstreams, passingByService, readCatalog } from '../support/catalog.js';
import { nginxCheck } from '../support/checkers.js';
import { readLines, ROOT, runCtmpl, startCtmpl } from '../support/ctmpl.js';
import { startFakeConsul } from '../support/fake-consul.js';
import { freePort } from '../support/ports.js';
import { registerCleanup, tempDir } from '../support/tmp.js';

const DEPLOY = join(ROOT, 'deploy');
const DOCKERFILE = join(DEPLOY, 'Dockerfile');
const UNIT_FILE = join(DEPLOY, 'ctmpl.service');
/** What npm, tar and git may take: `npm ci` from a warm cache takes ~20 s here. */
const SLOW = 240_000;

// ---------------------------------------------------------------------------------------------
// helpers

/**
 * The environment for child npm and node processes: this one's, less what `npm test` and vitest
 * add (npm_config_*, npm_package_*, INIT_CWD, NODE_ENV=test), so a child npm sees only the project
 * it runs in.
 */
function childEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^npm_/i.test(key) || key === 'INIT_CWD' || key === 'NODE_ENV') continue;
    env[key] = value;
  }
  return { ...env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
}

interface Ran {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly all: string;
}

async function run(file: string, args: readonly string[], cwd: string, timeoutMs = SLOW): Promise<Ran> {
  const result = await execa(file, args, { cwd, env: childEnv(), extendEnv: false, reject: false, all: true, stdin: 'ignore', timeout: timeoutMs });
  return { exitCode: result.exitCode, stdout: String(result.stdout ?? ''), all: String(result.all ?? '') };
}

/** Runs a command that must succeed; its output is in the failure message otherwise. */
async function must(file: string, args: readonly string[], cwd: string, timeoutMs = SLOW): Promise<string> {
  const result = await run(file, args, cwd, timeoutMs);
  if (result.exitCode !== 0) {
    throw new Error(`\`${[file, ...args].join(' ')}\` in ${cwd} exited ${String(result.exitCode)}:\n${result.all}`);
  }
  return result.stdout;
}

/**
 * A copy of the working tree as a fresh clone of it would be: the files git tracks plus new files
 * it does not ignore (so no node_modules, dist or out), uncommitted edits included.
 */
async function cleanCopy(prefix: string): Promise<string> {
  const dest = await tempDir(prefix);
  const listed = await must('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT);
  for (const file of listed.split('\0')) {
    if (file === '' || !existsSync(join(ROOT, file))) continue; // deleted in the working tree
    await mkdir(dirname(join(dest, file)), { recursive: true });
    await cp(join(ROOT, file), join(dest, file));
  }
  return dest;
}

/** Every file under `dir`, as paths relative to it with `/`. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => posix.join(e.parentPath.slice(dir.length).split('\\').join('/'), e.name).replace(/^\//, ''));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw new Error(`${what} is not a mapping: ${JSON.stringify(value)}`);
  return value;
}

function strings(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new Error(`${what} is not a list of strings: ${JSON.stringify(value)}`);
  return value;
}

async function packageVersion(dir: string): Promise<string> {
  const pkg = record(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')), 'package.json');
  expect(typeof pkg.version).toBe('string');
  return String(pkg.version);
}

/** The package a bare import specifier names: `a/b` → `a`, `@s/a/b` → `@s/a`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Bare module specifiers in compiled JS: static and dynamic imports, and createRequire(...)('x'). */
function bareImports(js: string): string[] {
  const found = new Set<string>();
  const patterns = [
    /\b(?:import|export)\s[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/g, // import … from 'x', export … from 'x'
    /\bimport\s*['"]([^'"]+)['"]/g, // import 'x'
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // import('x')
    /\bcreateRequire\([^)]*\)\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // createRequire(import.meta.url)('x')
  ];
  for (const match of patterns.flatMap((pattern) => [...js.matchAll(pattern)])) {
    const specifier = match[1];
    if (specifier !== undefined && !specifier.startsWith('.') && !specifier.startsWith('/')) found.add(specifier);
  }
  return [...found];
}

// ---------------------------------------------------------------------------------------------
// Dockerfile

interface Instruction {
  readonly keyword: string;
  /** `--name=value` options before the arguments (RUN --mount, COPY --from, HEALTHCHECK --interval…). */
  readonly flags: Readonly<Record<string, string>>;
  readonly args: string;
  readonly line: number;
}

interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

/**
 * Enough of the Dockerfile syntax for this file: comments and parser directives, `\`
 * continuations, ARG defaults before the first FROM (substituted into FROM), `FROM image [AS name]`,
 * and `--flag=value` options.
 */
function parseDockerfile(text: string): { preamble: Instruction[]; stages: Stage[] } {
  const logical: { text: string; line: number }[] = [];
  let current = '';
  let start = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (/^\s*#/.test(line) || (current === '' && line.trim() === '')) return; // comments, also inside a continuation
    if (current === '') start = index + 1;
    if (/\\\s*$/.test(line)) {
      current += `${line.replace(/\\\s*$/, '')} `;
      return;
    }
    logical.push({ text: `${current}${line}`.trim(), line: start });
    current = '';
  });
  if (current !== '') throw new Error('Dockerfile ends inside a continuation');

  const argDefaults = new Map<string, string>();
  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  for (const { text: body, line } of logical) {
    const keyword = (/^\S+/.exec(body)?.[0] ?? '').toUpperCase();
    let rest = body.slice(keyword.length).trim();
    const flags: Record<string, string> = {};
    for (let flag = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(rest); flag; flag = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(rest)) {
      flags[flag[1] ?? ''] = flag[2] ?? 'true';
      rest = rest.slice(flag[0].length);
    }
    const instruction: Instruction = { keyword, flags, args: rest, line };
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!from?.[1]) throw new Error(`Dockerfile:${line}: FROM without an image`);
      const image = from[1].replace(/\$\{(\w+)\}|\$(\w+)/g, (_all, a: string | undefined, b: string | undefined) => argDefaults.get(a ?? b ?? '') ?? '');
      stages.push({ image, name: from[2], instructions: [] });
    } else if (stages.length === 0) {
      if (keyword !== 'ARG') throw new Error(`Dockerfile:${line}: only ARG may come before FROM, not ${keyword}`);
      const arg = /^(\w+)(?:=(.*))?$/.exec(rest);
      if (arg?.[1]) argDefaults.set(arg[1], arg[2] ?? '');
      preamble.push(instruction);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { preamble, stages };
}

/** JSON (exec) form of ENTRYPOINT, CMD or HEALTHCHECK CMD. */
function execForm(args: string, what: string): string[] {
  if (!args.trim().startsWith('[')) throw new Error(`${what} is not in exec (JSON) form: ${args}`);
  return strings(JSON.parse(args), what);
}

function only(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

function last(stage: Stage, keyword: string): Instruction | undefined {
  return only(stage, keyword).at(-1);
}

// ---------------------------------------------------------------------------------------------

describe('npm package', () => {
  let clone: string;
  let tarball: string;
  /** Tarball entries without the leading `package/`. */
  let entries: string[];

  beforeAll(async () => {
    clone = await cleanCopy('ctmpl-pack-');
    await must('npm', ['ci'], clone);
    const packDir = await tempDir('ctmpl-tgz-');
    // prepack cleans dist/ and builds: the tarball never depends on a stale local build.
    await must('npm', ['pack', '--pack-destination', packDir], clone);
    const tgz = (await readdir(packDir)).filter((f) => f.endsWith('.tgz'));
    expect(tgz, 'npm pack wrote one tarball').toHaveLength(1);
    tarball = join(packDir, tgz[0] ?? '');
    const listing = await must('tar', ['-tzf', tarball], packDir);
    entries = listing
      .split('\n')
      .filter((e) => e !== '')
      .map((e) => e.replace(/^package\//, ''));
  }, SLOW * 2);

  test('npm pack from a clean clone ships dist/src (no source maps), templates, README.md, LICENSE and package.json, nothing else', async () => {
    for (const required of [
      'package.json',
      'README.md',
      'LICENSE',
      'dist/src/bin.js',
      'dist/src/cli/program.js',
      'templates/nginx-upstream.hbs',
      'templates/haproxy-backend.hbs',
      'templates/prometheus-file-sd.json.hbs',
      'templates/examples/catalog.yaml',
      'templates/examples/ctmpl.yaml',
    ]) {
      expect(entries, `the tarball has ${required}`).toContain(required);
    }
    const unexpected = entries.filter((e) => !/^(?:package\.json|README\.md|LICENSE|dist\/src\/.+\.js|templates\/.+)$/.test(e));
    expect(unexpected, 'files outside dist/src/*.js, templates/, README.md, LICENSE, package.json').toEqual([]);
    expect(entries.filter((e) => /^(?:test|bench|src|deploy|node_modules)\//.test(e) || e.startsWith('dist/bench/') || /\.(?:ts|map)$/.test(e))).toEqual([]);

    // Every module of src/ is in the package, compiled.
    const sources = (await listFiles(join(clone, 'src'))).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
    expect(sources.length).toBeGreaterThan(10);
    const missing = sources.map((f) => `dist/src/${f.replace(/\.ts$/, '.js')}`).filter((js) => !entries.includes(js));
    expect(missing, 'modules of src/ missing from the tarball').toEqual([]);
  });

  test('every package the shipped code imports is a Node builtin or in "dependencies" (none is a devDependency)', async () => {
    const unpacked = await tempDir('ctmpl-unpacked-');
    await must('tar', ['-xzf', tarball, '-C', unpacked], unpacked);
    const root = join(unpacked, 'package');
    const pkg = record(JSON.parse(await readFile(join(root, 'package.json'), 'utf8')), 'package.json');
    const dependencies = new Set(Object.keys(record(pkg.dependencies, 'dependencies')));
    const devDependencies = new Set(Object.keys(record(pkg.devDependencies ?? {}, 'devDependencies')));
    const builtins = new Set(builtinModules);
    const used = new Map<string, string>();
    // The bundle's chunks (dist/src/bundle/) are built from the same sources with packages inlined,
    // except scripts/bundle.ts's externals, which the compiled modules import too; minified, their
    // text would also feed the patterns string literals that look like imports.
    for (const file of (await listFiles(join(root, 'dist'))).filter((f) => f.endsWith('.js') && !f.startsWith('src/bundle/'))) {
      for (const specifier of bareImports(await readFile(join(root, 'dist', file), 'utf8'))) {
        if (specifier.startsWith('node:') || builtins.has(specifier)) continue;
        used.set(packageOf(specifier), `dist/${file}`);
      }
    }
    // The imports this test must at least find (a regex that finds nothing would pass vacuously).
    for (const known of ['handlebars', 'yaml', 'zod', 'pino']) expect([...used.keys()]).toContain(known);
    for (const [name, file] of used) {
      expect(devDependencies.has(name) && !dependencies.has(name), `${name} (imported by ${file}) is only a devDependency`).toBe(false);
      expect(dependencies.has(name), `${name} (imported by ${file}) is not in "dependencies"`).toBe(true);
    }
  });

  test('installed from the tarball in an empty directory: `npx ctmpl --version` and a `--once` render work', async () => {
    const app = await tempDir('ctmpl-install-');
    // A project of its own: without a package.json, npm installs into the nearest ancestor that has
    // one (or a node_modules), outside this directory.
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'ctmpl-install-check', private: true }));
    await must('npm', ['install', tarball], app);
    const version = await packageVersion(clone);
    expect((await must('npx', ['--no', '--', 'ctmpl', '--version'], app, 30_000)).trim()).toBe(version);
    expect(existsSync(join(app, 'node_modules', 'typescript')), 'devDependencies are not installed').toBe(false);

    // A small template of one's own, rendered exactly.
    await writeFile(join(app, 'catalog.yaml'), stringify({ services: { web: [{ address: '10.0.0.1', port: 80 }, { address: '10.0.0.2', port: 81 }] } }));
    await writeFile(join(app, 'web.hbs'), '{{#each (service "web")}}{{Address}}:{{Port}}\n{{/each}}');
    await must('npx', ['--no', '--', 'ctmpl', '--source', 'file:catalog.yaml', '-t', 'web.hbs:out/web.txt', '--once'], app, 30_000);
    expect(await readFile(join(app, 'out', 'web.txt'), 'utf8')).toBe('10.0.0.1:80\n10.0.0.2:81\n');

    // The shipped template over the shipped example catalog.
    const shipped = join(app, 'node_modules', 'ctmpl', 'templates');
    await must('npx', ['--no', '--', 'ctmpl', '--source', `file:${join(shipped, 'examples', 'catalog.yaml')}`, '-t', `${join(shipped, 'nginx-upstream.hbs')}:out/up.conf`, '--once'], app, 30_000);
    const upstreams = parseNginxUpstreams(await readFile(join(app, 'out', 'up.conf'), 'utf8'));
    const passing = passingByService(await readCatalog(join(shipped, 'examples', 'catalog.yaml')));
    expect([...upstreams.keys()].sort()).toEqual([...passing.keys()].sort());
    for (const [name, servers] of passing) expect(upstreams.get(name)?.servers, `upstream ${name}`).toEqual(servers);
  });
});

describe('deploy/Dockerfile', () => {
  let stages: Stage[];
  let build: Stage;
  let final: Stage;

  beforeAll(async () => {
    ({ stages } = parseDockerfile(await readFile(DOCKERFILE, 'utf8')));
    expect(stages.length, 'multi-stage').toBeGreaterThanOrEqual(2);
    build = stages[0] as Stage;
    final = stages.at(-1) as Stage;
  });

  test('multi-stage on a maintained Node LTS slim base; the final stage runs as non-root under tini, stops on SIGTERM, health-checks /healthz', async () => {
    // Node LTS lines are the even majors; 20 ended in April 2026. engines.node must allow it too.
    for (const stage of stages) {
      const image = /^node:(\d+)-([a-z]+)-slim$/.exec(stage.image);
      expect(image, `stage image ${stage.image}`).not.toBeNull();
      const major = Number(image?.[1]);
      expect(major % 2, `${stage.image}: an LTS (even) major`).toBe(0);
      expect(major).toBeGreaterThanOrEqual(22);
    }
    expect(final.image).toBe(build.image);
    expect(build.name, 'the build stage is named, for COPY --from').toBeDefined();

    const user = last(final, 'USER')?.args;
    expect(user, 'the final stage sets USER').toBeDefined();
    expect(['root', '0', 'root:root', '0:0']).not.toContain(user);

    const apt = only(final, 'RUN').map((r) => r.args).find((args) => /apt-get install/.test(args)) ?? '';
    expect(apt).toMatch(/apt-get install -y --no-install-recommends tini\b/);
    expect(apt).toMatch(/rm -rf \/var\/lib\/apt\/lists/);

    const entrypoint = execForm(last(final, 'ENTRYPOINT')?.args ?? '', 'ENTRYPOINT');
    expect(entrypoint.slice(0, 3)).toEqual(['tini', '--', 'node']);
    expect(entrypoint[3]).toBe('/app/dist/src/bin.js');
    expect(last(final, 'STOPSIGNAL')?.args).toBe('SIGTERM');

    const cmd = execForm(last(final, 'CMD')?.args ?? '', 'CMD');
    const listen = cmd[cmd.indexOf('--listen') + 1] ?? '';
    expect(listen, 'the default command serves /healthz on loopback').toMatch(/^127\.0\.0\.1:\d+$/);
    const healthcheck = last(final, 'HEALTHCHECK');
    expect(healthcheck?.args).toMatch(/^CMD\s+\[/);
    const probe = execForm(healthcheck?.args.replace(/^CMD\s+/, '') ?? '', 'HEALTHCHECK CMD');
    expect(probe.slice(0, 2)).toEqual(['node', '-e']);
    expect(probe[2]).toContain(`http://${listen}/healthz`);
    for (const option of ['interval', 'timeout', 'start-period', 'retries']) expect(healthcheck?.flags[option], `HEALTHCHECK --${option}`).toBeDefined();

    // The final stage takes the built program from the build stage only, never from the context.
    const copies = only(final, 'COPY');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(copy.flags.from, `Dockerfile:${copy.line} copies from the build stage`).toBe(build.name);

    // No COPY source is kept out of the build context by .dockerignore.
    const ignored = (await readFile(join(ROOT, '.dockerignore'), 'utf8')).split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    for (const copy of only(build, 'COPY')) {
      for (const source of copy.args.split(/\s+/).slice(0, -1)) expect(ignored, `Dockerfile:${copy.line}: ${source} is in .dockerignore`).not.toContain(source);
    }
  });

  test("the HEALTHCHECK command: exit 0 on ctmpl's /healthz once it rendered, 1 on a 503 and on a closed port", async () => {
    const probe = execForm(last(final, 'HEALTHCHECK')?.args.replace(/^CMD\s+/, '') ?? '', 'HEALTHCHECK CMD');
    const cmd = execForm(last(final, 'CMD')?.args ?? '', 'CMD');
    const listen = cmd[cmd.indexOf('--listen') + 1] ?? '';
    const script = probe[2] ?? '';
    expect(script).toContain(listen);
    const check = async (port: number): Promise<number | undefined> => {
      const result = await execa(probe[0] ?? 'node', [probe[1] ?? '-e', script.replace(listen, `127.0.0.1:${port}`)], { reject: false, timeout: 15_000 });
      return result.exitCode;
    };

    // A real ctmpl with --listen: healthy once the template has rendered.
    const dir = await tempDir();
    const port = await freePort();
    await writeFile(join(dir, 'catalog.yaml'), stringify({ services: { web: [{ address: '10.0.0.1', port: 80 }] } }));
    await writeFile(join(dir, 'web.hbs'), '{{#each (service "web")}}{{Address}}\n{{/each}}');
    const daemon = startCtmpl(['--source', 'file:catalog.yaml', '-t', 'web.hbs:web.txt', '--wait', '0', '--listen', `127.0.0.1:${port}`], { cwd: dir });
    await daemon.waitFor(async () => (await check(port)) === 0, { timeoutMs: 15_000, intervalMs: 200, what: 'the HEALTHCHECK command to pass' });
    expect(await readFile(join(dir, 'web.txt'), 'utf8')).toBe('10.0.0.1\n');

    // Unhealthy: 503.
    const unhealthy = createServer((_req, res) => res.writeHead(503).end('{"status":"unhealthy"}'));
    await new Promise<void>((resolve) => unhealthy.listen(0, '127.0.0.1', resolve));
    registerCleanup(() => new Promise<void>((resolve) => unhealthy.close(() => resolve())));
    expect(await check((unhealthy.address() as AddressInfo).port)).toBe(1);

    // Nothing listening.
    expect(await check(await freePort())).toBe(1);
  });
});

describe('deploy/sidecar (the compose example\'s template; the example itself runs for real in test/integration/sidecar.test.ts)', () => {
  test('the sidecar template renders from Consul into a config nginx -t accepts (consul itself left out)', async () => {
    const consul = await startFakeConsul();
    consul.setService('consul', [{ id: 'consul', address: '127.0.0.1', port: 8300 }]);
    consul.setService('web', [
      { id: 'web-1', address: '10.0.0.1', port: 8080 },
      { id: 'web-2', address: '10.0.0.2', port: 8080 },
    ]);
    consul.setService('api', [{ id: 'api-1', address: '10.0.1.1', port: 9000, status: 'critical' }]);

    // The example's settings with the destination and the reload moved into a scratch directory:
    // the real command, `kill -HUP 1`, would signal this machine's PID 1.
    const sidecarDir = join(DEPLOY, 'sidecar', 'ctmpl');
    const settings = record(parse(await readFile(join(sidecarDir, 'ctmpl.yaml'), 'utf8')), 'ctmpl.yaml');
    const dir = await tempDir();
    const reloads = join(dir, 'reloads');
    const templates = (settings.templates as unknown[]).map((t) => record(t, 'template'));
    const local = {
      ...settings,
      command: `echo reload >> ${reloads}`,
      templates: templates.map((t) => ({ ...t, source: join(sidecarDir, String(t.source)), destination: join(dir, basename(String(t.destination))) })),
    };
    await writeFile(join(dir, 'ctmpl.yaml'), stringify(local));
    const result = await runCtmpl(['--config', 'ctmpl.yaml', '--once'], { cwd: dir, env: { CONSUL_HTTP_ADDR: consul.address } });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);

    const rendered = join(dir, basename(String(templates[0]?.destination)));
    const text = await readFile(rendered, 'utf8');
    const upstreams = parseNginxUpstreams(text);
    expect([...upstreams.keys()].sort()).toEqual(['api', 'web']);
    expect(upstreams.get('web')?.servers).toEqual(['10.0.0.1:8080', '10.0.0.2:8080']);
    expect(upstreams.get('api')?.placeholders).toBe(1);
    expect(text).toMatch(/location \/web\/ \{\s*proxy_pass http:\/\/web\/;/);
    expect(await readLines(reloads)).toEqual(['reload']);
    const verdict = await nginxCheck(rendered);
    expect(verdict.ok, verdict.output).toBe(true);
  });
});

describe('deploy/ctmpl.service', () => {
  test('systemd-analyze verify accepts it; Type=notify, optional ReadWritePaths, SIGTERM to ctmpl alone, reload by SIGHUP', async () => {
    const dir = await tempDir();
    const unit = join(dir, 'ctmpl.service');
    await cp(UNIT_FILE, unit);
    const verify = await run('systemd-analyze', ['verify', unit], dir, 30_000);
    expect(verify.exitCode, verify.all).toBe(0);
    expect(verify.all.split('\n').filter((l) => l.includes('ctmpl.service')), 'warnings about the unit').toEqual([]);

    const text = await readFile(UNIT_FILE, 'utf8');
    const settings = new Map<string, string[]>();
    for (const line of text.split('\n')) {
      const match = /^(\w+)=(.*)$/.exec(line.trim());
      if (match?.[1] !== undefined) settings.set(match[1], [...(settings.get(match[1]) ?? []), match[2] ?? '']);
    }
    expect(settings.get('Type')).toEqual(['notify']);
    expect(settings.get('ExecReload')?.[0]).toMatch(/kill -HUP \$MAINPID/);
    expect(settings.get('KillSignal')).toEqual(['SIGTERM']);
    expect(settings.get('KillMode')).toEqual(['mixed']);
    const paths = (settings.get('ReadWritePaths') ?? []).flatMap((v) => v.split(/\s+/)).filter((p) => p !== '');
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(path, 'a missing directory must not stop the unit (226/NAMESPACE)').toMatch(/^-\//);
  });
});
