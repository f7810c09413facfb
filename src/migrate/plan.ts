/**
 * What one `ctmpl migrate` run converts and writes, worked out before anything is written: the
 * inputs sorted into consul-template configs and bare templates, every template read and
 * converted, every output path decided. Unreadable input is an InputError (exit 2, nothing written).
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { readConsulTemplateConfig, type ConsulTemplateConfig } from './config.js';
import type { Delimiters } from './gotemplate/lexer.js';
import { convertTemplate, type ConversionResult } from './index.js';
import { CONFIG_NAME, CONFIG_TEMPLATES_DIR, templateOutputs } from './layout.js';

/** One template to convert: a file (named by a config or on the command line) or inline contents. */
export interface MigrationJob {
  /** How messages name it: the file, or the config block holding the contents. */
  readonly name: string;
  /** The Go template file (absolute), or undefined for a config's inline contents. */
  readonly source: string | undefined;
  readonly text: string;
  readonly delimiters: Partial<Delimiters>;
  readonly strict: boolean;
  /** The config's templates (by index) that use it. */
  readonly configIndexes: readonly number[];
  readonly result: ConversionResult;
  /** Where the conversion is written (files only; inline contents go into the config). */
  readonly output: string | undefined;
}

export interface MigrationPlan {
  readonly jobs: readonly MigrationJob[];
  readonly config: ConsulTemplateConfig | undefined;
  /** The config's paths as given, for the YAML's header. */
  readonly configPaths: readonly string[];
  /** Where the ctmpl config goes, when a consul-template config was given. */
  readonly configOutput: string | undefined;
}

/** Paths `ctmpl migrate` reads as consul-template configs: .hcl and .json files, and directories (as -config DIR). */
async function isConfigPath(path: string, given: string): Promise<boolean> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read ${given} (${err.code ?? String(err)})`, given, 'give existing consul-template config files or directories and template files');
  });
  return info.isDirectory() || ['.hcl', '.json'].includes(extname(path).toLowerCase());
}

async function readTemplate(path: string, where: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the template ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, where, 'check the path; relative paths in a consul-template config are read from the working directory');
  }
}

interface PendingJob {
  name: string;
  source: string | undefined;
  text: string;
  delimiters: Partial<Delimiters>;
  strict: boolean;
  configIndexes: number[];
}

const sameDelimiters = (a: Partial<Delimiters>, b: Partial<Delimiters>): boolean => (a.left ?? '') === (b.left ?? '') && (a.right ?? '') === (b.right ?? '');

/**
 * Reads and converts everything `paths` names. A template file named twice (two config blocks
 * rendering it to different places) is converted once; `show` turns a path into its name in messages.
 */
export async function planMigration(paths: readonly string[], options: { cwd: string; out: string; show: (path: string) => string }): Promise<MigrationPlan> {
  const { cwd, show } = options;
  const configPaths: string[] = [];
  const templatePaths: string[] = [];
  for (const given of paths) {
    const path = resolve(cwd, given);
    if (await isConfigPath(path, given)) configPaths.push(path);
    else templatePaths.push(path);
  }
  const config = configPaths.length > 0 ? await readConsulTemplateConfig(configPaths, cwd, show) : undefined;
  const pending: PendingJob[] = [];
  const fileJob = async (source: string, where: string, delimiters: Partial<Delimiters>, strict: boolean): Promise<PendingJob> => {
    const known = pending.find((j) => j.source === source && sameDelimiters(j.delimiters, delimiters) && j.strict === strict);
    if (known) return known;
    const job: PendingJob = { name: show(source), source, text: await readTemplate(source, where), delimiters, strict, configIndexes: [] };
    pending.push(job);
    return job;
  };
  for (const t of config?.templates ?? []) {
    if (t.source !== undefined) (await fileJob(t.source, t.where, t.delimiters, t.strict)).configIndexes.push(t.index);
    else pending.push({ name: `${t.where} (contents)`, source: undefined, text: t.contents ?? '', delimiters: t.delimiters, strict: t.strict, configIndexes: [t.index] });
  }
  for (const path of templatePaths) await fileJob(path, show(path), {}, false);

  const sources = [...new Set(pending.flatMap((j) => (j.source === undefined ? [] : [j.source])))];
  const outputs = templateOutputs(sources, config ? join(options.out, CONFIG_TEMPLATES_DIR) : options.out);
  // The same file with other delimiters is another conversion, written beside the first.
  const used = new Set<string>();
  const jobs = pending.map((j): MigrationJob => {
    let output = j.source === undefined ? undefined : (outputs.get(j.source) as string);
    if (output !== undefined) {
      const wanted = output;
      for (let n = 2; used.has(output); n++) output = `${wanted.slice(0, -'.hbs'.length)}-${n}.hbs`;
      used.add(output);
    }
    return { ...j, result: convertTemplate(j.name, j.text, { delimiters: j.delimiters }), output };
  });
  return { jobs, config, configPaths, configOutput: config ? join(options.out, CONFIG_NAME) : undefined };
}
