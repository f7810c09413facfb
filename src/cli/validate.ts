import { existsSync } from 'node:fs';
import { loadConfig, type ConfigWarning, type FlagValues } from '../config/load.js';
import { InputError } from '../errors.js';
import { registryNamed, sourcesByName } from '../registries/list.js';
import { templateEnvironment } from '../template/environment.js';
import { partialSet } from '../template/engine.js';
import { TemplateUnit } from '../template/unit.js';

export interface ValidationReport {
  readonly problems: readonly InputError[];
  /** What a consul-template config says that ctmpl reads differently or ignores. */
  readonly warnings: readonly ConfigWarning[];
  /** Templates the made-up catalog could check only in part (see template/synthetic.ts). */
  readonly notes: readonly string[];
  readonly templates: number;
  readonly catalogs: number;
}

function asInputError(err: unknown): InputError {
  return err instanceof InputError ? err : new InputError(err instanceof Error ? err.message : String(err));
}

/**
 * `ctmpl validate`: checks flags, config, every template and every static catalog, and reports
 * every problem found (not just the first) — for CI pipelines. Writes nothing, contacts no registry.
 */
export async function validate(flags: FlagValues, cwd: string = process.cwd()): Promise<ValidationReport> {
  let config;
  const problems: InputError[] = [];
  const warnings: ConfigWarning[] = [];
  try {
    config = await loadConfig({ ...flags, once: false }, cwd, { pathProblems: problems, warnings });
  } catch (err) {
    return { problems: [asInputError(err)], warnings, notes: [], templates: 0, catalogs: 0 };
  }
  const partials = partialSet(config.partials);
  if (config.partials !== undefined && existsSync(config.partials)) await partials.load().catch((err: unknown) => problems.push(asInputError(err)));
  // Every template is also rendered strictly against a made-up catalog: a misspelt field
  // (`{{Adress}}`) is reported with its place here, not found as empty text in production.
  const base = { defaultSource: config.sources[0]?.name ?? '', sources: sourcesByName(config.sources.map((s) => [s.name, s.registry])), env: templateEnvironment(process.env, config.envAllow) };
  const notes: string[] = [];
  for (const template of config.templates) {
    // A missing template or sandbox is already among the problems, named by its flag or key.
    if ((template.contents === undefined && !existsSync(template.source)) || !existsSync(template.sandbox)) continue;
    try {
      const unit = await TemplateUnit.load(template, partials);
      const check = unit.checkWithSyntheticCatalog(base);
      problems.push(...check.errors.map((message) => new InputError(message, undefined, 'fix the field name; docs/reference/template-data.md lists every field')));
      notes.push(...check.notes);
    } catch (err) {
      problems.push(asInputError(err));
    }
  }
  let catalogs = 0;
  for (const source of config.sources) {
    const registry = registryNamed(source.registry);
    if (!registry.check) continue;
    catalogs += 1;
    try {
      await registry.check(source.settings);
    } catch (err) {
      problems.push(asInputError(err));
    }
  }
  return { problems, warnings, notes, templates: config.templates.length, catalogs };
}
