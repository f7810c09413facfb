import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { planMigration } from '../../../src/migrate/plan.js';
import { tempDir } from '../../support/tmp.js';

async function workspace(): Promise<{ dir: string; plan: (paths: string[]) => ReturnType<typeof planMigration> }> {
  const dir = await tempDir();
  await mkdir(join(dir, 'in', 'sub'), { recursive: true });
  await writeFile(join(dir, 'in', 'up.ctmpl'), '{{ range service "web" }}{{ .Address }}{{ end }}');
  await writeFile(join(dir, 'in', 'sub', 'up.ctmpl'), '{{ key "a" }}');
  return { dir, plan: (paths) => planMigration(paths, { cwd: dir, out: join(dir, 'out'), show: (p) => p.slice(dir.length + 1) }) };
}

describe('planning a migration', () => {
  it('keeps bare templates apart by their directories below the one they share', async () => {
    const { dir, plan } = await workspace();
    const { jobs, config } = await plan(['in/up.ctmpl', 'in/sub/up.ctmpl']);
    expect(config).toBeUndefined();
    expect(jobs.map((j) => [j.name, j.output, j.result.ok])).toEqual([
      ['in/up.ctmpl', join(dir, 'out', 'up.hbs'), true],
      ['in/sub/up.ctmpl', join(dir, 'out', 'sub', 'up.hbs'), true],
    ]);
  });

  it('reads .hcl and .json files and directories as configs, and converts a template two blocks share once', async () => {
    const { dir, plan } = await workspace();
    await mkdir(join(dir, 'ct.d'));
    await writeFile(join(dir, 'ct.d', 'a.hcl'), 'template {\n  source = "in/up.ctmpl"\n  destination = "a.conf"\n}\n');
    await writeFile(join(dir, 'ct.d', 'b.json'), JSON.stringify({ template: [{ source: 'in/up.ctmpl', destination: 'b.conf' }, { contents: '{{ key "b" }}', destination: 'c.conf' }] }));
    const { jobs, configOutput } = await plan(['ct.d']);
    expect(configOutput).toBe(join(dir, 'out', 'ctmpl.yaml'));
    expect(jobs.map((j) => [j.name, j.configIndexes, j.output])).toEqual([
      ['in/up.ctmpl', [0, 1], join(dir, 'out', 'templates', 'up.hbs')],
      ['ct.d/b.json:1:62 (contents)', [2], undefined],
    ]);
  });

  it('refuses unreadable input before anything is written, naming it', async () => {
    const { dir, plan } = await workspace();
    await expect(plan(['in/missing.ctmpl'])).rejects.toMatchObject({ name: 'InputError', message: 'cannot read in/missing.ctmpl (ENOENT)' });
    await writeFile(join(dir, 'ct.hcl'), 'template {\n  source = "in/gone.ctmpl"\n  destination = "x"\n}\n');
    const attempt = plan(['ct.hcl']);
    await expect(attempt).rejects.toBeInstanceOf(InputError);
    await expect(attempt).rejects.toMatchObject({ where: 'ct.hcl:1:10', message: expect.stringContaining('in/gone.ctmpl (ENOENT)') });
  });
});
