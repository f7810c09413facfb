import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { InputError } from '../errors.js';
import { checkHelpers, checkPartials, locateRenderError, parseTemplate } from './parse.js';

/**
 * Shared partials, consul-template's `define`/`template` across files: every `*.hbs` under a
 * directory, named by its path relative to it without the extension (`upstream.hbs` is
 * `{{> upstream}}`, `nginx/server.hbs` is `{{> nginx/server}}`). Each is checked like a template
 * when read; an edit that breaks one keeps its last good text in use.
 */
export interface Partial {
  readonly name: string;
  readonly path: string;
  readonly text: string;
  readonly ast: hbs.AST.Program;
}

/** What the engine needs to compile a partial: one function per strictness, errors located. */
export type PartialCompiler = (partial: Partial, strict: boolean) => HandlebarsTemplateDelegate;

export const PARTIAL_EXTENSION = '.hbs';

export class PartialSet {
  private readonly byName = new Map<string, Partial>();
  private readonly compiled = new Map<string, HandlebarsTemplateDelegate>();

  constructor(
    readonly directory: string | undefined,
    private readonly knownHelpers: readonly string[],
  ) {}

  get names(): ReadonlySet<string> {
    return new Set(this.byName.keys());
  }

  get files(): readonly Partial[] {
    return [...this.byName.values()];
  }

  /** Reads every partial under the directory; the first broken one is an InputError at its place. */
  async load(): Promise<void> {
    if (this.directory === undefined) return;
    let entries: string[];
    try {
      entries = (await readdir(this.directory, { recursive: true })).filter((name) => name.endsWith(PARTIAL_EXTENSION));
    } catch (err) {
      throw new InputError(`cannot read the partials directory (${(err as NodeJS.ErrnoException).code ?? String(err)})`, this.directory, 'name an existing directory of *.hbs files');
    }
    const partials = await Promise.all(entries.sort().map(async (entry) => ({ path: join(this.directory as string, entry), text: await readFile(join(this.directory as string, entry), 'utf8') })));
    for (const { path, text } of partials) this.set(path, text, false);
    for (const partial of this.byName.values()) checkPartials(partial.path, partial.ast, this.names);
  }

  /** The partial's name for a file under the directory, or undefined when it is not one. */
  nameOf(path: string): string | undefined {
    if (this.directory === undefined || !path.endsWith(PARTIAL_EXTENSION)) return undefined;
    const rel = relative(this.directory, path);
    if (rel.startsWith('..')) return undefined;
    return rel.slice(0, -PARTIAL_EXTENSION.length).split(sep).join('/');
  }

  /**
   * A new text for a partial file (an edit, or a new file): checked first; a broken one throws
   * (InputError) and the last good text stays in use.
   */
  update(path: string, text: string): void {
    this.set(path, text, true);
  }

  /** The partials for one render, compiled once per strictness by `compile`. */
  functions(strict: boolean, compile: PartialCompiler): Record<string, HandlebarsTemplateDelegate> {
    const out: Record<string, HandlebarsTemplateDelegate> = {};
    for (const partial of this.byName.values()) {
      const key = `${strict ? 'strict' : 'lenient'}\u0000${partial.name}`;
      let fn = this.compiled.get(key);
      if (!fn) {
        const inner = compile(partial, strict);
        // An error inside a partial names the partial's file, not the template that included it.
        fn = ((context: unknown, options?: Handlebars.RuntimeOptions) => {
          try {
            return inner(context, options);
          } catch (err) {
            throw locateRenderError(partial.path, err);
          }
        }) as HandlebarsTemplateDelegate;
        this.compiled.set(key, fn);
      }
      out[partial.name] = fn;
    }
    return out;
  }

  private set(path: string, text: string, checkReferences: boolean): void {
    const name = this.nameOf(path);
    if (name === undefined) return;
    const ast = parseTemplate(path, text);
    checkHelpers(path, ast, this.knownHelpers, text);
    if (checkReferences) checkPartials(path, ast, new Set([...this.names, name]));
    this.byName.set(name, { name, path, text, ast });
    for (const key of [...this.compiled.keys()]) if (key.endsWith(`\u0000${name}`)) this.compiled.delete(key);
  }
}
