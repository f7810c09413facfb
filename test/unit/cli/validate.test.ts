import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validate } from '../../../src/cli/validate.js';
import type { FlagValues } from '../../../src/config/flags.js';
import { tempDir } from '../../support/tmp.js';

const flags = (over: Partial<FlagValues>): FlagValues => ({ template: [], source: [], once: false, dry: false, ...over });
const CATALOG = 'services:\n  web:\n    - { address: 10.0.0.1, port: 80 }\n';

async function workspace(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('ctmpl-validate-');
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

describe('validate', () => {
  it('checks every template and static catalog, and finds nothing in a good setup', async () => {
    const dir = await workspace({ 'a.hbs': '{{#each (service "web")}}{{Address}}{{/each}}', 'b.hbs': 'static', 'c.yaml': CATALOG });
    const report = await validate(flags({ template: ['a.hbs:out/a', 'b.hbs:out/b'], source: ['file:c.yaml'] }), dir);
    expect(report).toEqual({ problems: [], warnings: [], notes: [], templates: 2, catalogs: 1 });
  });

  it('reports every problem at once, each with its place: a missing template, a broken one, a broken catalog', async () => {
    const dir = await workspace({ 'broken.hbs': 'x\n{{#each (services)}}\n', 'c.yaml': 'services:\n  web:\n    - { address: 10.0.0.1, port: eighty }\n' });
    const report = await validate(flags({ template: ['missing.hbs:out/a', 'broken.hbs:out/b'], source: ['file:c.yaml'] }), dir);
    const described = report.problems.map((p) => p.describe());
    expect(described).toHaveLength(3);
    expect(described[0]).toContain(`--template "missing.hbs:out/a": the template ${join(dir, 'missing.hbs')} does not exist`);
    expect(described[1]).toMatch(new RegExp(`^${join(dir, 'broken.hbs')}:\\d+:\\d+: template`));
    expect(described[2]).toMatch(new RegExp(`^${join(dir, 'c.yaml')}:3:\\d+: services\\.web\\.0\\.port`));
    expect(report).toMatchObject({ templates: 2, catalogs: 1 });
  });

  it('stops at a setting that is wrong, reporting it alone', async () => {
    const dir = await workspace({ 'a.hbs': 'x' });
    const report = await validate(flags({ template: ['a.hbs:out/a'], wait: 'soon' }), dir);
    expect(report.templates).toBe(0);
    expect(report.problems.map((p) => p.message)).toEqual(['--wait: "soon" is not a duration']);
  });

  it('contacts no registry: a Consul source is checked for its settings only', async () => {
    const dir = await workspace({ 'a.hbs': 'x' });
    const report = await validate(flags({ template: ['a.hbs:out/a'], source: ['consul://127.0.0.1:1'] }), dir);
    expect(report).toEqual({ problems: [], warnings: [], notes: [], templates: 1, catalogs: 0 });
  });

  it('accepts exec mode whatever --once says (validation never runs anything)', async () => {
    const dir = await workspace({ 'a.hbs': 'x' });
    const report = await validate(flags({ template: ['a.hbs:out/a'], exec: 'nginx', once: true }), dir);
    expect(report.problems).toEqual([]);
  });

  it('renders each template strictly against a made-up catalog: a misspelt field is a problem with its place', async () => {
    const dir = await workspace({ 'typo.hbs': '{{#each (services)}}\n{{#each (service this)}}server {{Adress}};{{/each}}{{/each}}', 'ok.hbs': '{{#each (service "web")}}{{Meta.zone}}{{/each}}', 'c.yaml': CATALOG });
    const report = await validate(flags({ template: ['typo.hbs:out/a', 'ok.hbs:out/b'], source: ['file:c.yaml'] }), dir);
    expect(report.problems.map((p) => p.describe())).toEqual([expect.stringMatching(new RegExp(`^${join(dir, 'typo.hbs')}:2:34: missing field "Adress"`))]);
  });

  it('checks the partials directory and the templates that include from it', async () => {
    const dir = await workspace({ 'parts/server.hbs': 'server {{Address}}:{{Prot}};', 'a.hbs': '{{#each (service "web")}}{{> server}}{{/each}}{{> nope}}', 'c.yaml': CATALOG });
    const report = await validate(flags({ template: ['a.hbs:out/a'], source: ['file:c.yaml'], partials: 'parts' }), dir);
    expect(report.problems.map((p) => p.describe())).toEqual([expect.stringMatching(/a\.hbs:1:\d+: unknown partial "nope"/)]);
    await writeFile(join(dir, 'a.hbs'), '{{#each (service "web")}}{{> server}}{{/each}}');
    const again = await validate(flags({ template: ['a.hbs:out/a'], source: ['file:c.yaml'], partials: 'parts' }), dir);
    expect(again.problems.map((p) => p.describe())).toEqual([expect.stringMatching(new RegExp(`^${join(dir, 'parts', 'server.hbs')}:1:\\d+: missing field "Prot"`))]);
  });
});
