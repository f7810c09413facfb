/**
 * The corpus rendered both ways: `rendered.txt` is what consul-template 0.42.1 itself produced
 * from each template against world.json (its template package with the same data in its brain);
 * the converted template, compiled and rendered by ctmpl's own engine and helpers against the
 * same data, must give the same bytes. (test/integration/migrate-corpus.test.ts does the same
 * with both real programs against one real Consul.)
 */
import { describe, expect, it } from 'vitest';
import { corpus, FIXTURES } from './corpus.js';
import { loadWorld, renderConverted } from './support/world.js';

const world = loadWorld(`${FIXTURES}world.json`);

describe('converted templates render with ctmpl what consul-template rendered', () => {
  const fixtures = corpus().filter((f) => f.expected !== undefined && f.rendered !== undefined);

  it('covers every converted template', () => {
    expect(fixtures.length).toBe(corpus().filter((f) => f.expected !== undefined).length);
  });

  for (const f of fixtures) {
    it(f.name, () => {
      expect(renderConverted(f.expected as string, world)).toBe(f.rendered);
    });
  }
});
