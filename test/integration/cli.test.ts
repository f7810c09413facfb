import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { passingByService, readCatalog } from '../support/catalog.js';
import { nginxCheck } from '../support/checkers.js';
import { EXAMPLE_CATALOG, field, LEVEL, readIfExists, readLines, recordRunCommand as recordRun, runCtmpl, TEMPLATES, type RunResult } from '../support/ctmpl.js';
import { tempDir } from '../support/tmp.js';

const NGINX_TEMPLATE = join(TEMPLATES, 'nginx-upstream.hbs');
const HAPROXY_TEMPLATE = join(TEMPLATES, 'haproxy-backend.hbs');

/** Input errors: exit 2, a human message on stderr, nothing on stdout, nothing written. */
function expectInputError(run: RunResult, ...patterns: (string | RegExp)[]): void {
  expect(run.timedOut).toBe(false);
  expect(run.exitCode, `stderr was: ${run.stderr}`).toBe(2);
  expect(run.stdout).toBe('');
  for (const pattern of patterns) expect(run.stderr).toMatch(pattern);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('ctmpl --once', () => {
  test('renders the example catalog to the destination, runs the command once with CTMPL_CHANGED_COUNT, and exits 0', async () => {
    const dir = await tempDir();
    const upstreams = join(dir, 'conf.d', 'upstreams.conf'); // the parent directory does not exist yet
    const backends = join(dir, 'backends.cfg');
    const runs = join(dir, 'runs.log');

    const run = await runCtmpl(
      ['--source', `file:${EXAMPLE_CATALOG}`, '-t', `${NGINX_TEMPLATE}:${upstreams}`, '-t', `${HAPROXY_TEMPLATE}:${backends}`, '-c', recordRun(runs), '--once'],
      { cwd: dir },
    );

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const rendered = await readFile(upstreams, 'utf8');
    for (const [service, addresses] of passingByService(await readCatalog(EXAMPLE_CATALOG))) {
      expect(rendered).toContain(`upstream ${service} {`);
      for (const address of addresses) expect(rendered).toContain(`server ${address} `);
    }
    expect(rendered).not.toContain('10.0.0.3'); // critical
    expect(rendered).not.toContain('2001:db8::2'); // warning
    expect((await nginxCheck(upstreams, { upstreams: ['web', 'api', 'payments'] })).ok).toBe(true);
    expect(await readFile(backends, 'utf8')).toMatch(/^backend web$/m);
    // One command run for the batch, told that two destinations changed, and which.
    expect(await readLines(runs)).toEqual([`2|${upstreams},${backends}`]);
    expect(run.logs.filter((l) => l.msg === 'wrote file').map((l) => field(l, 'destination'))).toEqual([upstreams, backends]);
  });

  test('a second run with unchanged data leaves the file alone and runs no command', async () => {
    const dir = await tempDir();
    const dest = join(dir, 'upstreams.conf');
    const runs = join(dir, 'runs.log');
    const args = ['--source', `file:${EXAMPLE_CATALOG}`, '-t', `${NGINX_TEMPLATE}:${dest}`, '-c', recordRun(runs), '--once'];

    expect((await runCtmpl(args, { cwd: dir })).exitCode).toBe(0);
    const before = await stat(dest, { bigint: true });
    const second = await runCtmpl(args, { cwd: dir });

    expect(second.exitCode).toBe(0);
    expect((await stat(dest, { bigint: true })).mtimeNs).toBe(before.mtimeNs);
    expect((await stat(dest, { bigint: true })).ino).toBe(before.ino);
    expect(await readLines(runs)).toHaveLength(1);
    expect(second.logs.some((l) => l.msg === 'rendered; file unchanged')).toBe(true);
  });

  test('--dry prints "> DEST" and the content to stdout, writes nothing and runs nothing', async () => {
    const dir = await tempDir();
    const dest = join(dir, 'upstreams.conf');
    const runs = join(dir, 'runs.log');
    // What a real run writes, for comparison.
    const reference = join(dir, 'reference.conf');
    expect((await runCtmpl(['--source', `file:${EXAMPLE_CATALOG}`, '-t', `${NGINX_TEMPLATE}:${reference}`, '--once'], { cwd: dir })).exitCode).toBe(0);

    const run = await runCtmpl(['--source', `file:${EXAMPLE_CATALOG}`, '-t', `${NGINX_TEMPLATE}:${dest}`, '-c', recordRun(runs), '--once', '--dry'], {
      cwd: dir,
    });

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(`> ${dest}\n${await readFile(reference, 'utf8')}\n`);
    expect(await readIfExists(dest)).toBeUndefined();
    expect(await readIfExists(runs)).toBeUndefined();
    // Logs go to stderr so stdout stays exactly the rendered output.
    expect(run.logs.length).toBeGreaterThan(0);
    expect((await readdir(dir)).sort()).toEqual(['reference.conf']);
  });

  test('a destination that cannot be written (ENOTDIR) is reported, the other templates still render, and the exit code is 1', async () => {
    const dir = await tempDir();
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, 'a regular file, not a directory\n'); // tests run as root: permissions would not stop us
    const bad = join(blocker, 'conf.d', 'upstreams.conf');
    const good = join(dir, 'backends.cfg');

    const run = await runCtmpl(['--source', `file:${EXAMPLE_CATALOG}`, '-t', `${NGINX_TEMPLATE}:${bad}`, '-t', `${HAPROXY_TEMPLATE}:${good}`, '--once'], { cwd: dir });

    expect(run.exitCode).toBe(1);
    const failure = run.logs.find((l) => l.level >= LEVEL.error && field(l, 'destination') === bad);
    expect(failure?.msg).toBe('write failed');
    expect(field(failure ?? { level: 0, msg: '' }, 'err')).toMatch(new RegExp(`${escapeRegExp(bad)} \\(ENOTDIR\\)`));
    expect(await readFile(good, 'utf8')).toMatch(/^backend web$/m);
    expect(await readFile(blocker, 'utf8')).toBe('a regular file, not a directory\n');
  });

  test('consul-template style single-dash flags work: -template SRC:DEST -once', async () => {
    const dir = await tempDir();
    const dest = join(dir, 'upstreams.conf');

    const run = await runCtmpl(['-source', `file:${EXAMPLE_CATALOG}`, '-template', `${NGINX_TEMPLATE}:${dest}`, '-once'], { cwd: dir });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(await readFile(dest, 'utf8')).toContain('upstream web {');
  });
});

describe('bad input exits 2 with a message on stderr naming the problem', () => {
  test('an unknown flag', async () => {
    const dir = await tempDir();
    const run = await runCtmpl(['--source', `file:${EXAMPLE_CATALOG}`, '-t', `${NGINX_TEMPLATE}:out.conf`, '--once', '--frobnicate'], { cwd: dir });
    expectInputError(run, /^ctmpl: error: unknown option --frobnicate\n/);
    expect(await readdir(dir)).toEqual([]);
  });

  test('--wait abc', async () => {
    const dir = await tempDir();
    const run = await runCtmpl(['--source', `file:${EXAMPLE_CATALOG}`, '-t', `${NGINX_TEMPLATE}:out.conf`, '--wait', 'abc'], { cwd: dir });
    expectInputError(run, /--wait/, /"abc" is not a duration/);
    expect(await readdir(dir)).toEqual([]);
  });

  test('a template file that does not exist', async () => {
    const dir = await tempDir();
    const run = await runCtmpl(['--source', `file:${EXAMPLE_CATALOG}`, '-t', 'missing.hbs:out.conf', '--once'], { cwd: dir });
    expectInputError(run, new RegExp(`--template "missing\\.hbs:out\\.conf": the template ${escapeRegExp(join(dir, 'missing.hbs'))} does not exist`));
    expect(await readdir(dir)).toEqual([]);
  });

  test('a template syntax error names file:line:col (a block closed by the wrong name)', async () => {
    const dir = await tempDir();
    const template = join(dir, 'upstream.hbs');
    await writeFile(template, '# header\n{{#each (service "web")}}\n  server {{Address}}; {{/if}}\n');
    const run = await runCtmpl(['--source', `file:${EXAMPLE_CATALOG}`, '-t', `${template}:out.conf`, '--once'], { cwd: dir });
    // The position is the opening block's name ("each" on line 2, column 4).
    expectInputError(run, `${template}:2:4: template syntax error: each doesn't match if`);
    expect(await readIfExists(join(dir, 'out.conf'))).toBeUndefined();
  });

  test('a template syntax error names file:line:col (an unclosed mustache)', async () => {
    const dir = await tempDir();
    const template = join(dir, 'upstream.hbs');
    await writeFile(template, '# header\nupstream web {\n  {{#each (service "web")}\n}\n');
    const run = await runCtmpl(['--source', `file:${EXAMPLE_CATALOG}`, '-t', `${template}:out.conf`, '--once'], { cwd: dir });
    // Column 26 is the lone "}" that should have been "}}".
    expectInputError(run, `${template}:3:26: template syntax error`);
  });

  test('a catalog with a bad port names file:line:col', async () => {
    const dir = await tempDir();
    const catalog = join(dir, 'catalog.yaml');
    await writeFile(catalog, 'services:\n  web:\n    - address: 10.0.0.1\n      port: 70000\n');
    const run = await runCtmpl(['--source', `file:${catalog}`, '-t', `${NGINX_TEMPLATE}:out.conf`, '--once'], { cwd: dir });
    expectInputError(run, `${catalog}:4:13: services.web.0.port`, /65535/);
  });

  test('a config file with an unknown key names the key and file:line:col', async () => {
    const dir = await tempDir();
    const config = join(dir, 'ctmpl.yaml');
    await writeFile(config, `sources: [file:${EXAMPLE_CATALOG}]\ntemplates:\n  - source: ${NGINX_TEMPLATE}\n    destination: out.conf\nreload_command: nginx -s reload\n`);
    const run = await runCtmpl(['--config', config, '--once'], { cwd: dir });
    expectInputError(run, /unknown key "reload_command"/, new RegExp(`${escapeRegExp(config)}:5:\\d+: `));
  });

  test('an unknown key whose value is a nested map is reported at the key itself, not inside its value', async () => {
    const dir = await tempDir();
    const config = join(dir, 'ctmpl.yaml');
    await writeFile(
      config,
      [`sources: [file:${EXAMPLE_CATALOG}]`, 'templates:', `  - source: ${NGINX_TEMPLATE}`, '    destination: out.conf', '    retry:', '      attempts: 3', ''].join('\n'),
    );
    const run = await runCtmpl(['--config', config, '--once'], { cwd: dir });
    // "retry" is at line 5, column 5; its value "attempts: 3" starts on line 6.
    expectInputError(run, `${config}:5:5: unknown key "retry" in templates.0`);
  });

  test('a source of a registry ctmpl does not read (--source mdns://x) names the forms it reads', async () => {
    const dir = await tempDir();
    const run = await runCtmpl(['--source', 'mdns://x', '-t', `${NGINX_TEMPLATE}:out.conf`, '--once'], { cwd: dir });
    expectInputError(run, /"mdns:\/\/x" is not a source URI/, /file:PATH.*consul:\/\/HOST:PORT/);
    expect(await readdir(dir)).toEqual([]);
  });

  test('a source that is not a URI', async () => {
    const dir = await tempDir();
    const run = await runCtmpl(['--source', 'catalog.yaml', '-t', `${NGINX_TEMPLATE}:out.conf`, '--once'], { cwd: dir });
    expectInputError(run, /"catalog.yaml" is not a source URI/, /file:PATH/);
  });

  test('a catalog file that does not exist', async () => {
    const dir = await tempDir();
    const run = await runCtmpl(['--source', 'file:nowhere.yaml', '-t', `${NGINX_TEMPLATE}:out.conf`, '--once'], { cwd: dir });
    expectInputError(run, new RegExp(`--source "file:nowhere\\.yaml": the catalog file ${escapeRegExp(join(dir, 'nowhere.yaml'))} does not exist`));
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('--config FILE', () => {
  async function configLayout(): Promise<{ dir: string; etc: string; elsewhere: string; config: string }> {
    const dir = await tempDir();
    const etc = join(dir, 'etc', 'ctmpl');
    const elsewhere = join(dir, 'elsewhere');
    await mkdir(join(etc, 'tpl'), { recursive: true });
    await mkdir(elsewhere);
    await writeFile(join(etc, 'catalog.yaml'), await readFile(EXAMPLE_CATALOG, 'utf8'));
    await writeFile(join(etc, 'tpl', 'web.hbs'), '{{#each (service "web")}}{{hostPort Address Port}}\n{{/each}}');
    return { dir, etc, elsewhere, config: join(etc, 'ctmpl.yaml') };
  }

  test('relative paths in the file resolve against its directory, not the working directory', async () => {
    const { etc, elsewhere, config } = await configLayout();
    await writeFile(config, 'sources: [file:catalog.yaml]\ntemplates:\n  - source: tpl/web.hbs\n    destination: out/web.txt\n');

    const run = await runCtmpl(['--config', config, '--once'], { cwd: elsewhere });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(await readFile(join(etc, 'out', 'web.txt'), 'utf8')).toBe('10.0.0.1:8080\n10.0.0.2:8080\n');
    expect(await readdir(elsewhere)).toEqual([]);
  });

  test("a flag overrides the file's setting: -c replaces the file's command", async () => {
    const { etc, elsewhere, config } = await configLayout();
    const runs = join(etc, 'runs.log');
    await writeFile(
      config,
      `sources: [file:catalog.yaml]\ncommand: echo from-file >> ${runs}\ntemplates:\n  - source: tpl/web.hbs\n    destination: out/web.txt\n`,
    );

    const run = await runCtmpl(['--config', config, '-c', `echo from-flag >> ${runs}`, '--once'], { cwd: elsewhere });

    expect(run.exitCode).toBe(0);
    expect(await readLines(runs)).toEqual(['from-flag']);
  });
});
