import Handlebars from 'handlebars';
import { InputError } from '../errors.js';
import { catalogHelpers } from './helpers/catalog.js';
import { collectionHelpers } from './helpers/collections.js';
import { encodingHelpers } from './helpers/encoding.js';
import { escapeHelpers } from './helpers/escape.js';
import { formatHelpers } from './helpers/format.js';
import { kvHelpers } from './helpers/kv.js';
import { logicHelpers } from './helpers/logic.js';
import { mathHelpers } from './helpers/math.js';
import { nodeHelpers } from './helpers/nodes.js';
import { scratchHelpers } from './helpers/scratch.js';
import { stringHelpers } from './helpers/strings.js';
import { systemHelpers } from './helpers/system.js';
import { textHelpers } from './helpers/text.js';
import { timeHelpers } from './helpers/time.js';
import { checkHelpers, checkPartials, locateRenderError, parseTemplate } from './parse.js';
import { PartialSet, type Partial } from './partials.js';
import { RenderContext, type RenderInputs } from './render-context.js';

const BUILTIN_HELPERS = ['if', 'unless', 'each', 'with', 'lookup', 'log'];
const HELPERS = {
  ...catalogHelpers,
  ...kvHelpers,
  ...nodeHelpers,
  ...textHelpers,
  ...stringHelpers,
  ...logicHelpers,
  ...mathHelpers,
  ...formatHelpers,
  ...encodingHelpers,
  ...collectionHelpers,
  ...scratchHelpers,
  ...timeHelpers(),
  ...systemHelpers,
  ...escapeHelpers,
};
export const HELPER_NAMES: readonly string[] = [...BUILTIN_HELPERS, ...Object.keys(HELPERS)].sort();

/** An isolated Handlebars environment: ctmpl's helpers only, nothing registered globally. */
const handlebars = Handlebars.create();
handlebars.registerHelper(HELPERS);
// A missing helper is an error, never a silently empty string. Handlebars also asks here for a
// bare `{{Field}}` it cannot find: that is a missing field (empty text, or an error with its
// place under error_on_missing_key), not a helper call.
handlebars.registerHelper('helperMissing', (...args: unknown[]) => {
  if (args.length === 1) return undefined;
  const options = args[args.length - 1] as { name?: string };
  throw new Error(`unknown helper "${options.name ?? '?'}"`);
});

/** Configs are not HTML: no escaping. Catalog data must be validated, not HTML-escaped. */
const COMPILE_OPTIONS = { noEscape: true } as const;

export interface CompileOptions {
  /** error_on_missing_key: a missing field printed is an error with its file:line:col. */
  readonly strict?: boolean;
  /** Shared partials (`{{> name}}`); a template may also define its own with `{{#*inline}}`. */
  readonly partials?: PartialSet;
}

export interface CompiledTemplate {
  readonly path: string;
  /** Renders; `strict` overrides the template's own error_on_missing_key (ctmpl validate). */
  render(inputs: RenderInputs, strict?: boolean): RenderResult;
}

export interface RenderResult {
  /** The text, when every dependency had data. */
  readonly output: string | undefined;
  readonly context: RenderContext;
}

/**
 * The context at the top of every template: empty (templates read data through helpers), tagged
 * so a strict render's "missing field" can tell a field read at the top from one in other data.
 */
export const ROOT_TAG = 'template root';
const ROOT = Object.freeze(Object.defineProperty({}, Symbol.toStringTag, { value: ROOT_TAG }));

const compilePartial = (partial: Partial, strict: boolean): HandlebarsTemplateDelegate => handlebars.compile(partial.ast, { ...COMPILE_OPTIONS, strict });

/** A partials directory as the engine checks it (helpers known to the engine). */
export const partialSet = (directory: string | undefined): PartialSet => new PartialSet(directory, HELPER_NAMES);

/**
 * Parses and checks a template up front (Handlebars compiles lazily, so a syntax error would
 * otherwise surface only at the first render). Errors carry path:line:column.
 */
export function compileTemplate(path: string, text: string, options: CompileOptions = {}): CompiledTemplate {
  const ast = parseTemplate(path, text);
  checkHelpers(path, ast, HELPER_NAMES, text);
  checkPartials(path, ast, options.partials?.names ?? new Set());
  try {
    handlebars.precompile(ast, COMPILE_OPTIONS);
  } catch (err) {
    const e = err as Error & { lineNumber?: number; column?: number };
    const where = e.lineNumber ? `${path}:${e.lineNumber}:${(e.column ?? 0) + 1}` : path;
    throw new InputError(`template error: ${e.message.replace(/ - \d+:\d+$/, '')}`, where, 'check that every block is closed by the matching {{/name}}');
  }
  const variants = new Map<boolean, HandlebarsTemplateDelegate>();
  const variant = (strict: boolean): HandlebarsTemplateDelegate => {
    let fn = variants.get(strict);
    if (!fn) variants.set(strict, (fn = handlebars.compile(ast, { ...COMPILE_OPTIONS, strict })));
    return fn;
  };
  return {
    path,
    render(inputs, strict = options.strict ?? false) {
      const context = new RenderContext(inputs);
      const partials = options.partials?.functions(strict, compilePartial) ?? {};
      let text: string;
      try {
        // scratch: consul-template's scratch pad, fresh for every render (see helpers/scratch.ts).
        text = variant(strict)(ROOT, { data: { ctmpl: context, scratch: new Map<string, unknown>() }, partials });
      } catch (err) {
        // A pass still waiting for data may fail on the placeholder it got (`key` is "" until the
        // key arrives, and `index` of its parsed JSON throws): it waits, the next pass tells.
        if (!context.complete) return { output: undefined, context };
        throw locateRenderError(path, err);
      }
      return { output: context.complete ? text : undefined, context };
    },
  };
}
