/** Calls a helper the way Handlebars does: positional arguments, then the options object. */
import { compileTemplate } from '../../../../src/template/engine.js';
import type { Helper } from '../../../../src/template/helpers/args.js';
import { inputs } from '../fixtures.js';

export function caller(helpers: Record<string, Helper>, scratch = new Map<string, unknown>()) {
  return (name: string, ...args: unknown[]): unknown => {
    const helper = helpers[name];
    if (!helper) throw new Error(`test: no helper ${name}`);
    return helper(...args, { hash: {}, data: { scratch }, name });
  };
}

/** Renders a template with no catalog data through ctmpl's engine (all helpers registered). */
export function renderText(template: string): string {
  const output = compileTemplate('t.hbs', template).render(inputs()).output;
  if (output === undefined) throw new Error('test: incomplete render');
  return output;
}
