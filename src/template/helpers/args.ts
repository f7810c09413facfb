import { RenderContext } from '../render-context.js';

/** The trailing argument Handlebars passes to every helper. */
export interface HelperOptions {
  readonly hash: Readonly<Record<string, unknown>>;
  readonly data?: { readonly ctmpl?: unknown; readonly key?: unknown };
  readonly name?: string;
}

export type Helper = (...args: unknown[]) => unknown;

/** Splits a helper call into its positional arguments and Handlebars' options object. */
export function splitArgs(args: unknown[]): { params: unknown[]; options: HelperOptions } {
  const options = args[args.length - 1] as HelperOptions;
  return { params: args.slice(0, -1), options };
}

/** The render pass a helper runs in, carried in Handlebars' data frame (no global state). */
export function renderContextOf(options: HelperOptions): RenderContext {
  const ctx = options.data?.ctmpl;
  if (!(ctx instanceof RenderContext)) throw new Error('catalog helpers can only run inside a ctmpl render');
  return ctx;
}

/** A required string argument, with an error naming the helper when it is missing. */
export function stringArg(helper: string, params: unknown[], index: number, what: string): string {
  const value = params[index];
  if (value === undefined || value === null || typeof value === 'object') {
    throw new Error(`${helper}: expected ${what} as argument ${index + 1}`);
  }
  return String(value);
}

export function optionalString(value: unknown): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : String(value);
}
