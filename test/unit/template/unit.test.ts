import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dependencyId, type Dependency } from '../../../src/catalog/types.js';
import { InputError } from '../../../src/errors.js';
import { TemplateUnit } from '../../../src/template/unit.js';
import { tempDir } from '../../support/tmp.js';
import { loadUnit } from '../../support/units.js';
import { inputs } from './fixtures.js';

const service = (name: string): Dependency => ({ kind: 'service', source: 'file', name, status: ['passing'] });
const SERVICES: Dependency = { kind: 'services', source: 'file' };
const EVERY = '{{#each (services)}}{{Name}}:{{#each (service Name)}}{{Address}}{{/each}};{{/each}}';
const web = [{ Address: '10.0.0.1' }];

async function unit(text: string) {
  return loadUnit(await tempDir('ctmpl-unit-'), 't', text);
}

describe('TemplateUnit', () => {
  it('renders a template complete with every answer, counting renders and keeping what it used', async () => {
    const u = await unit('{{#each (service "web")}}{{Address}}{{/each}}');
    const outcome = u.render(inputs(new Map([[dependencyId(service('web')), web]])));
    expect(outcome).toMatchObject({ kind: 'complete', text: '10.0.0.1' });
    expect(u.rendered).toBe(true);
    expect(u.renders).toBe(1);
    expect(u.lastRenderAt).toBeTypeOf('number');
    expect([...u.deps.values()]).toEqual([service('web')]);
    expect(u.waiting).toEqual([]);
  });

  it('waits, writing nothing, while a dependency has no data, and keeps every dependency found so far', async () => {
    const u = await unit(EVERY);
    const data = new Map<string, unknown>();
    expect(u.render(inputs(data))).toEqual({ kind: 'waiting', waiting: [dependencyId(SERVICES)] });
    data.set(dependencyId(SERVICES), [{ Name: 'web', Tags: [] }, { Name: 'api', Tags: [] }]);
    expect(u.render(inputs(data))).toEqual({ kind: 'waiting', waiting: [dependencyId(service('web')), dependencyId(service('api'))] });
    expect([...u.deps.keys()].sort()).toEqual([SERVICES, service('web'), service('api')].map(dependencyId).sort());
    expect(u.rendered).toBe(false);
  });

  it('after a complete render, keeps only what that render used (so the rest is unwatched)', async () => {
    const u = await unit(EVERY);
    const data = new Map<string, unknown>([
      [dependencyId(SERVICES), [{ Name: 'web', Tags: [] }, { Name: 'api', Tags: [] }]],
      [dependencyId(service('web')), web],
      [dependencyId(service('api')), []],
    ]);
    expect(u.render(inputs(data)).kind).toBe('complete');
    data.set(dependencyId(SERVICES), [{ Name: 'web', Tags: [] }]);
    expect(u.render(inputs(data))).toMatchObject({ kind: 'complete', text: 'web:10.0.0.1;' });
    expect([...u.deps.keys()].sort()).toEqual([SERVICES, service('web')].map(dependencyId).sort());
  });

  it('reports a render that throws as failed, with the error kept until a render succeeds', async () => {
    const u = await unit('{{#if (key "boom")}}{{add 1 (key "boom")}}{{/if}}');
    const id = dependencyId({ kind: 'key', source: 'file', key: 'boom' });
    const failed = u.render(inputs(new Map([[id, 'x']])));
    expect(failed).toEqual({ kind: 'failed', error: 'add: "x" is not a number' });
    expect(u.lastError).toBe('add: "x" is not a number');
    expect(u.render(inputs(new Map([[id, '']]))).kind).toBe('complete');
    expect(u.lastError).toBeUndefined();
  });

  it('keeps its compiled form when an edit is broken, and takes a good edit', async () => {
    const u = await unit('old');
    expect(() => u.recompile('{{#each (services)}}unclosed')).toThrow(InputError);
    expect(u.render(inputs())).toMatchObject({ kind: 'complete', text: 'old' });
    u.recompile('new');
    expect(u.render(inputs())).toMatchObject({ kind: 'complete', text: 'new' });
    expect(u.text, 'the text it was loaded from').toBe('old');
  });

  it('refuses a missing template, a missing sandbox and a template over 1 MiB when loading', async () => {
    const dir = await tempDir('ctmpl-unit-');
    const base = { source: join(dir, 'nope.hbs'), destination: join(dir, 'out'), command: undefined, wait: undefined, perms: undefined, backup: false, sandbox: dir };
    await expect(TemplateUnit.load(base)).rejects.toThrow(/cannot read template \(ENOENT\)/);
    await writeFile(join(dir, 'ok.hbs'), 'x');
    await expect(TemplateUnit.load({ ...base, source: join(dir, 'ok.hbs'), sandbox: join(dir, 'gone') })).rejects.toThrow(/sandbox directory .*gone does not exist/);
    await writeFile(join(dir, 'big.hbs'), 'x'.repeat(1024 * 1024 + 1));
    await expect(TemplateUnit.load({ ...base, source: join(dir, 'big.hbs') })).rejects.toThrow(/larger than 1048576 bytes/);
  });

  it('is named after its destination and keeps its sandbox as a real path', async () => {
    const u = await unit('x');
    expect(u.name).toBe(u.config.destination);
    expect(u.sandbox).toBe(u.config.sandbox);
  });
});
