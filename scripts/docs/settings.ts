import { configFileSchema } from '../../src/config/schema.js';
import { programFlags, type FlagInfo } from './cli.js';
import { banner, code, page, table } from './markdown.js';
import { schemaKeys, type SchemaKey } from './schema.js';
import { CODE_DEFAULTS, KEY_NOTES } from './settings-notes.js';

/** A config key with everything the reference says about it. */
export interface KeyDoc extends SchemaKey {
  /** The schema describes the key itself (`.describe()`): a note's description is then not needed. */
  readonly describedInSchema: boolean;
  readonly flag: FlagInfo | undefined;
  readonly description: string | undefined;
  readonly default: string | undefined;
}

/** Flags and keys, joined: which flag sets which key. */
export interface SettingsModel {
  readonly flags: readonly FlagInfo[];
  readonly keys: readonly KeyDoc[];
  /** `--wait` → `wait`. */
  readonly keyOfFlag: ReadonlyMap<string, string>;
}

/**
 * The flag that sets a key: a registry flag says so itself (`--consul-addr` → `consul.address`);
 * the others follow one naming rule — the key path with `-` (`exec.kill_timeout` →
 * `--exec-kill-timeout`), a block's `enabled`/`command` set by the block's name (`--dedup`,
 * `--exec`), a list by its singular (`sources` → `--source`). Keys inside lists and maps
 * (`templates[].wait`) and blocks themselves have no flag.
 */
function flagForKey(key: SchemaKey, flags: readonly FlagInfo[]): FlagInfo | undefined {
  const registry = flags.find((f) => f.registryKey === key.key);
  if (registry) return registry;
  if (key.key.includes('[]') || key.key.includes('*') || key.type === 'block') return undefined;
  const dashed = key.key.replace(/[._]/g, '-');
  const parent = /^(.+)\.(enabled|command)$/.exec(key.key)?.[1]?.replace(/[._]/g, '-');
  const candidates = [dashed, parent, dashed.endsWith('s') ? dashed.slice(0, -1) : undefined].filter((c): c is string => c !== undefined);
  for (const candidate of candidates) {
    const flag = flags.find((f) => f.long === `--${candidate}` && f.registryKey === undefined);
    if (flag) return flag;
  }
  return undefined;
}

export function settingsModel(): SettingsModel {
  const flags = programFlags();
  const keys = schemaKeys(configFileSchema).map((k): KeyDoc => {
    const flag = flagForKey(k, flags);
    const note = KEY_NOTES[k.key] ?? {};
    return {
      ...k,
      describedInSchema: k.description !== undefined,
      type: note.type ?? k.type,
      flag,
      description: k.description ?? note.description ?? flag?.help,
      default: CODE_DEFAULTS[k.key] ?? note.default ?? flag?.statedDefault,
    };
  });
  const keyOfFlag = new Map(keys.flatMap((k) => (k.flag ? [[k.flag.long, k.key] as const] : [])));
  return { flags, keys, keyOfFlag };
}

const orDash = (text: string | undefined): string => (text === undefined || text === '' ? '—' : text);

function flagHelp(flag: FlagInfo): string {
  return flag.choices.length > 0 ? `${flag.help}. One of: ${flag.choices.map(code).join(', ')}.` : flag.help;
}

export function flagsPage(model: SettingsModel): string {
  const row = (f: FlagInfo): string[] => {
    const key = model.keyOfFlag.get(f.long);
    const fromKey = key === undefined ? undefined : model.keys.find((k) => k.key === key)?.default;
    return [code(f.flags), flagHelp(f), orDash(fromKey ?? f.statedDefault), key === undefined ? '—' : `[${code(key)}](config.md)`];
  };
  const headers = ['Flag', 'What it does', 'Default', 'Config key'];
  const blocks = [...new Set(model.flags.flatMap((f) => (f.block === undefined ? [] : [f.block])))];
  return page([
    banner('Command-line flags', ['src/cli/program.ts', "each registry's shared.flags"]),
    [
      '```',
      'ctmpl [options]             render and watch (or --once)',
      'ctmpl validate [options]    check flags, config file, templates and catalog files; write nothing, contact no registry',
      'ctmpl migrate [--out DIR] [--verify …] CONFIG.hcl|TEMPLATE…   convert consul-template configs and Go templates (docs/migrate.md)',
      '```',
    ].join('\n'),
    [
      'Flags win over the config file ([config.md](config.md)) for single settings; templates and',
      'sources given as flags are added to the file\'s. consul-template\'s single-dash spellings work',
      'too (`-template in:out -once -wait 2s:10s`). Durations are `500ms`, `2s`, `1m30s` or a bare',
      'number of seconds. `-h, --help` prints the help with examples; `-v, --version` the version.',
    ].join('\n'),
    '## General',
    table(
      headers,
      model.flags.filter((f) => f.block === undefined).map(row),
    ),
    ...blocks.flatMap((block) => [
      `## Registry block \`${block}\``,
      `These flags set keys of the config file's \`${block}\` block; a flag wins over the block.`,
      table(
        headers,
        model.flags.filter((f) => f.block === block).map(row),
      ),
    ]),
  ]);
}

export function configPage(model: SettingsModel): string {
  const headers = ['Key', 'Type', 'Default', 'Flag', 'What it sets'];
  const row = (k: KeyDoc): string[] => [code(k.key), k.type, orDash(k.default), k.flag === undefined ? '—' : code(k.flag.long), orDash(k.description)];
  const top = model.keys.filter((k) => !k.key.includes('.') && !k.key.includes('['));
  const sections = top.filter((k) => k.hasChildren);
  return page([
    banner('Config file keys', ['the config schema (src/config/schema.ts)', 'the flags that set its keys', 'src/config/defaults.ts', 'scripts/docs/settings-notes.ts']),
    [
      'The file given with `--config`, in YAML or JSON (keys as consul-template names them). Relative',
      "paths resolve against the file's directory. A key that is not listed here, a value of the wrong",
      'type or an empty value stops ctmpl before it runs (exit code 2) with the key and its',
      '`file:line:column`. How the file and the flags combine: [configuration.md](../configuration.md).',
    ].join('\n'),
    '## Top level',
    table(
      headers,
      top.map((k) => (k.hasChildren ? [...row(k).slice(0, 4), `${orDash(k.description)} (see [${k.key}](#${k.key}))`] : row(k))),
    ),
    ...sections.flatMap((section) => [
      `## ${section.key}`,
      table(
        headers,
        model.keys.filter((k) => k.key.startsWith(`${section.key}.`) || k.key.startsWith(`${section.key}[]`)).map(row),
      ),
    ]),
  ]);
}
