import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../../../src/template/engine.js';
import { scratchHelpers } from '../../../../src/template/helpers/scratch.js';
import { inputs, render } from '../fixtures.js';
import { caller, renderText } from './call.js';

const CATALOG = `
services:
  web:
    - { id: a, address: 10.0.0.1, port: 80, node: n1, meta: { zone: eu } }
    - { id: b, address: 10.0.0.2, port: 81, node: n2, meta: { zone: us } }
`;

describe('scratch: consul-template\'s scratch pad, one per render', () => {
  it('sets, reads and tests keys; writers print nothing', () => {
    expect(renderText('[{{scratchSet "a" "1"}}]{{scratchKey "a"}}/{{scratchKey "b"}}/{{scratchGet "a"}}{{scratchSetX "a" "2"}}{{scratchGet "a"}}{{scratchSet "a" "3"}}{{scratchGet "a"}}')).toBe('[]true/false/113');
  });

  it('counts a key set to nothing as set (scratch.Key)', () => {
    expect(renderText('{{scratchSet "n" null}}{{scratchKey "n"}}|{{scratchGet "n"}}|')).toBe('true||');
  });

  it('collects values into a map and gives them back sorted by key', () => {
    const out = render('{{#each (service "web")}}{{scratchMapSet "zones" Meta.zone ID}}{{scratchMapSetX "first" "x" ID}}{{/each}}{{#each (scratchMapValues "zones")}}{{this}};{{/each}}{{scratchMapValues "first"}}|{{printf "%v" (scratchMapValues "none")}}', CATALOG);
    expect(out).toBe('a;b;a|[]');
  });

  it('is shared by every block of one render and fresh for the next render', () => {
    const compiled = compileTemplate('t.hbs', '{{scratchGet "seen"}}|{{#each (loop 3)}}{{scratchSet "seen" this}}{{/each}}{{scratchGet "seen"}}');
    expect(compiled.render(inputs()).output).toBe('|2');
    expect(compiled.render(inputs()).output).toBe('|2');
  });

  it('refuses to write into a value that is not a map, or into catalog data (frozen, as Go\'s map[string]string)', () => {
    expect(() => renderText('{{scratchSet "s" "x"}}{{scratchMapSet "s" "a" "1"}}')).toThrow('scratchMapSet: "s" is not a map');
    expect(() => render('{{#each (service "web")}}{{scratchSet "m" Meta}}{{scratchMapSet "m" "k" "v"}}{{/each}}', CATALOG)).toThrow('scratchMapSet: "m" is not a map');
  });

  it('writes into a map from parseJSON, as Go writes into a map[string]interface{}', () => {
    expect(renderText('{{scratchSet "j" (parseJSON "{\\"z\\":\\"1\\"}")}}{{scratchMapSet "j" "a" "2"}}{{printf "%v" (scratchMapValues "j")}}')).toBe('[2 1]');
  });

  it('keeps a map key named __proto__ an ordinary key', () => {
    const call = caller(scratchHelpers);
    call('scratchMapSet', 'm', '__proto__', 'x');
    call('scratchMapSet', 'm', 'constructor', 'y');
    expect(call('scratchMapValues', 'm')).toEqual(['x', 'y']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses calls without a scratch pad or with a wrong key, naming the helper', () => {
    expect(() => (scratchHelpers.scratchGet as (...a: unknown[]) => unknown)('a', { hash: {}, data: {} })).toThrow(/^scratchGet: no scratch pad in this render/);
    const call = caller(scratchHelpers);
    expect(() => call('scratchSet', { a: 1 }, 'v')).toThrow('scratchSet: expected a key, got a map');
    expect(() => call('scratchMapSet', 'm', 'k')).toThrow('scratchMapSet: expected 3 argument(s), got 2');
  });
});
