/**
 * Bad input is refused before anything runs, and secrets never show: hostile templates.
 *
 * 2. Hostile templates: `file` outside the sandbox or through a symlink is refused (render error,
 *    the last good file stays, exit 1 with --once); prototype access renders nothing harmful; an
 *    unknown helper is refused at load (exit 2, file:line:col).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test, type TestContext } from 'vitest';
import { LEVEL, NO_CONSUL_ENV, runCtmpl, type RunResult } from '../support/ctmpl.js';
import { expectRefused, workspace, type Workspace } from '../support/bad-input.js';

// =============================================================================================
// 2. Hostile templates
// =============================================================================================

describe('hostile templates', () => {
  const LAST_GOOD = 'the last good content\n';
  const SECRET_TEXT = `TOP-SECRET-${randomUUID()}`;

  /** A template directory (the default sandbox) beside a secret, with a last good destination. */
  async function sandboxed(context: TestContext): Promise<Workspace & { readonly templates: string }> {
    const ws = await workspace(context);
    const templates = join(ws.dir, 'templates');
    await mkdir(join(templates, 'snippets'), { recursive: true });
    await writeFile(join(templates, 'snippets', 'common.conf'), 'common settings\n');
    const secret = join(ws.dir, 'secret.txt');
    await writeFile(secret, `${SECRET_TEXT}\n`);
    await symlink(secret, join(templates, 'link-out'));
    await symlink(ws.dir, join(templates, 'dir-out'));
    await symlink(join(templates, 'snippets', 'common.conf'), join(templates, 'link-in'));
    // A sibling directory whose name starts with the sandbox's: a prefix check would let it in.
    await mkdir(join(ws.dir, 'templates-evil'));
    await writeFile(join(ws.dir, 'templates-evil', 'x.conf'), `${SECRET_TEXT}\n`);
    await mkdir(join(ws.dir, 'out'));
    await writeFile(ws.destination, LAST_GOOD);
    return { ...ws, templates };
  }

  async function renderOnce(ws: Workspace & { templates: string }, text: string, extra: readonly string[] = []): Promise<RunResult> {
    const template = join(ws.templates, 't.hbs');
    await writeFile(template, text);
    return runCtmpl(['--source', `file:${ws.catalog}`, '-t', `${template}:${ws.destination}`, '--once', '--log-format', 'json', ...extra], { cwd: ws.dir, env: NO_CONSUL_ENV });
  }

  test('`file` inside the sandbox (also through a link that stays inside) is read', async (context) => {
    const ws = await sandboxed(context);
    const run = await renderOnce(ws, '{{file "snippets/common.conf"}}{{file "link-in"}}');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await readFile(ws.destination, 'utf8')).toBe('common settings\ncommon settings\n');
  });

  for (const { through, text, extra } of [
    { through: 'a parent directory', text: '{{file "../secret.txt"}}', extra: [] },
    { through: 'a path that walks out through a subdirectory', text: '{{file "snippets/../../secret.txt"}}', extra: [] },
    { through: 'an absolute path outside', text: '{{file "/etc/passwd"}}', extra: [] },
    { through: 'a symlink to a file outside', text: '{{file "link-out"}}', extra: [] },
    { through: 'a symlinked directory leading outside', text: '{{file "dir-out/secret.txt"}}', extra: [] },
    { through: 'a sibling directory whose name has the sandbox’s as a prefix', text: '{{file "../templates-evil/x.conf"}}', extra: [] },
    { through: 'the template’s own directory when --sandbox-path narrows it to snippets/', text: '{{file "../t.hbs"}}', extra: ['--sandbox-path', 'templates/snippets'] },
  ]) test(`\`file\` through ${through} is refused: render error, exit 1, the last good file stays, nothing of it shown`, async (context) => {
    const ws = await sandboxed(context);
    const run = await renderOnce(ws, text, extra);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(await readFile(ws.destination, 'utf8'), 'the last good file').toBe(LAST_GOOD);
    const failure = run.logs.find((l) => l.level >= LEVEL.error && /sandbox/.test(`${String(l.err)} ${l.msg}`));
    expect(failure, `a render error naming the sandbox:\n${run.stdout}${run.stderr}`).toBeDefined();
    expect(`${run.stdout}${run.stderr}`).not.toContain(SECRET_TEXT);
    expect(`${run.stdout}${run.stderr}`).not.toContain('root:x:0:0');
  });

  /** What a prototype probe must never print: functions, objects, the environment. */
  const HARMFUL = /function|native code|\[object|prototype|constructor|process|require|PATH=|HOME=/;

  for (const text of [
    '{{constructor.constructor}}',
    '{{__proto__}}',
    '{{lookup this "constructor"}}',
    '{{#with (lookup this "constructor")}}{{name}}{{/with}}',
    '{{lookup (lookup this "constructor") "constructor"}}',
    '{{this.constructor.name}}',
    '{{this.__proto__}}',
    '{{@root.constructor}}',
    '{{#each (service "web")}}{{this.constructor}}{{Meta.constructor}}{{Tags.constructor}}{{lookup this "__proto__"}}{{lookup Meta "constructor"}}{{/each}}',
    '{{lookup (service "web") "constructor"}}',
    '{{#each (lookup this "__proto__")}}{{@key}},{{/each}}',
    '{{#with "text"}}{{this.constructor}}{{/with}}',
    '{{env "constructor"}}',
    '{{env "__proto__"}}',
    '{{env "toString"}}',
    '{{#with (env "__proto__")}}{{this.toString}}{{/with}}',
  ]) test(`prototype access ${text} renders nothing harmful (empty, or refused with the last good file kept)`, async (context) => {
    const ws = await sandboxed(context);
    const run = await renderOnce(ws, `[${text}]`);
    const output = await readFile(ws.destination, 'utf8');
    if (run.exitCode === 0) {
      expect(output, 'rendered as nothing').toBe('[]');
    } else {
      expect(run.exitCode, run.stderr).toBe(1);
      expect(output, 'the last good file').toBe(LAST_GOOD);
    }
    expect(`${output}${run.stdout}${run.stderr}`).not.toMatch(HARMFUL);
  });

  for (const { what, text, line, column, name } of [
    { what: 'a call of an unknown helper', text: 'x\n  {{nohelper "a"}}', line: 2, column: 3, name: 'nohelper' },
    { what: 'an unknown helper in a subexpression', text: 'line 1\nline 2\n{{#each (nohelper)}}x{{/each}}', line: 3, column: 9, name: 'nohelper' },
    { what: 'an unknown helper as an argument', text: '{{join (nohelper 1) ","}}', line: 1, column: 8, name: 'nohelper' },
    { what: 'a function reached through a path, called', text: '\n\n\n    {{constructor.constructor "return process"}}', line: 4, column: 5, name: 'constructor.constructor' },
    { what: 'a call through this.', text: '{{this.toString "x"}}', line: 1, column: 1, name: 'this.toString' },
  ]) test(`${what} is refused at load: exit 2, file:line:col, nothing written`, async (context) => {
    const ws = await workspace(context);
    const template = join(ws.dir, 'bad.hbs');
    await writeFile(template, text);
    const run = await runCtmpl(['--source', `file:${ws.catalog}`, '-t', `${template}:${ws.destination}`, '--once'], { cwd: ws.dir, env: NO_CONSUL_ENV });
    expectRefused(run, ws, text);
    expect(run.stderr).toContain(`${template}:${line}:${column}: unknown helper "${name}"`);
  });
});
