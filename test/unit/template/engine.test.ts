import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { compileTemplate } from '../../../src/template/engine.js';
import { inputs, render, renderFromCatalog, sourceMap } from './fixtures.js';
import { inputErrorOf } from '../../support/input-error.js';

const CATALOG = `
services:
  web:
    - { id: w2, address: 10.0.0.2, port: 8080, tags: [v1], node: n2 }
    - { id: w1, address: 10.0.0.1, port: 8080, tags: [v1, canary], node: n1 }
    - { id: w3, address: 10.0.0.3, port: 8080, tags: [v2], node: n3, status: critical }
    - { id: w4, address: 10.0.0.4, port: 8080, node: n4, status: warning, datacenter: dc2 }
  db:
    - { id: d1, address: 10.0.1.1, port: 5432, node: n1 }
kv:
  app/maxconn: "512"
  app/sub/a: "1"
  other: x
`;

const compileError = (text: string): InputError => inputErrorOf(() => compileTemplate('t.hbs', text));

describe('template engine', () => {
  it('renders numbers as strings, so {{Port}}{{Port}} is 80808080 and not a sum', () => {
    expect(render('{{#each (service "web")}}{{Port}}{{Port}} {{/each}}', CATALOG)).toBe('80808080 80808080 ');
  });

  it('does not HTML-escape: configs are not HTML', () => {
    expect(render('{{key "k"}}', 'kv:\n  k: "a&b<c>\'"\n')).toBe("a&b<c>'");
  });

  it('gives passing instances sorted by node then id, with Consul field names', () => {
    const out = render('{{#each (service "web")}}{{Node}}/{{ID}}/{{Address}}/{{Status}}/{{Datacenter}}/{{Source}};{{/each}}', CATALOG);
    expect(out).toBe('n1/w1/10.0.0.1/passing/dc1/file;n2/w2/10.0.0.2/passing/dc1/file;');
  });

  it('filters by tag, status and datacenter through hash arguments', () => {
    expect(render('{{#each (service "web" tag="canary")}}{{ID}}{{/each}}', CATALOG)).toBe('w1');
    expect(render('{{#each (service "web" status="any")}}{{ID}}{{/each}}', CATALOG)).toBe('w1w2w3w4');
    expect(render('{{#each (service "web" status="passing,warning" dc="dc2")}}{{ID}}{{/each}}', CATALOG)).toBe('w4');
  });

  it("filters through consul-template's string form", () => {
    expect(render('{{#each (service "v1.web|passing,critical")}}{{ID}}{{/each}}', CATALOG)).toBe('w1w2');
    expect(render('{{#each (service "web@dc2|warning")}}{{ID}}{{/each}}', CATALOG)).toBe('w4');
  });

  it('lists services sorted by name with the union of their tags', () => {
    expect(render('{{#each (services)}}{{Name}}[{{join Tags ","}}] {{/each}}', CATALOG)).toBe('db[] web[canary,v1,v2] ');
  });

  it('reads keys, defaults, folders and trees', () => {
    expect(render('{{key "app/maxconn"}}|{{keyOrDefault "nope" "d"}}|{{keyOrDefault "app/maxconn" "d"}}', CATALOG)).toBe('512|d|512');
    expect(render('{{#each (ls "app")}}{{Key}}={{Value}};{{/each}}', CATALOG)).toBe('maxconn=512;');
    expect(render('{{#each (tree "app/")}}{{Key}}={{Value}};{{/each}}', CATALOG)).toBe('maxconn=512;sub/a=1;');
    expect(render('{{#each (ls "missing")}}x{{/each}}', CATALOG)).toBe('');
  });

  it('waits, writing nothing, while a key read with `key` does not exist', () => {
    const { result } = renderFromCatalog('maxconn {{key "app/absent"}};', CATALOG);
    expect(result.output).toBeUndefined();
    expect([...result.context.waiting]).toContain('key "app/absent" does not exist');
  });

  it('discovers dependencies iteratively: services, then each service', () => {
    const { result, passes } = renderFromCatalog('{{#each (services)}}{{Name}}:{{#each (service Name)}}{{Port}}{{/each}};{{/each}}', CATALOG);
    expect(result.output).toBe('db:5432;web:80808080;');
    expect(passes).toBe(3);
    expect([...result.context.used.keys()].sort()).toEqual(['file:service(db|passing)', 'file:service(web|passing)', 'file:services()']);
  });

  it('produces no output while any dependency has no data (no half-empty first render)', () => {
    const compiled = compileTemplate('t.hbs', '{{#each (service "web")}}x{{/each}}{{#each (service "db")}}y{{/each}}');
    const data = new Map<string, unknown>([['file:service(web|passing)', []]]);
    const result = compiled.render(inputs(data));
    expect(result.output).toBeUndefined();
    expect([...result.context.waiting]).toEqual(['file:service(db|passing)']);
  });

  it('selects a named source and refuses an unknown one', () => {
    const compiled = compileTemplate('t.hbs', '{{#each (service "web" source="b")}}{{ID}}{{/each}}');
    const result = compiled.render(inputs(new Map([['b:service(web|passing)', [{ ID: 'from-b' }]]]), { sources: sourceMap({ file: 'file', b: 'file' }) }));
    expect(result.output).toBe('from-b');
    expect(() => compileTemplate('t.hbs', '{{service "web" source="zz"}}').render(inputs())).toThrow(/unknown source "zz"/);
  });

  it('blocks prototype access from templates', () => {
    expect(render('{{#each (service "web")}}[{{constructor.name}}]{{/each}}', CATALOG)).toBe('[][]');
  });

  it('rejects unknown helpers up front with line:column', () => {
    const err = compileError('line one\n  {{nope "x"}}');
    expect(err.where).toBe('t.hbs:2:3');
    expect(err.message).toBe('unknown helper "nope"');
  });

  it('rejects unknown helpers inside subexpressions and blocks', () => {
    expect(compileError('{{#each (servicez "web")}}{{/each}}').message).toBe('unknown helper "servicez"');
    expect(compileError('{{#iff x}}{{/iff}}').message).toBe('unknown helper "iff"');
  });

  it('reports syntax errors with line:column', () => {
    const err = compileError('a\nb\n  {{foo}');
    expect(err.where).toBe('t.hbs:3:8');
    expect(err.message).toMatch(/^template syntax error/);
  });

  it('reports mismatched blocks with line:column', () => {
    const err = compileError('a\n{{#each x}}\n{{/if}}');
    expect(err.where).toMatch(/^t\.hbs:2:\d+$/);
    expect(err.message).toMatch(/each doesn't match if/);
  });

  it('keeps plain field lookups working: a missing field is empty, not an error', () => {
    expect(render('{{#each (service "db")}}[{{Meta.zone}}]{{/each}}', CATALOG)).toBe('[]');
  });
});

/** The text, or the error message when the render throws (no data, no sandbox). */
function renderOrError(text: string): { output?: string; error?: string } {
  try {
    return { output: compileTemplate('t.hbs', text).render(inputs()).output ?? '' };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

describe('prototype access', () => {
  it.each([
    '{{this.constructor}}',
    '{{constructor.constructor}}',
    '{{this.__proto__}}',
    '{{lookup this "constructor"}}',
    '{{lookup (lookup this "constructor") "constructor"}}',
    '{{#with (lookup this "constructor")}}{{name}}{{/with}}',
    '{{@root.constructor}}',
    '{{#each (lookup this "__proto__")}}{{@key}}{{/each}}',
    '{{#with "text"}}{{this.constructor}}{{this.__proto__}}{{/with}}',
  ])('%s gives nothing', (text) => {
    expect(renderOrError(`[${text}]`)).toEqual({ output: '[]' });
  });

  it.each([
    ['constructor.constructor "return process"', 'constructor.constructor'],
    ['this.constructor "x"', 'this.constructor'],
    ['lookup.constructor 1', 'lookup.constructor'],
    ['@root.constructor "x"', '@root.constructor'],
  ])('a call {{%s}} is refused when the template is compiled, with its position', (call, name) => {
    let error: unknown;
    try {
      compileTemplate('t.hbs', `\n  {{${call}}}`);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).describe()).toContain(`t.hbs:2:3: unknown helper "${name}"`);
  });
});
