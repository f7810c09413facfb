import { buildProgram, registryFlags } from '../../src/cli/program.js';

/** One flag of `ctmpl`, as buildProgram() declares it. */
export interface FlagInfo {
  /** `--wait` */
  readonly long: string;
  /** commander syntax: `-t, --template <src:dest[:command]>` */
  readonly flags: string;
  /** The help text without its default. */
  readonly help: string;
  /** The default the help text states (`1s:5s`), if any. */
  readonly statedDefault: string | undefined;
  readonly choices: readonly string[];
  readonly repeatable: boolean;
  /** For a registry's flags: the config key it sets (`consul.address`). */
  readonly registryKey: string | undefined;
  /** The registry block it belongs to (`consul`), if any. */
  readonly block: string | undefined;
}

/**
 * Splits the default out of a help text: `… (default 1s:5s)` and `… (env X; default Y)` → the
 * text without it, and the default.
 */
export function splitDefault(help: string): { text: string; statedDefault: string | undefined } {
  const match = /\s*\(([^()]*?;\s*)?default:?\s+([^()]+)\)/.exec(help);
  if (!match) return { text: help, statedDefault: undefined };
  const rest = match[1] ? ` (${match[1].replace(/;\s*$/, '')})` : '';
  return { text: `${help.slice(0, match.index)}${rest}${help.slice(match.index + match[0].length)}`.trim(), statedDefault: (match[2] as string).trim() };
}

const longOf = (flags: string): string | undefined => /--[a-z][a-z0-9-]*/.exec(flags)?.[0];

/** Every flag of the program, in its declaration order (`--help` is commander's own and not listed). */
export function programFlags(): FlagInfo[] {
  const program = buildProgram();
  const blockOf = new Map(registryFlags().map(({ block, flag }) => [longOf(flag.flags), { block, key: `${block}.${flag.key.join('.')}` }]));
  return program.options.flatMap((option) => {
    const long = option.long;
    if (long === undefined) return [];
    const { text, statedDefault } = splitDefault(option.description);
    const registry = blockOf.get(long);
    return [
      {
        long,
        flags: option.flags,
        help: text,
        statedDefault,
        choices: option.argChoices ?? [],
        repeatable: Array.isArray(option.defaultValue),
        registryKey: registry?.key,
        block: registry?.block,
      },
    ];
  });
}
