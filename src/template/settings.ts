import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import { commandSchema } from '../actions/settings.js';
import type { BlockContext } from '../config/block.js';
import { parseDuration, parseWait, type WaitSpec } from '../config/duration.js';
import { keyName, type KeyPath, type Origin } from '../config/origins.js';
import { requireDirectory, requireFile } from '../config/paths.js';
import { InputError } from '../errors.js';
import { haproxySettings, haproxyTemplateSchema, type HaproxyTemplateFile, type HaproxyTemplateSettings } from '../actions/haproxy/settings.js';
import { resolveGroup, resolveUser } from '../output/owner.js';
import { waitSchema } from '../schedule/settings.js';
import type { WriteMode } from '../output/write.js';

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const durationText = z.union([z.string().min(1), z.number().nonnegative()]).transform(String);
const writeMode = z.enum(['atomic', 'in_place']);

/** A switch ctmpl accepts only where it changes nothing; `fixed` is ctmpl's behaviour. */
const onlyAsCtmplDoes = (fixed: boolean, why: string) => z.boolean().refine((v) => v === fixed, `ctmpl supports only ${String(fixed)}: ${why}`);
const onlyBraces = (brace: string) => z.string().refine((v) => v === '' || v === brace, `Handlebars templates always use ${brace}; convert the template (docs/migrate.md) and remove this key`);

export const templateFileSchema = z
  .strictObject({
    source: nonEmpty.optional(),
    /** The template itself, instead of a file (consul-template's `contents`). */
    contents: z.string().min(1, 'must not be empty').optional().describe("the template's text, instead of a source file (consul-template's contents)"),
    destination: nonEmpty,
    command: commandSchema.optional(),
    command_timeout: durationText.optional().describe("kill the command after this long; ctmpl has one command timeout, so the longest template's sets it unless command_timeout is set at the top level"),
    wait: waitSchema.optional(),
    /** Octal mode as a string ("0640") or a number written in octal in YAML (0o640). */
    perms: z.union([z.string().regex(/^0?[0-7]{3,4}$/, 'must be an octal mode such as "0644"'), z.number().int().min(0).max(0o7777)]).optional(),
    backup: z.boolean().optional(),
    sandbox_path: nonEmpty.optional(),
    /** Validates the staged file before it replaces the destination; `{{staged}}` is its path. */
    check: nonEmpty.optional(),
    write_mode: writeMode.optional(),
    user: z.union([nonEmpty, z.number().int().nonnegative()]).optional(),
    group: z.union([nonEmpty, z.number().int().nonnegative()]).optional(),
    error_on_missing_key: z.boolean().optional().describe('a field the template prints that the data does not have is an error naming its file:line:col, instead of empty text (overrides the global error_on_missing_key)'),
    create_dest_dirs: onlyAsCtmplDoes(true, "ctmpl always creates the destination's directory").optional().describe("consul-template's switch; ctmpl always creates the destination's directory (true only)"),
    left_delimiter: onlyBraces('{{').optional().describe("consul-template's delimiter; Handlebars templates always use {{ (only that is accepted)"),
    right_delimiter: onlyBraces('}}').optional().describe("consul-template's delimiter; Handlebars templates always use }} (only that is accepted)"),
    /** Apply server changes through haproxy's Runtime API; reload only for the rest. */
    haproxy: haproxyTemplateSchema.optional(),
  })
  .superRefine((t, ctx) => {
    if ((t.source === undefined) === (t.contents === undefined)) {
      ctx.addIssue({ code: 'custom', path: [t.source === undefined ? 'source' : 'contents'], message: t.source === undefined ? 'needs source (a template file) or contents (the template itself)' : 'give source or contents, not both' });
    }
  });

/** The templates and what applies to all of them. */
export const templatesKeys = {
  templates: z.array(templateFileSchema).min(1, 'lists no template; add one with source and destination').optional(),
  sandbox_path: nonEmpty.optional(),
  check: nonEmpty.optional(),
  write_mode: writeMode.optional(),
  env_allow: z.array(nonEmpty).optional(),
  error_on_missing_key: z.boolean().optional().describe('every template: a field it prints that the data does not have is an error naming its file:line:col, instead of empty text'),
  partials: nonEmpty.optional().describe('a directory of *.hbs partials every template can include: {{> name}} for name.hbs, {{> dir/name}} below it'),
};

/** A resolved template: absolute paths, parsed durations and modes. */
export interface TemplateConfig {
  readonly source: string;
  readonly destination: string;
  readonly command: string | undefined;
  readonly wait: WaitSpec | undefined;
  readonly perms: number | undefined;
  readonly backup: boolean;
  /** Directory `file` may read from; defaults to the template's own directory. */
  readonly sandbox: string;
  /** Check command run on the staged file (this template's, else the global `--check`). */
  readonly check?: string | undefined;
  readonly writeMode?: WriteMode | undefined;
  readonly uid?: number | undefined;
  readonly gid?: number | undefined;
  /** The haproxy Runtime API action, when the template has an `haproxy` key. */
  readonly haproxy?: HaproxyTemplateSettings | undefined;
  /** The template text given in the config (`contents`); `source` then only names it. */
  readonly contents?: string | undefined;
  /** This template's command timeout (consul-template's per-template command_timeout). */
  readonly commandTimeoutMs?: number | undefined;
  /** error_on_missing_key: a missing field printed is an error (Handlebars' strict mode). */
  readonly strict?: boolean | undefined;
}

/** Parses `src:dest[:command]` (the command may itself contain colons). */
export function parseTemplateSpec(spec: string, baseDir: string): { source: string; destination: string; command: string | undefined } {
  const first = spec.indexOf(':');
  const second = first < 0 ? -1 : spec.indexOf(':', first + 1);
  const source = first < 0 ? spec : spec.slice(0, first);
  const destination = first < 0 ? '' : second < 0 ? spec.slice(first + 1) : spec.slice(first + 1, second);
  const command = second < 0 ? undefined : spec.slice(second + 1).trim() || undefined;
  if (source.trim() === '' || destination.trim() === '') {
    throw new InputError(`--template "${spec}": expected SOURCE:DESTINATION[:COMMAND]`, undefined, 'for example -t templates/nginx-upstream.hbs:/etc/nginx/conf.d/upstreams.conf');
  }
  return { source: resolve(baseDir, source), destination: resolve(baseDir, destination), command };
}

function positiveDuration(text: string, what: string): number {
  const ms = parseDuration(text, what);
  if (ms <= 0) throw new InputError(`${what} must be longer than 0`, undefined, 'for example 30s');
  return ms;
}

function parsePerms(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' ? value : parseInt(value, 8);
}

/** Templates from the config file, then from flags; their paths are queued for checking, and no two share a destination. */
export function templatesFrom(ctx: BlockContext): TemplateConfig[] {
  const { flags, file, at, fileDir, cwd } = ctx;
  const globalCheck = flags.check ?? file.check;
  const globalWriteMode = flags.writeMode ?? file.write_mode;
  const globalStrict = flags.errorOnMissingKey ?? file.error_on_missing_key ?? false;
  const globalSandbox = flags.sandboxPath !== undefined ? resolve(cwd, flags.sandboxPath) : file.sandbox_path !== undefined ? resolve(fileDir, file.sandbox_path) : undefined;
  if (globalSandbox !== undefined) ctx.later(flags.sandboxPath !== undefined ? '--sandbox-path' : ['sandbox_path'], (name) => requireDirectory(globalSandbox, name, 'the sandbox directory'));
  const fromFile = (file.templates ?? []).map((t, index): { config: TemplateConfig; origin: Origin } => {
    const key = (name: string): KeyPath => ['templates', index, name];
    // A template given inline is named by where it is written (for its errors); it has no file.
    const source = t.source === undefined ? `${at.where(key('contents'))} (${keyName(key('contents'))})` : resolve(fileDir, t.source);
    if (t.source !== undefined) ctx.later(key('source'), (name) => requireFile(source, name, 'the template'));
    const ownSandbox = t.sandbox_path === undefined ? undefined : resolve(fileDir, t.sandbox_path);
    if (ownSandbox !== undefined) ctx.later(key('sandbox_path'), (name) => requireDirectory(ownSandbox, name, 'the sandbox directory'));
    const config: TemplateConfig = {
      source,
      destination: resolve(fileDir, t.destination),
      command: t.command,
      wait: t.wait === undefined ? undefined : at.key(key('wait'), (name) => parseWait(t.wait as string, name)),
      perms: parsePerms(t.perms),
      backup: t.backup ?? false,
      sandbox: ownSandbox ?? globalSandbox ?? (t.source === undefined ? fileDir : dirname(source)),
      check: t.check ?? globalCheck,
      writeMode: t.write_mode ?? globalWriteMode,
      strict: t.error_on_missing_key ?? globalStrict,
      uid: t.user === undefined ? undefined : at.key(key('user'), () => resolveUser(String(t.user))),
      gid: t.group === undefined ? undefined : at.key(key('group'), () => resolveGroup(String(t.group))),
      haproxy: t.haproxy === undefined ? undefined : at.key(key('haproxy'), (name) => haproxySettings(t.haproxy as HaproxyTemplateFile, name)),
      ...(t.contents !== undefined ? { contents: t.contents } : {}),
      ...(t.command_timeout !== undefined ? { commandTimeoutMs: at.key(key('command_timeout'), (name) => positiveDuration(t.command_timeout as string, name)) } : {}),
    };
    return { config, origin: key('destination') };
  });
  const fromFlags = flags.template.map((spec): { config: TemplateConfig; origin: Origin } => {
    const flag = `--template "${spec}"`;
    const parsed = parseTemplateSpec(spec, cwd);
    ctx.later(flag, (name) => requireFile(parsed.source, name, 'the template'));
    return { config: { ...parsed, wait: undefined, perms: undefined, backup: false, sandbox: globalSandbox ?? dirname(parsed.source), check: globalCheck, writeMode: globalWriteMode, strict: globalStrict }, origin: flag };
  });
  const templates = [...fromFile, ...fromFlags];
  if (templates.length === 0) throw new InputError('no template given', undefined, 'add -t SOURCE:DESTINATION[:COMMAND], or a templates list in --config');
  const destinations = new Set<string>();
  for (const { config, origin } of templates) {
    if (destinations.has(config.destination)) throw at.place(new InputError(`two templates write ${config.destination}`, undefined, 'give each template its own destination'), origin);
    destinations.add(config.destination);
  }
  return templates.map((t) => t.config);
}

/** The partials directory every template may include from, when one is named. */
export function partialsFrom(ctx: BlockContext): string | undefined {
  const { flags, file, cwd, fileDir } = ctx;
  const dir = flags.partials !== undefined ? resolve(cwd, flags.partials) : file.partials !== undefined ? resolve(fileDir, file.partials) : undefined;
  if (dir !== undefined) ctx.later(flags.partials !== undefined ? '--partials' : ['partials'], (name) => requireDirectory(dir, name, 'the partials directory'));
  return dir;
}

/** When set, the `env` helper reads only these variables. */
export function envAllowFrom({ flags, file }: BlockContext): readonly string[] | undefined {
  return flags.envAllow !== undefined && flags.envAllow.length > 0 ? flags.envAllow : file.env_allow;
}
