import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMigrate } from '../../../src/cli/migrate.js';
import { tempDir } from '../../support/tmp.js';

const GOOD = 'upstream web {\n{{- range service "web" }}\n  server {{ .Address }}:{{ .Port }};\n{{- end }}\n}\n';
const BAD = '{{ range service "web" }}{{ break }}{{ end }}\n';

/** Runs `ctmpl migrate ARGS` in a scratch directory holding good.ctmpl and bad.ctmpl. */
async function migrate(args: string[], setup?: (dir: string) => Promise<void>): Promise<{ code: number; out: string; err: string; dir: string }> {
  const dir = await tempDir();
  await writeFile(join(dir, 'good.ctmpl'), GOOD);
  await writeFile(join(dir, 'bad.ctmpl'), BAD);
  await setup?.(dir);
  let out = '';
  let err = '';
  const code = await runMigrate(args, { cwd: dir, env: { PATH: '' }, out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err, dir };
}

describe('ctmpl migrate', () => {
  it('exits 0 when every template converted, writing each conversion', async () => {
    const run = await migrate(['--out', 'hbs', 'good.ctmpl']);
    expect(run.code).toBe(0);
    expect(run.out).toBe('converted  good.ctmpl → hbs/good.hbs\nmigrate: 1 of 1 template(s) converted\n');
    expect(await readFile(join(run.dir, 'hbs', 'good.hbs'), 'utf8')).toBe('upstream web { {{~!}}{{#each (service "web") as |it|}}\n  server {{it.Address}}:{{it.Port}};{{/each}}\n}\n');
  });

  it('exits 1 when a template is skipped, and writes nothing for it', async () => {
    const run = await migrate(['good.ctmpl', 'bad.ctmpl']);
    expect(run.code).toBe(1);
    expect(run.out).toContain("  bad.ctmpl:1:26: {{break}}: Handlebars' each cannot stop an iteration\n");
    expect(run.out).toContain('migrate: 1 of 2 template(s) converted, 1 skipped\n');
    expect(existsSync(join(run.dir, 'good.hbs'))).toBe(true);
    expect(existsSync(join(run.dir, 'bad.hbs'))).toBe(false);
  });

  it('exits 2, writing nothing, rather than replace a file without --force', async () => {
    const existing = async (dir: string): Promise<void> => {
      await mkdir(join(dir, 'hbs'));
      await writeFile(join(dir, 'hbs', 'good.hbs'), 'mine');
    };
    const refused = await migrate(['--out', 'hbs', 'good.ctmpl'], existing);
    expect(refused.code).toBe(2);
    expect(refused.err).toBe('ctmpl: error: --out: 1 file(s) to write already exist: hbs/good.hbs\n  hint: choose another --out directory, or add --force to replace them\n');
    expect(await readFile(join(refused.dir, 'hbs', 'good.hbs'), 'utf8')).toBe('mine');
    const forced = await migrate(['--out', 'hbs', '--force', 'good.ctmpl'], existing);
    expect(forced.code).toBe(0);
    expect(await readFile(join(forced.dir, 'hbs', 'good.hbs'), 'utf8')).not.toBe('mine');
  });

  it.each([
    [['missing.ctmpl'], /cannot read missing\.ctmpl \(ENOENT\)/],
    [['--bogus', 'good.ctmpl'], /unknown option '--bogus'/],
    [[], /missing required argument 'paths'/],
    [['--out', '', 'good.ctmpl'], /--out needs a value/],
    [['--verify', 'good.ctmpl'], /--verify needs a Consul to render from/],
    [['--verify', '--consul-addr', '127.0.0.1:1', 'good.ctmpl'], /none is on PATH/],
    [['--verify', '--consul-addr', '127.0.0.1:1', '--consul-template', '/nonexistent/ct', 'good.ctmpl'], /\/nonexistent\/ct is not an executable file/],
    [['--verify', '--consul-addr', '127.0.0.1:1', '--consul-template', '/bin/sh', '--verify-timeout', 'soon', 'good.ctmpl'], /--verify-timeout: "soon" is not a duration/],
  ])('exits 2 on bad input %j, writing nothing', async (args, message) => {
    const run = await migrate(args);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
    expect(existsSync(join(run.dir, 'good.hbs'))).toBe(false);
  });

  it('prints its usage with --help and exits 0', async () => {
    const run = await migrate(['--help']);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^Usage: ctmpl migrate \[options\] CONFIG\.hcl\|CONFIG_DIR\|TEMPLATE\.ctmpl\.\.\./);
  });
});
