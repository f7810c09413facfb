import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { DEFAULT_SOURCE_URI, REGISTRIES, registryForScheme, registryNamed, registrySyntaxes, sourcesByName } from '../../../src/registries/list.js';
import { inputErrorOf } from '../../support/input-error.js';

describe('the registry list', () => {
  it('names each registry once, and gives each URI scheme to one registry only', () => {
    const names = REGISTRIES.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    const schemes = REGISTRIES.flatMap((r) => r.schemes);
    expect(new Set(schemes).size).toBe(schemes.length);
  });

  it('finds the registry of every scheme it lists, and none for an unknown scheme', () => {
    for (const registry of REGISTRIES) for (const scheme of registry.schemes) expect(registryForScheme(scheme)).toBe(registry);
    expect(registryForScheme('mdns')).toBeUndefined();
    expect(registryForScheme('')).toBeUndefined();
  });

  it('has a registry for the default source (Consul)', () => {
    expect(registryForScheme(DEFAULT_SOURCE_URI.replace(/:.*$/, ''))?.name).toBe('consul');
  });

  it('finds a registry by name, and refuses an unknown name listing the known ones', () => {
    expect(registryNamed('file').schemes).toContain('file');
    const err = inputErrorOf(() => registryNamed('mdns'));
    expect(err).toBeInstanceOf(InputError);
    expect(err.hint).toBe(`known registries: ${REGISTRIES.map((r) => r.name).join(', ')}`);
  });

  it('gives the URI form of every registry for help texts', () => {
    const text = registrySyntaxes();
    for (const registry of REGISTRIES) expect(text).toContain(registry.syntax);
  });

  it('describes configured sources to templates by their registry and what it can answer', () => {
    const sources = sourcesByName([['cat', 'file'], ['reg', 'consul']]);
    expect([...sources.keys()]).toEqual(['cat', 'reg']);
    expect(sources.get('cat')).toEqual({ registry: 'file', capabilities: registryNamed('file').capabilities });
    expect(sources.get('reg')?.capabilities.nodes).toBe(true);
    expect(() => sourcesByName([['x', 'nope']])).toThrow(InputError);
  });
});
