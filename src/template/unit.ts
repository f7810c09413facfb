import { readFile, realpath } from 'node:fs/promises';
import type { Dependency, DependencyValue } from '../catalog/types.js';
import type { TemplateConfig } from './settings.js';
import { errorMessage, InputError } from '../errors.js';
import { compileTemplate, partialSet, type CompiledTemplate } from './engine.js';
import type { PartialSet } from './partials.js';
import { checkWithSyntheticCatalog, type SyntheticCheck } from './synthetic.js';
import { TemplateHealth } from './health.js';
import type { RenderInputs } from './render-context.js';

/** Templates larger than this are refused: a config template is kilobytes, not megabytes. */
const MAX_TEMPLATE_BYTES = 1024 * 1024;

/** Compiles a template's text; errors are InputErrors naming the file. */
export function compileTemplateText(path: string, text: string, options: { strict?: boolean | undefined; partials?: PartialSet | undefined } = {}): CompiledTemplate {
  if (Buffer.byteLength(text) > MAX_TEMPLATE_BYTES) {
    throw new InputError(`template is larger than ${MAX_TEMPLATE_BYTES} bytes`, path, 'split it, or render data with a smaller template');
  }
  return compileTemplate(path, text, { ...(options.strict !== undefined ? { strict: options.strict } : {}), ...(options.partials ? { partials: options.partials } : {}) });
}

async function readTemplateFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new InputError(`cannot read template (${code})`, path, 'check the SOURCE part of -t SOURCE:DESTINATION');
  }
}

/** What one render of a template gave. */
export type RenderOutcome =
  | { readonly kind: 'complete'; readonly text: string; readonly ms: number }
  /** Some dependency has no data yet: nothing is written. */
  | { readonly kind: 'waiting'; readonly waiting: readonly string[] }
  | { readonly kind: 'failed'; readonly error: string };

/** One template: its compiled form, what it needs, what it last produced. */
export class TemplateUnit {
  /** Dependencies of the last render (the last complete one plus any found since). */
  deps = new Map<string, Dependency>();
  /** Local files read by `file` in the last render. */
  files = new Set<string>();
  /** What the last complete render saw of each dependency (committed once its file is in use). */
  seen: ReadonlyMap<string, DependencyValue> = new Map();
  /** True once a complete render has happened; later changes then go through quiescence. */
  rendered = false;
  /** Last complete output (used by --dry, which has no file to compare with). */
  lastOutput: string | undefined;
  /** Why the template is not rendered yet, for logs and --once failures. */
  waiting: string[] = [];
  /** When the last complete render happened, and the last error (render, check or write). */
  lastRenderAt: number | undefined;
  lastError: string | undefined;
  /** Complete renders so far. */
  renders = 0;
  /** Whether its file is current, and the last outcome of each step after the render. */
  readonly health = new TemplateHealth();

  private constructor(
    readonly config: TemplateConfig,
    private compiled: CompiledTemplate,
    /** The template text the compiled form came from. */
    readonly text: string,
    readonly sandbox: string,
    private readonly partials: PartialSet | undefined,
  ) {}

  static async load(config: TemplateConfig, partials?: PartialSet): Promise<TemplateUnit> {
    // A template given inline in the config (consul-template's `contents`) has no file to read.
    const text = config.contents ?? (await readTemplateFile(config.source));
    const compiled = compileTemplateText(config.source, text, { strict: config.strict, partials });
    let sandbox: string;
    try {
      sandbox = await realpath(config.sandbox);
    } catch {
      throw new InputError(`sandbox directory ${config.sandbox} does not exist`, config.source, 'set sandbox_path to an existing directory');
    }
    return new TemplateUnit(config, compiled, text, sandbox, partials);
  }

  get name(): string {
    return this.config.destination;
  }

  /**
   * Renders with the latest data. Discovery and rendering are one pass: the dependencies it
   * records are kept (so they get watched), and only a pass with nothing missing is complete.
   */
  render(inputs: RenderInputs): RenderOutcome {
    const started = performance.now();
    let result;
    try {
      result = this.compiled.render(inputs);
    } catch (err) {
      this.lastError = errorMessage(err);
      return { kind: 'failed', error: this.lastError };
    }
    const ctx = result.context;
    if (result.output === undefined) {
      for (const [id, dep] of ctx.used) this.deps.set(id, dep);
      this.waiting = [...ctx.waiting];
      return { kind: 'waiting', waiting: this.waiting };
    }
    this.deps = ctx.used;
    this.seen = ctx.seen;
    this.waiting = [];
    this.files = ctx.files;
    this.rendered = true;
    this.renders += 1;
    this.lastRenderAt = Date.now();
    this.lastError = undefined;
    return { kind: 'complete', text: result.output, ms: Math.round((performance.now() - started) * 100) / 100 };
  }

  /** ctmpl validate: a strict render against a made-up catalog (see synthetic.ts). */
  checkWithSyntheticCatalog(base: Omit<RenderInputs, 'lookup' | 'sandbox'>): SyntheticCheck {
    return checkWithSyntheticCatalog(this.compiled, { ...base, sandbox: this.sandbox });
  }

  /** A new text of the template file; a broken one throws (InputError) and the compiled form stays. */
  recompile(text: string): void {
    this.compiled = compileTemplateText(this.config.source, text, { strict: this.config.strict, partials: this.partials });
  }
}

/** The partials directory (when named) and every template, each checked: the first error throws. */
export async function loadTemplates(templates: readonly TemplateConfig[], partialsDirectory: string | undefined): Promise<{ units: TemplateUnit[]; partials: PartialSet }> {
  const partials = partialSet(partialsDirectory);
  await partials.load();
  return { units: await Promise.all(templates.map((t) => TemplateUnit.load(t, partials))), partials };
}
