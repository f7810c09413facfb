import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDataText, validateDataFile } from '../../../src/config/data-file.js';
import { configFileSchema } from '../../../src/config/schema.js';
import { InputError } from '../../../src/errors.js';
import { ctmplConfigYaml, readConsulTemplateConfig, type TemplateOutcome } from '../../../src/migrate/config.js';
import { tempDir } from '../../support/tmp.js';

const HCL = `
consul {
  address = "127.0.0.1:8500"
  token_file = "secrets/token"
}
log_level = "warn"
exec {
  command = "app --serve"
}
template {
  source = "in/up.ctmpl"
  destination = "out/up.conf"
  command = "nginx -s reload"
  perms = 0640
}
template {
  contents = "app={{ key \\"app/name\\" }}"
  destination = "/srv/inline.txt"
  error_on_missing_key = true
}
template {
  source = "in/raw.tpl"
  destination = "out/raw.txt"
  left_delimiter = "[["
  right_delimiter = "]]"
}
`;

async function workspace(hcl = HCL): Promise<string> {
  const dir = await tempDir();
  await mkdir(join(dir, 'in'));
  await writeFile(join(dir, 'ct.hcl'), hcl);
  return dir;
}

describe('reading a consul-template config for migration', () => {
  it('lists its templates with their place, delimiters and strictness, paths read from the working directory', async () => {
    const dir = await workspace();
    const config = await readConsulTemplateConfig(['ct.hcl'], dir, (p) => p.slice(dir.length + 1));
    expect(config.templates.map((t) => ({ ...t }))).toEqual([
      { index: 0, where: 'ct.hcl:10:10', source: join(dir, 'in/up.ctmpl'), contents: undefined, destination: 'out/up.conf', delimiters: {}, strict: false },
      { index: 1, where: 'ct.hcl:16:10', source: undefined, contents: 'app={{ key "app/name" }}', destination: '/srv/inline.txt', delimiters: {}, strict: true },
      { index: 2, where: 'ct.hcl:21:10', source: join(dir, 'in/raw.tpl'), contents: undefined, destination: 'out/raw.txt', delimiters: { left: '[[', right: ']]' }, strict: false },
    ]);
  });

  it('refuses what ctmpl cannot run, at its file:line:col', async () => {
    const dir = await workspace('vault {\n  address = "https://vault:8200"\n}\n');
    const read = readConsulTemplateConfig(['ct.hcl'], dir);
    await expect(read).rejects.toBeInstanceOf(InputError);
    await expect(read).rejects.toMatchObject({ where: expect.stringMatching(/ct\.hcl:1:1$/) });
  });
});

describe("the ctmpl config written for it", () => {
  it('loads with ctmpl, points at the conversions and lists what was skipped', async () => {
    const dir = await workspace(`${HCL}template {\n  source = "in/bad.ctmpl"\n  destination = "out/bad.txt"\n}\n`);
    const config = await readConsulTemplateConfig(['ct.hcl'], dir);
    const outcomes = new Map<number, TemplateOutcome>([
      [0, { kind: 'file', source: 'templates/up.hbs' }],
      [1, { kind: 'contents', contents: 'app={{key "app/name"}}' }],
      [2, { kind: 'file', source: 'templates/raw.hbs' }],
      [3, { kind: 'skipped', why: 'in/bad.ctmpl: 1 construct(s) cannot be converted' }],
    ]);
    const yaml = ctmplConfigYaml(config, outcomes, { cwd: dir, from: 'ct.hcl' });
    const loaded = validateDataFile(parseDataText('ctmpl.yaml', yaml), configFileSchema, 'x');
    expect(loaded.templates).toEqual([
      { source: 'templates/up.hbs', destination: join(dir, 'out/up.conf'), command: 'nginx -s reload', perms: '0640' },
      { contents: 'app={{key "app/name"}}', destination: '/srv/inline.txt', error_on_missing_key: true },
      { source: 'templates/raw.hbs', destination: join(dir, 'out/raw.txt') },
    ]);
    expect((loaded as Record<string, unknown>).consul).toMatchObject({ address: '127.0.0.1:8500', token_file: join(dir, 'secrets/token') });
    // consul-template's exec defaults, which ctmpl applies only to HCL configs.
    expect(loaded.exec).toMatchObject({ command: 'app --serve', reload_signal: 'none', kill_signal: 'SIGINT' });
    expect(yaml).toMatch(/^# ctmpl config converted by `ctmpl migrate` from consul-template's ct\.hcl\.$/m);
    expect(yaml).toMatch(/^# NOT CONVERTED .*\n# {2}- .*ct\.hcl:27:10: in\/bad\.ctmpl: 1 construct\(s\) cannot be converted$/m);
  });
});
