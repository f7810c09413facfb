/**
 * consul-template's process settings, implemented: -pid-file (written at start, removed at exit),
 * -kill-signal (one more signal that stops ctmpl), -reload-signal (the signal that re-reads config
 * and templates; SIGHUP is then ignored rather than fatal), -exec-kill-signal (the signal that stops
 * the exec child), and the warnings a consul-template config gets for what ctmpl ignores.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CATALOG } from '../support/bad-input.js';
import { LEVEL, NO_CONSUL_ENV, readIfExists, readLines, runCtmpl, startCtmpl } from '../support/ctmpl.js';
import { tempDir } from '../support/tmp.js';

async function workspace(): Promise<{ dir: string; template: string; out: string; catalog: string }> {
  const dir = await tempDir('ctmpl-signals-');
  await writeFile(join(dir, 't.hbs'), 'v1 {{#each (service "web")}}{{Address}}{{/each}}\n');
  await writeFile(join(dir, 'catalog.json'), CATALOG);
  await writeFile(join(dir, 'child.sh'), "for s in HUP INT TERM QUIT USR2; do trap \"echo $s >> exec.log; exit 0\" $s; done\necho start >> exec.log\nwhile true; do sleep 0.05; done\n");
  return { dir, template: join(dir, 't.hbs'), out: join(dir, 'out.conf'), catalog: join(dir, 'catalog.json') };
}

describe("consul-template's process flags", () => {
  test('-pid-file, -reload-signal and -kill-signal: the PID while running, a reload on the reload signal, SIGHUP ignored, a clean stop on the kill signal', async () => {
    const ws = await workspace();
    const pidFile = join(ws.dir, 'run', 'ctmpl.pid');
    const daemon = startCtmpl(['-template', `${ws.template}:${ws.out}`, `--source=file:${ws.catalog}`, '-pid-file', pidFile, '-reload-signal=SIGUSR2', '-kill-signal', 'SIGQUIT', '-wait=0', '--log-format', 'json'], {
      cwd: ws.dir,
      env: NO_CONSUL_ENV,
    });
    await daemon.waitFor(async () => (await readIfExists(ws.out)) === 'v1 10.0.0.1\n', { what: 'the first render' });
    expect(await readIfExists(pidFile)).toBe(`${daemon.pid}\n`);

    // The reload signal re-reads config and templates.
    await writeFile(ws.template, 'v2 {{#each (service "web")}}{{Address}}{{/each}}\n');
    daemon.signal('SIGUSR2');
    await daemon.waitForLog((l) => l.msg === 'SIGUSR2: configuration and templates reloaded', { what: 'the reload' });
    await daemon.waitFor(async () => (await readIfExists(ws.out)) === 'v2 10.0.0.1\n', { what: 'the new template rendered' });

    daemon.signal('SIGHUP');
    await daemon.waitForLog((l) => l.level === LEVEL.warn && l.msg === 'SIGHUP ignored: the reload signal is SIGUSR2', { what: 'SIGHUP ignored' });
    expect(daemon.exit).toBeUndefined();

    daemon.signal('SIGQUIT');
    expect(await daemon.exited).toEqual({ exitCode: 0, signal: undefined });
    expect(daemon.logs().find((l) => l.msg === 'stopping')?.signal).toBe('SIGQUIT');
    expect(await readIfExists(pidFile)).toBeUndefined();
  });

  test('-exec-kill-signal is what the exec child gets when ctmpl stops', async () => {
    const ws = await workspace();
    const daemon = startCtmpl(['-template', `${ws.template}:${ws.out}`, `--source=file:${ws.catalog}`, '-exec', 'sh child.sh', '-exec-kill-signal=SIGUSR2', '--log-format', 'json'], { cwd: ws.dir, env: NO_CONSUL_ENV });
    await daemon.waitFor(async () => (await readLines(join(ws.dir, 'exec.log'))).includes('start'), { what: 'the child started' });
    daemon.signal('SIGTERM');
    expect(await daemon.exited).toEqual({ exitCode: 0, signal: undefined });
    expect(await readLines(join(ws.dir, 'exec.log'))).toEqual(['start', 'USR2']);
  });

  test('a consul-template config logs once what ctmpl ignores, at its file:line:col', async () => {
    const ws = await workspace();
    const config = join(ws.dir, 'ct.hcl');
    await writeFile(config, `sources = ["file:${ws.catalog}"]\nsyslog {\n  enabled = true\n}\ntemplate {\n  source = "t.hbs"\n  destination = "out.conf"\n}\n`);
    const run = await runCtmpl(['-config', config, '-once', '--log-format', 'json'], { cwd: ws.dir, env: NO_CONSUL_ENV });
    expect(run.exitCode, run.stderr).toBe(0);
    const warnings = run.logs.filter((l) => l.level === LEVEL.warn);
    expect(warnings).toEqual([expect.objectContaining({ where: `${config}:2:1`, msg: "consul-template's syslog { } is ignored", hint: expect.stringMatching(/logs to stdout/) })]);
  });
});
