/**
 * consul-template's config → ctmpl's YAML config. The HCL reader (src/config/hcl) already reads a
 * consul-template config into ctmpl's key names, and it is checked here as `ctmpl --config x.hcl`
 * checks it. What is left for a YAML file is what the two read differently: relative paths
 * (consul-template resolves them against its working directory, ctmpl's YAML against the file's
 * directory), the templates themselves (converted to Handlebars), and two exec defaults.
 */
import { withConsulTemplateDefaults } from '../config/load.js';
import { isAbsolute, resolve } from 'node:path';
import { Document } from 'yaml';
import { validateDataFile } from '../config/data-file.js';
import { readHclConfigPaths, unknownKeyHint, type HclDataFile, type HclWarning } from '../config/hcl/index.js';
import { configFileSchema } from '../config/schema.js';
import type { Delimiters } from './gotemplate/lexer.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** One template block of the config. */
export interface ConfigTemplate {
  /** Its position in the config's list of templates. */
  readonly index: number;
  /** `file:line:col` of the block, for messages. */
  readonly where: string;
  /** The Go template file (absolute), or undefined for inline `contents`. */
  readonly source: string | undefined;
  readonly contents: string | undefined;
  readonly destination: string;
  readonly delimiters: Partial<Delimiters>;
  /** error_on_missing_key (consul-template's missingkey=error). */
  readonly strict: boolean;
}

export interface ConsulTemplateConfig {
  readonly data: HclDataFile;
  readonly templates: readonly ConfigTemplate[];
  readonly warnings: readonly HclWarning[];
}

/**
 * Reads consul-template config files and directories (merged in order, as consul-template merges
 * several -config) and checks them with ctmpl's schema. Throws InputError at `file:line:col`.
 */
export async function readConsulTemplateConfig(paths: readonly string[], cwd: string, show: (path: string) => string = (p) => p): Promise<ConsulTemplateConfig> {
  const files = paths.map((p) => resolve(cwd, p));
  const data = await readHclConfigPaths(files);
  /** `/abs/ct.hcl:3:1` as the user named the file (`ct.hcl:3:1`). */
  const shown = (where: string): string => {
    const file = files.find((f) => where.startsWith(`${f}:`) || where.startsWith(`${f}/`));
    return file === undefined ? where : `${show(file)}${where.slice(file.length)}`;
  };
  // ctmpl runs only `{{ }}` templates; here the delimiters are the converter's to read, not the schema's.
  const delimiters: Partial<Delimiters>[] = [];
  const value = structuredClone(data.value ?? {}) as Obj;
  if (Array.isArray(value.templates)) {
    for (const t of value.templates as unknown[]) {
      const block = isObj(t) ? t : {};
      const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
      const [left, right] = [text(block.left_delimiter), text(block.right_delimiter)];
      delimiters.push({ ...(left ? { left } : {}), ...(right ? { right } : {}) });
      delete block.left_delimiter;
      delete block.right_delimiter;
    }
  }
  const file = validateDataFile({ ...data, value }, configFileSchema, 'ctmpl migrate converts the settings ctmpl can run (docs/migrating-from-consul-template.md)', unknownKeyHint);
  const templates = (file.templates ?? []).map(
    (t, index): ConfigTemplate => ({
      index,
      where: shown(data.locate(['templates', index])),
      source: t.source === undefined ? undefined : resolve(cwd, t.source),
      contents: t.contents,
      destination: t.destination,
      delimiters: delimiters[index] ?? {},
      strict: t.error_on_missing_key ?? file.error_on_missing_key ?? false,
    }),
  );
  return { data, templates, warnings: data.warnings.map((w) => ({ ...w, where: shown(w.where) })) };
}

/** What became of one template of the config. */
export type TemplateOutcome =
  /** Converted to a file: its path as the YAML names it (relative to the YAML's directory). */
  | { readonly kind: 'file'; readonly source: string }
  /** Converted inline contents. */
  | { readonly kind: 'contents'; readonly contents: string }
  | { readonly kind: 'skipped'; readonly why: string };

/** Keys holding paths, outside the templates (ctmpl's names, as the HCL reader gives them). */
const TOP_PATHS: readonly (readonly string[])[] = [['pid_file'], ['consul', 'token_file'], ['consul', 'ssl', 'ca_cert'], ['consul', 'ssl', 'ca_path'], ['consul', 'ssl', 'cert'], ['consul', 'ssl', 'key']];
const TEMPLATE_PATHS = ['destination', 'sandbox_path'];

/** A relative path made absolute against `cwd`, where consul-template would have read it from. */
function absolutize(holder: Obj, key: string, cwd: string, changed: { any: boolean }): void {
  const value = holder[key];
  if (typeof value === 'string' && value !== '' && !isAbsolute(value)) {
    holder[key] = resolve(cwd, value);
    changed.any = true;
  }
}

function holderOf(root: Obj, path: readonly string[]): Obj | undefined {
  let at: unknown = root;
  for (const key of path.slice(0, -1)) at = isObj(at) ? at[key] : undefined;
  return isObj(at) ? at : undefined;
}

/** consul-template's perms are numbers (0644 read as octal by its HCL); ctmpl's YAML takes "0644". */
const octal = (mode: unknown): unknown => (typeof mode === 'number' ? `0${mode.toString(8).padStart(3, '0')}` : mode);

/**
 * The ctmpl YAML config for a consul-template config: the same settings, each template pointing
 * at its conversion; templates that were not converted are left out and listed at the top.
 */
export function ctmplConfigYaml(config: ConsulTemplateConfig, outcomes: ReadonlyMap<number, TemplateOutcome>, context: { cwd: string; from: string }): string {
  // consul-template restarts its exec child on a change and stops it with SIGINT: the YAML says so
  // (ctmpl's own defaults differ, and only an HCL config gets these implicitly).
  const root = withConsulTemplateDefaults(structuredClone(config.data.value ?? {})) as Obj;
  const changed = { any: false };
  for (const path of TOP_PATHS) {
    const holder = holderOf(root, path);
    if (holder) absolutize(holder, path[path.length - 1] as string, context.cwd, changed);
  }
  const skipped: string[] = [];
  if (Array.isArray(root.templates)) {
    root.templates = root.templates.flatMap((raw: unknown, index): Obj[] => {
      const outcome = outcomes.get(index);
      const t = isObj(raw) ? { ...raw } : {};
      const block = config.templates[index];
      if (!outcome || outcome.kind === 'skipped') {
        skipped.push(`  - ${block?.where ?? `template ${index + 1}`}: ${outcome?.kind === 'skipped' ? outcome.why : 'not converted'}`);
        return [];
      }
      delete t.left_delimiter;
      delete t.right_delimiter;
      if (outcome.kind === 'file') t.source = outcome.source;
      else t.contents = outcome.contents;
      for (const key of TEMPLATE_PATHS) absolutize(t, key, context.cwd, changed);
      if (t.perms !== undefined) t.perms = octal(t.perms);
      return [t];
    });
  }
  const doc = new Document(root);
  doc.commentBefore = [
    ` ctmpl config converted by \`ctmpl migrate\` from consul-template's ${context.from}.`,
    ...(changed.any ? [` Relative paths were made absolute against ${context.cwd}, where consul-template read them from.`] : []),
    ...(skipped.length > 0 ? [' NOT CONVERTED (fix and migrate again, or convert by hand and add them to templates):', ...skipped] : []),
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}
