import { describe, expect, it } from 'vitest';
import type { Dependency } from '../../../../src/catalog/types.js';
import { compileTemplate } from '../../../../src/template/engine.js';
import { kvFolder, kvPath } from '../../../../src/template/helpers/kv.js';
import { inputs, render, renderFromCatalog } from '../fixtures.js';

const CATALOG = `
services: {}
kv:
  app/maxconn: "100"
  app/empty: ""
  app/config/a: "A"
  app/config/b: "B"
  app/config/sub/: ""
  app/config/sub/c: "C"
  app/configX: "sibling"
  top: "T"
`;

const kv = (template: string): string => render(template, CATALOG);

/** The dependencies a template asks for (one pass, no data). */
function asked(template: string): Dependency[] {
  return [...compileTemplate('t.hbs', template).render(inputs()).context.used.values()];
}

describe('paths as consul-template reads them', () => {
  it('takes one leading slash off a path, never more, and never the whole path', () => {
    expect(kvPath('/app/x')).toBe('app/x');
    expect(kvPath('app/x')).toBe('app/x');
    expect(kvPath('//app/x')).toBe('/app/x');
    expect(kvPath('/')).toBe('');
  });

  it('reads a prefix as a folder, "/" as the root', () => {
    expect(kvFolder('app/config')).toBe('app/config/');
    expect(kvFolder('/app/config/')).toBe('app/config/');
    expect(kvFolder('/')).toBe('');
  });
});

describe('key', () => {
  it('reads "/app/maxconn" as app/maxconn (it used to wait for ever for a key named "/app/maxconn")', () => {
    expect(kv('{{key "/app/maxconn"}} {{key "app/maxconn"}}')).toBe('100 100');
    expect(asked('{{key "/app/maxconn"}}')).toEqual([{ kind: 'key', source: 'file', key: 'app/maxconn' }]);
  });

  it('gives an empty value as it is', () => {
    expect(kv('[{{key "app/empty"}}]')).toBe('[]');
  });

  it('waits for a key that does not exist: no file is written, and the reason names the key', () => {
    const { result } = renderFromCatalog('{{key "/app/missing"}}', CATALOG);
    expect(result.output).toBeUndefined();
    expect([...result.context.waiting]).toEqual(['key "app/missing" does not exist']);
  });

  it('asks for nothing for an empty path, as consul-template', () => {
    expect(kv('[{{key ""}}]')).toBe('[]');
    expect(asked('{{key ""}}')).toEqual([]);
  });

  it('still gives the loop key for {{@key}} inside #each (Handlebars calls a helper named key for it)', () => {
    expect(kv('{{#each (ls "app/config")}}{{@key}}={{Key}} {{/each}}')).toBe('0=a 1=b ');
  });
});

describe('keyExists', () => {
  it('tells whether a key exists, an empty one included, with or without the leading slash', () => {
    expect(kv('{{keyExists "app/empty"}} {{keyExists "/app/maxconn"}} {{keyExists "app/missing"}} {{keyExists ""}}')).toBe('true true false false');
  });

  it('never waits for a key that does not exist', () => {
    expect(renderFromCatalog('{{#if (keyExists "app/beta")}}beta{{else}}stable{{/if}}', CATALOG).result.output).toBe('stable');
  });

  it('waits, like every helper, until the source has answered at all', () => {
    const result = compileTemplate('t.hbs', '{{keyExists "app/maxconn"}}').render(inputs());
    expect(result.output).toBeUndefined();
    expect([...result.context.waiting]).toEqual(['file:key(app/maxconn)']);
  });
});

describe('keyOrDefault', () => {
  it('gives the default for a missing key and for an empty value (consul-template), the value otherwise', () => {
    expect(kv('{{keyOrDefault "app/missing" "d1"}} {{keyOrDefault "app/empty" "d2"}} {{keyOrDefault "/app/maxconn" "d3"}}')).toBe('d1 d2 100');
  });

  it('gives the default for an empty path without asking for anything', () => {
    expect(kv('{{keyOrDefault "" "d"}}')).toBe('d');
    expect(asked('{{keyOrDefault "" "d"}}')).toEqual([]);
  });
});

describe('ls and tree', () => {
  it('ls lists the keys directly in a folder, Key relative to it, Path the full key', () => {
    expect(kv('{{#each (ls "/app/config")}}{{Key}}={{Value}}@{{Path}} {{/each}}')).toBe('a=A@app/config/a b=B@app/config/b ');
  });

  it('reads "app/config" and "/app/config/" as the same folder, and never a sibling such as app/configX', () => {
    expect(asked('{{ls "app/config"}}{{ls "/app/config/"}}{{tree "/app/config"}}')).toEqual([{ kind: 'keys', source: 'file', prefix: 'app/config/' }]);
    expect(kv('{{#each (ls "app/config")}}{{Key}} {{/each}}')).not.toContain('X');
  });

  it('tree lists every key below, recursively, without the folders themselves', () => {
    expect(kv('{{#each (tree "/app/config/")}}{{Key}}={{Value}} {{/each}}')).toBe('a=A b=B sub/c=C ');
  });

  it('lists the root for "/" and nothing for ""', () => {
    expect(kv('{{#each (ls "/")}}{{Key}}={{Value}} {{/each}}')).toBe('top=T ');
    expect(asked('{{ls "/"}}')).toEqual([{ kind: 'keys', source: 'file', prefix: '' }]);
    expect(kv('[{{#each (tree "")}}{{Key}}{{/each}}]')).toBe('[]');
    expect(asked('{{tree ""}}')).toEqual([]);
  });
});
