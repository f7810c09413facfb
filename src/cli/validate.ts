import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadConfig, type FlagValues } from '../config/load.js';
import { InputError } from '../errors.js';
import { parseCatalog } from '../registries/file/catalog.js';
import { TemplateUnit } from '../template/unit.js';

export interface ValidationReport {
  readonly problems: readonly InputError[];
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
  try {
    config = await loadConfig({ ...flags, once: false }, cwd, { pathProblems: problems });
  } catch (err) {
    return { problems: [asInputError(err)], templates: 0, catalogs: 0 };
  }
  for (const template of config.templates) {
    // A missing template or sandbox is already among the problems, named by its flag or key.
    if (!existsSync(template.source) || !existsSync(template.sandbox)) continue;
    try {
      await TemplateUnit.load(template);
    } catch (err) {
      problems.push(asInputError(err));
    }
  }
  let catalogs = 0;
  for (const source of config.sources) {
    if (source.scheme !== 'file') continue;
    catalogs += 1;
    if (!existsSync(source.target)) continue;
    try {
      parseCatalog(source.target, await readFile(source.target, 'utf8'), source.name);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push(code ? new InputError(`cannot read catalog file (${code})`, source.target, 'check the path given to --source file:PATH') : asInputError(err));
    }
  }
  return { problems, templates: config.templates.length, catalogs };
}
