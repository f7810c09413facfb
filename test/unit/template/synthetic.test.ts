import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../../src/template/engine.js';
import { checkWithSyntheticCatalog } from '../../../src/template/synthetic.js';
import { sourceMap } from './fixtures.js';

const base = { defaultSource: 'consul', sources: sourceMap({ consul: 'consul' }), sandbox: '/nonexistent', env: {} };
const check = (text: string) => checkWithSyntheticCatalog(compileTemplate('t.hbs', text), base);

describe('ctmpl validate: a strict render against a made-up catalog', () => {
  it('finds a misspelt field with its file:line:col, at any depth of the template', () => {
    expect(check('{{#each (services)}}\n{{#each (service this)}}\n  server {{Adress}}:{{Port}};\n{{/each}}{{/each}}').errors).toEqual([
      expect.stringMatching(/^t\.hbs:3:12: missing field "Adress"/),
    ]);
    expect(check('{{#each (service "web")}}{{this.Nodee}}{{/each}}').errors[0]).toMatch(/missing field "Nodee"/);
  });

  it('passes templates that only use real fields, meta keys and KV', () => {
    const text = '{{#each (service "web")}}{{Address}}:{{Port}} {{Meta.version}} {{NodeMeta.rack}} {{Weights.Passing}} {{TaggedAddresses.wan.Address}}{{/each}}{{key "app/x"}}{{#each (tree "app")}}{{Key}}{{/each}}';
    expect(check(text)).toEqual({ errors: [], notes: [] });
  });

  it("passes the shipped templates", async () => {
    for (const name of ['nginx-upstream.hbs', 'haproxy-backend.hbs', 'prometheus-file-sd.json.hbs']) {
      const text = await readFile(new URL(`../../../templates/${name}`, import.meta.url), 'utf8');
      expect(checkWithSyntheticCatalog(compileTemplate(name, text), base).errors, name).toEqual([]);
    }
  });

  it('tells apart where the made-up data stopped the check from an error in the template', () => {
    const result = check('{{#with (parseJSON (key "app/config"))}}{{port}}{{/with}}');
    expect(result.errors).toEqual([]);
    expect(result.notes[0]).toMatch(/made-up catalog stopped it/);
  });
});

describe('ctmpl validate: Consul nodes', () => {
  it('checks templates over (node), (nodes) and (datacenters) too', () => {
    expect(check('{{#with (node)}}{{Node.Address}}{{#each Services}}{{Service}}:{{Port}}{{/each}}{{/with}}{{#each (nodes)}}{{Node}}{{Meta.rack}}{{/each}}{{#each (datacenters)}}{{this}}{{/each}}')).toEqual({ errors: [], notes: [] });
    expect(check('{{#each (nodes)}}{{Adress}}{{/each}}').errors[0]).toMatch(/missing field "Adress"/);
  });
});
