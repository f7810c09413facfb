import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envAllowFrom, parseTemplateSpec, templatesFrom } from '../../../src/template/settings.js';
import { blockContext, configPath } from '../../support/block-context.js';
import { inputErrorOf } from '../../support/input-error.js';
import { tempDir } from '../../support/tmp.js';

describe('parseTemplateSpec', () => {
  it('splits src:dest and keeps colons inside the command', () => {
    expect(parseTemplateSpec('in.hbs:out.conf:docker kill -s HUP web:1', '/base')).toEqual({
      source: '/base/in.hbs',
      destination: '/base/out.conf',
      command: 'docker kill -s HUP web:1',
    });
  });

  it('has no command when only src:dest is given', () => {
    expect(parseTemplateSpec('/a.hbs:/b.conf', '/x').command).toBeUndefined();
  });

  it.each(['in.hbs', ':out', 'in.hbs:'])('refuses "%s"', (spec) => {
    expect(() => parseTemplateSpec(spec, '/x')).toThrow(/expected SOURCE:DESTINATION/);
  });
});

describe('templatesFrom', () => {
  it('takes the file templates (paths against its directory), then the flag templates (against the working directory)', () => {
    const file = 'templates:\n  - { source: t/a.hbs, destination: out/a.conf, command: reload a, wait: 2s, perms: "0640", backup: true }\n';
    const { ctx } = blockContext({ file, fileDir: '/conf', cwd: '/work', flags: { template: ['b.hbs:/etc/b.conf:reload b'] } });
    expect(templatesFrom(ctx)).toEqual([
      { source: '/conf/t/a.hbs', destination: '/conf/out/a.conf', command: 'reload a', wait: { minMs: 2000, maxMs: 8000 }, perms: 0o640, backup: true, sandbox: '/conf/t', check: undefined, writeMode: undefined, strict: false, uid: undefined, gid: undefined },
      { source: '/work/b.hbs', destination: '/etc/b.conf', command: 'reload b', wait: undefined, perms: undefined, backup: false, sandbox: '/work', check: undefined, writeMode: undefined, strict: false },
    ]);
  });

  it("gives every template the global check, write mode and sandbox unless it has its own, the flag's over the file's", () => {
    const file = 'check: file-check {{staged}}\nwrite_mode: in_place\nsandbox_path: snippets\ntemplates:\n  - { source: a.hbs, destination: a.conf }\n  - { source: b.hbs, destination: b.conf, check: own-check, write_mode: atomic, sandbox_path: own }\n';
    const fromFile = templatesFrom(blockContext({ file }).ctx);
    expect(fromFile.map((t) => [t.check, t.writeMode, t.sandbox])).toEqual([
      ['file-check {{staged}}', 'in_place', '/conf/snippets'],
      ['own-check', 'atomic', '/conf/own'],
    ]);
    const flags = { check: 'flag-check', writeMode: 'atomic' as const, sandboxPath: 'flag-snippets', template: ['c.hbs:c.conf'] };
    const withFlags = templatesFrom(blockContext({ file, flags }).ctx);
    expect(withFlags.map((t) => [t.check, t.writeMode, t.sandbox])).toEqual([
      ['flag-check', 'atomic', '/work/flag-snippets'],
      ['own-check', 'atomic', '/conf/own'],
      ['flag-check', 'atomic', '/work/flag-snippets'],
    ]);
  });

  it("turns error_on_missing_key on for every template (flag over key), a template's own key winning", () => {
    const file = 'error_on_missing_key: true\ntemplates:\n  - { source: a.hbs, destination: a.conf }\n  - { source: b.hbs, destination: b.conf, error_on_missing_key: false }\n';
    expect(templatesFrom(blockContext({ file }).ctx).map((t) => t.strict)).toEqual([true, false]);
    expect(templatesFrom(blockContext({ file: 'templates:\n  - { source: a.hbs, destination: a.conf }\n', flags: { errorOnMissingKey: true, template: ['c.hbs:c.conf'] } }).ctx).map((t) => t.strict)).toEqual([true, true]);
    expect(templatesFrom(blockContext({ flags: { template: ['c.hbs:c.conf'] } }).ctx).map((t) => t.strict)).toEqual([false]);
  });

  it('takes perms as an octal string or number, and owner and group by id', () => {
    const file = 'templates:\n  - { source: a.hbs, destination: a.conf, perms: 0o600, user: 0, group: "0" }\n';
    expect(templatesFrom(blockContext({ file }).ctx)[0]).toMatchObject({ perms: 0o600, uid: 0, gid: 0 });
  });

  it('refuses a run without templates', () => {
    expect(inputErrorOf(() => templatesFrom(blockContext().ctx)).message).toBe('no template given');
  });

  it('refuses two templates writing one destination, at the second one', () => {
    const file = 'templates:\n  - { source: a.hbs, destination: out.conf }\n  - { source: b.hbs, destination: out.conf }\n';
    const err = inputErrorOf(() => templatesFrom(blockContext({ file }).ctx));
    expect(err.describe()).toMatch(new RegExp(`^${configPath()}:3:\\d+: templates\\[1\\]\\.destination: two templates write /conf/out.conf`));
    const flagged = inputErrorOf(() => templatesFrom(blockContext({ file: 'templates:\n  - { source: a.hbs, destination: /x/out.conf }\n', flags: { template: ['b.hbs:/x/out.conf'] } }).ctx));
    expect(flagged.message).toBe('--template "b.hbs:/x/out.conf": two templates write /x/out.conf');
  });

  it('places a bad wait or an unknown owner at its key, file:line:col', () => {
    const wait = inputErrorOf(() => templatesFrom(blockContext({ file: 'templates:\n  - source: a.hbs\n    destination: a.conf\n    wait: 5s:1s\n' }).ctx));
    expect(wait.describe()).toMatch(new RegExp(`^${configPath()}:4:\\d+: templates\\[0\\]\\.wait`));
    const user = inputErrorOf(() => templatesFrom(blockContext({ file: 'templates:\n  - { source: a.hbs, destination: a.conf, user: no-such-user-ctmpl }\n' }).ctx));
    expect(user.message).toMatch(/^templates\[0\]\.user: .*user "no-such-user-ctmpl" does not exist/);
  });

  it('queues a check that each template and sandbox exists, reported against its flag or key', async () => {
    const dir = await tempDir('ctmpl-template-settings-');
    await mkdir(join(dir, 'snippets'));
    await writeFile(join(dir, 'a.hbs'), 'a');
    const file = 'sandbox_path: snippets\ntemplates:\n  - { source: a.hbs, destination: a.conf }\n  - { source: missing.hbs, destination: b.conf, sandbox_path: no-such-dir }\n';
    const { ctx, checks } = blockContext({ file, fileDir: dir, cwd: dir, flags: { template: ['gone.hbs:c.conf'] } });
    templatesFrom(ctx);
    expect(checks.map((c) => c.origin)).toEqual(['sandbox_path', 'templates[0].source', 'templates[1].source', 'templates[1].sandbox_path', '--template "gone.hbs:c.conf"']);
    const outcomes = await Promise.all(checks.map((c) => c.run().then(() => 'ok', (err: Error) => err.message)));
    expect(outcomes).toEqual([
      'ok',
      'ok',
      `templates[1].source: the template ${join(dir, 'missing.hbs')} does not exist`,
      `templates[1].sandbox_path: the sandbox directory ${join(dir, 'no-such-dir')} does not exist`,
      `--template "gone.hbs:c.conf": the template ${join(dir, 'gone.hbs')} does not exist`,
    ]);
  });
});

describe('envAllowFrom', () => {
  it('lets the env helper read only the allowed variables: the flags, else the file; none means no allowlist', () => {
    expect(envAllowFrom(blockContext().ctx)).toBeUndefined();
    expect(envAllowFrom(blockContext({ file: 'env_allow: [REGION]\n' }).ctx)).toEqual(['REGION']);
    expect(envAllowFrom(blockContext({ file: 'env_allow: [REGION]\n', flags: { envAllow: ['ZONE'] } }).ctx)).toEqual(['ZONE']);
    expect(envAllowFrom(blockContext({ file: 'env_allow: [REGION]\n', flags: { envAllow: [] } }).ctx)).toEqual(['REGION']);
  });
});
