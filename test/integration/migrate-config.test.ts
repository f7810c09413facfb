import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { startConsul } from '../support/consul.js';
import { NO_CONSUL_ENV, runCtmpl, type RunResult } from '../support/ctmpl.js';
import { obtainTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';
import { FIXTURES } from '../unit/migrate/corpus.js';
import { loadWorldIntoConsul } from '../unit/migrate/support/consul-world.js';
import { loadWorld } from '../unit/migrate/support/world.js';

/**
 * A consul-template HCL config migrated end to end: `ctmpl migrate` writes ctmpl.yaml and the
 * converted templates; consul-template runs the original config once, ctmpl the YAML once, from
 * the same Consul, from the same working directory (where the config's relative paths point).
 * The files, their modes and what the commands did must be the same.
 */

const UPSTREAM = 'upstream web {\n{{- range service "web" }}\n  server {{ .Address }}:{{ .Port }} weight={{ .Weights.Passing }};\n{{- end }}\n}\n';
/** Written with [[ ]] delimiters: the {{ }} in its text are output, as for a Go or Helm file. */
const RAW = '# {{ not a tag }} for {{ .Values.name }}\nname: [[ key "app/name" ]]\n[[- range ls "haproxy/timeouts" ]]\n[[ .Key ]]: "{{ [[ .Value ]] }}"\n[[- end ]]\n';
const OUTPUTS = ['up.conf', 'inline.txt', 'raw.txt'];
const RUN_MS = 60_000;

let dir: string;
let migrate: RunResult;
const files = { consulTemplate: new Map<string, string>(), ctmpl: new Map<string, string>() };
const modes = { consulTemplate: 0, ctmpl: 0 };
const ran = { consulTemplate: false, ctmpl: false };

async function collect(program: 'consulTemplate' | 'ctmpl'): Promise<void> {
  for (const name of OUTPUTS) files[program].set(name, await readFile(join(dir, 'out', name), 'utf8'));
  modes[program] = (await stat(join(dir, 'out', 'up.conf'))).mode & 0o777;
  ran[program] = existsSync(join(dir, 'out', 'reloaded'));
  await rm(join(dir, 'out'), { recursive: true });
}

beforeAll(async () => {
  const agent = await startConsul();
  await loadWorldIntoConsul(agent, loadWorld(join(FIXTURES, 'world.json')));
  dir = await tempDir('ctmpl-migrate-config-');
  await mkdir(join(dir, 'in'));
  await writeFile(join(dir, 'in', 'up.ctmpl'), UPSTREAM);
  await writeFile(join(dir, 'in', 'raw.tpl'), RAW);
  await writeFile(
    join(dir, 'ct.hcl'),
    [
      `consul {\n  address = "${agent.address}"\n}`,
      'log_level = "warn"',
      'template {\n  source = "in/up.ctmpl"\n  destination = "out/up.conf"\n  command = "touch out/reloaded"\n  perms = 0640\n}',
      'template {\n  contents = "app={{ key \\"app/name\\" }} workers={{ keyOrDefault \\"nginx/workers\\" \\"2\\" }}\\n"\n  destination = "out/inline.txt"\n}',
      'template {\n  source = "in/raw.tpl"\n  destination = "out/raw.txt"\n  left_delimiter = "[["\n  right_delimiter = "]]"\n}',
    ].join('\n'),
  );
  migrate = await runCtmpl(['migrate', '--out', 'new', 'ct.hcl'], { cwd: dir, env: NO_CONSUL_ENV, timeoutMs: RUN_MS });
  if (migrate.exitCode !== 0) throw new Error(`ctmpl migrate failed (exit ${String(migrate.exitCode)}):\n${migrate.stdout}\n${migrate.stderr}`);

  const ct = await execa(obtainTool('consul-template'), ['-once', '-config', 'ct.hcl'], { cwd: dir, env: NO_CONSUL_ENV, reject: false, stdin: 'ignore', timeout: RUN_MS });
  if (ct.exitCode !== 0) throw new Error(`consul-template failed (exit ${String(ct.exitCode)}):\n${String(ct.stderr)}`);
  await collect('consulTemplate');
  const run = await runCtmpl(['--once', '--config', join('new', 'ctmpl.yaml')], { cwd: dir, env: NO_CONSUL_ENV, timeoutMs: RUN_MS });
  if (run.exitCode !== 0) throw new Error(`ctmpl failed (exit ${String(run.exitCode)}):\n${run.stdout}\n${run.stderr}`);
  await collect('ctmpl');
}, 3 * RUN_MS);

describe('a consul-template config migrated with ctmpl migrate', () => {
  it('becomes ctmpl.yaml beside the converted templates', async () => {
    expect(migrate.stdout).toContain('wrote      new/ctmpl.yaml\n');
    expect(migrate.stdout).toContain('migrate: 3 of 3 template(s) converted\n');
    expect(existsSync(join(dir, 'new', 'templates', 'up.hbs'))).toBe(true);
    expect(existsSync(join(dir, 'new', 'templates', 'raw.hbs'))).toBe(true);
    expect(await readFile(join(dir, 'new', 'ctmpl.yaml'), 'utf8')).toContain('source: templates/up.hbs');
  });

  it.each(OUTPUTS)('%s: ctmpl with the YAML writes what consul-template writes with the HCL', (name) => {
    expect(files.consulTemplate.get(name), name).not.toBe('');
    expect(files.ctmpl.get(name), name).toBe(files.consulTemplate.get(name));
  });

  it('leaves the {{ }} of a template written with [[ ]] as text', () => {
    expect(files.ctmpl.get('raw.txt')).toBe('# {{ not a tag }} for {{ .Values.name }}\nname: shop\nclient: "{{ 30s }}"\nconnect: "{{ 5s }}"\nserver: "{{ 30s }}"\n');
  });

  it('keeps the file mode and runs the command, as consul-template does', () => {
    expect(modes).toEqual({ consulTemplate: 0o640, ctmpl: 0o640 });
    expect(ran).toEqual({ consulTemplate: true, ctmpl: true });
  });
});
