import { answer } from '../../../src/registries/file/source.js';
import { parseCatalog } from '../../../src/registries/file/catalog.js';
import { compileTemplate, type RenderResult } from '../../../src/template/engine.js';
import type { RenderInputs } from '../../../src/template/render-context.js';
import { sourcesByName } from '../../../src/registries/list.js';

/** Configured sources as the runner describes them to templates: name → registry name. */
export function sourceMap(entries: Record<string, string>): RenderInputs['sources'] {
  return sourcesByName(Object.entries(entries));
}

/** Inputs whose lookup answers only the dependency ids present in `data`. */
export function inputs(data: Map<string, unknown> = new Map(), extra: Partial<RenderInputs> = {}): RenderInputs {
  return {
    defaultSource: 'file',
    sources: sourceMap({ file: 'file' }),
    lookup: (id) => data.get(id) as never,
    sandbox: '/nonexistent',
    env: {},
    ...extra,
  };
}

/**
 * Renders a template against a catalog the way the runner does: render, give every dependency
 * it asked for its data, render again, until nothing is missing. Returns the passes it took.
 */
export function renderFromCatalog(template: string, catalogYaml: string, extra: Partial<RenderInputs> = {}): { result: RenderResult; passes: number } {
  const catalog = parseCatalog('catalog.yaml', catalogYaml, 'file');
  const compiled = compileTemplate('t.hbs', template);
  const data = new Map<string, unknown>();
  for (let passes = 1; passes <= 10; passes++) {
    const result = compiled.render(inputs(data, extra));
    const missing = [...result.context.used].filter(([id]) => !data.has(id));
    if (missing.length === 0) return { result, passes };
    for (const [id, dep] of missing) data.set(id, answer(catalog, dep));
  }
  throw new Error('discovery did not converge');
}

export function render(template: string, catalogYaml = 'services: {}'): string {
  const { result } = renderFromCatalog(template, catalogYaml);
  if (result.output === undefined) throw new Error(`incomplete: ${[...result.context.waiting].join(', ')}`);
  return result.output;
}
