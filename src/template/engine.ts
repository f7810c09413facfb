import Handlebars from 'handlebars';
import { InputError } from '../errors.js';
import { catalogHelpers } from './helpers/catalog.js';
import { collectionHelpers } from './helpers/collections.js';
import { encodingHelpers } from './helpers/encoding.js';
import { escapeHelpers } from './helpers/escape.js';
import { formatHelpers } from './helpers/format.js';
import { logicHelpers } from './helpers/logic.js';
import { mathHelpers } from './helpers/math.js';
import { scratchHelpers } from './helpers/scratch.js';
import { stringHelpers } from './helpers/strings.js';
import { systemHelpers } from './helpers/system.js';
import { textHelpers } from './helpers/text.js';
import { timeHelpers } from './helpers/time.js';
import { RenderContext, type RenderInputs } from './render-context.js';

const BUILTIN_HELPERS = ['if', 'unless', 'each', 'with', 'lookup', 'log'];
const HELPERS = {
  ...catalogHelpers,
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
// A missing helper is an error, never a silently empty string.
handlebars.registerHelper('helperMissing', (...args: unknown[]) => {
  const options = args[args.length - 1] as { name?: string };
  throw new Error(`unknown helper "${options.name ?? '?'}"`);
});

/** Configs are not HTML: no escaping. Catalog data must be validated, not HTML-escaped. */
const COMPILE_OPTIONS = { noEscape: true, strict: false } as const;

export interface CompiledTemplate {
  readonly path: string;
  render(inputs: RenderInputs): RenderResult;
}

export interface RenderResult {
  /** The text, when every dependency had data. */
  readonly output: string | undefined;
  readonly context: RenderContext;
}

/**
 * Parses and checks a template up front (Handlebars compiles lazily, so a syntax error would
 * otherwise surface only at the first render). Errors carry path:line:column.
 */
export function compileTemplate(path: string, text: string): CompiledTemplate {
  let ast: hbs.AST.Program;
  try {
    ast = handlebars.parse(text);
  } catch (err) {
    const e = err as Error & { lineNumber?: number; column?: number };
    // Block mismatches carry a position; lexer errors keep theirs only on the shared lexer.
    const loc = (Handlebars as unknown as { Parser: { lexer: { yylloc?: { first_line: number; first_column: number } } } })
      .Parser.lexer.yylloc;
    const where =
      e.lineNumber !== undefined
        ? `${path}:${e.lineNumber}:${(e.column ?? 0) + 1}`
        : loc
          ? `${path}:${loc.first_line}:${loc.first_column + 1}`
          : path;
    const reason = (String(e.message).split('\n').slice(-1)[0] ?? 'syntax error').replace(/ - \d+:\d+$/, '');
    throw new InputError(`template syntax error: ${reason}`, where, 'fix the Handlebars syntax; remember nginx braces need a space after }}');
  }
  checkHelpers(path, ast);
  try {
    handlebars.precompile(ast, COMPILE_OPTIONS);
  } catch (err) {
    const e = err as Error & { lineNumber?: number; column?: number };
    const where = e.lineNumber ? `${path}:${e.lineNumber}:${(e.column ?? 0) + 1}` : path;
    throw new InputError(`template error: ${e.message.replace(/ - \d+:\d+$/, '')}`, where, 'check that every block is closed by the matching {{/name}}');
  }
  const template = handlebars.compile(ast, COMPILE_OPTIONS);
  return {
    path,
    render(inputs) {
      const context = new RenderContext(inputs);
      // scratch: consul-template's scratch pad, fresh for every render (see helpers/scratch.ts).
      const text = template({}, { data: { ctmpl: context, scratch: new Map<string, unknown>() } });
      return { output: context.complete ? text : undefined, context };
    },
  };
}

type Node = hbs.AST.Node & { loc?: hbs.AST.SourceLocation };
type Call = hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression;

/** Rejects calls to helpers ctmpl does not have, with their position, before anything runs. */
function checkHelpers(path: string, ast: hbs.AST.Program): void {
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const node = value as Node;
    if (node.type === 'MustacheStatement' || node.type === 'BlockStatement' || node.type === 'SubExpression') {
      const call = node as Call;
      const isCall = node.type === 'SubExpression' || call.params.length > 0 || (call.hash?.pairs.length ?? 0) > 0;
      if (isCall && call.path.type === 'PathExpression') {
        const name = (call.path as hbs.AST.PathExpression).original;
        if (!HELPER_NAMES.includes(name)) {
          const where = node.loc ? `${path}:${node.loc.start.line}:${node.loc.start.column + 1}` : path;
          throw new InputError(`unknown helper "${name}"`, where, `available helpers: ${HELPER_NAMES.join(', ')}`);
        }
      }
    }
    for (const [key, child] of Object.entries(node)) if (key !== 'loc') visit(child);
  };
  visit(ast);
}
