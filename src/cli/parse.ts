import { CommanderError } from '@commander-js/extra-typings';
import type { BlockFlagValue, FlagValues } from '../config/flags.js';
import { InputError } from '../errors.js';
import { buildProgram, registryFlags } from './program.js';

/**
 * consul-template users type `-template a:b -once`; commander wants `--template`. Single-dash
 * spellings of our long options are accepted and rewritten.
 */
export function normalizeArgs(args: readonly string[], longNames: ReadonlySet<string>): string[] {
  return args.map((arg) => {
    const match = /^-([a-z][a-z-]+)(=.*)?$/s.exec(arg);
    return match && longNames.has(match[1] as string) ? `-${arg}` : arg;
  });
}

export type ParsedArgs = { kind: 'run'; flags: FlagValues } | { kind: 'validate'; flags: FlagValues } | { kind: 'exit'; code: number };

/** Parses argv; help and version print and ask to exit 0, usage errors become InputErrors. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  // `ctmpl validate [the same flags]` checks everything and exits; no registry is contacted.
  const validating = argv[0] === 'validate';
  if (validating) argv = argv.slice(1);
  const program = buildProgram();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const longNames = new Set(program.options.map((o) => o.long?.replace(/^--/, '')).filter((n): n is string => !!n));
  try {
    program.parse(normalizeArgs(argv, longNames), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return { kind: 'exit', code: 0 };
      return { kind: 'exit', code: 2 };
    }
    throw err;
  }
  const o = program.opts();
  // An empty value is a mistake whatever the flag: `--allow-tag ""` would filter out every
  // instance, `--consul-ca-cert ""` would quietly mean "no CA". Repeatable flags are checked per value.
  for (const option of program.options) {
    const value: unknown = program.getOptionValue(option.attributeName());
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === 'string' && v.trim() === '')) {
      throw new InputError(`${option.long ?? option.flags} needs a value`, undefined, 'run ctmpl --help for usage');
    }
  }
  return {
    kind: validating ? 'validate' : 'run',
    flags: {
      template: o.template,
      source: o.source,
      once: o.once,
      dry: o.dry,
      ...(o.command !== undefined ? { command: o.command } : {}),
      ...(o.config !== undefined ? { config: o.config } : {}),
      ...(o.wait !== undefined ? { wait: o.wait } : {}),
      ...(o.commandTimeout !== undefined ? { commandTimeout: o.commandTimeout } : {}),
      ...(o.sandboxPath !== undefined ? { sandboxPath: o.sandboxPath } : {}),
      ...(o.logLevel !== undefined ? { logLevel: o.logLevel } : {}),
      ...(o.listen !== undefined ? { listen: o.listen } : {}),
      ...(o.healthFailingAfter !== undefined ? { healthFailingAfter: o.healthFailingAfter } : {}),
      ...(o.healthGrace !== undefined ? { healthGrace: o.healthGrace } : {}),
      ...(o.logFormat !== undefined ? { logFormat: o.logFormat } : {}),
      ...(o.check !== undefined ? { check: o.check } : {}),
      ...(o.writeMode !== undefined ? { writeMode: o.writeMode } : {}),
      ...(o.minReloadInterval !== undefined ? { minReloadInterval: o.minReloadInterval } : {}),
      ...(o.exec !== undefined ? { exec: o.exec } : {}),
      ...(o.execReloadSignal !== undefined ? { execReloadSignal: o.execReloadSignal } : {}),
      ...(o.execKillTimeout !== undefined ? { execKillTimeout: o.execKillTimeout } : {}),
      ...(o.execSplay !== undefined ? { execSplay: o.execSplay } : {}),
      ...(o.dedup !== undefined ? { dedup: o.dedup } : {}),
      ...(o.dedupPrefix !== undefined ? { dedupPrefix: o.dedupPrefix } : {}),
      ...(o.dedupTtl !== undefined ? { dedupTtl: o.dedupTtl } : {}),
      ...(o.dedupLockDelay !== undefined ? { dedupLockDelay: o.dedupLockDelay } : {}),
      ...(o.flap !== undefined ? { flap: o.flap } : {}),
      ...(o.flapWait !== undefined ? { flapWait: o.flapWait } : {}),
      ...(o.maxRemoval !== undefined ? { maxRemoval: o.maxRemoval } : {}),
      ...(o.holdMax !== undefined ? { holdMax: o.holdMax } : {}),
      ...(o.splay !== undefined ? { splay: o.splay } : {}),
      ...(o.reloadRetry !== undefined ? { reloadRetry: o.reloadRetry } : {}),
      relaxedValidation: o.relaxedValidation,
      envAllow: o.envAllow,
      probe: o.probe,
      ...(o.probeConcurrency !== undefined ? { probeConcurrency: o.probeConcurrency } : {}),
      allowCidr: o.allowCidr,
      allowTag: o.allowTag,
      allowDc: o.allowDc,
      blocks: blockFlagValues(program),
    },
  };
}

/** Values of the registries' block flags that were given, by block and key (`consul` → `ssl.verify`). */
function blockFlagValues(program: ReturnType<typeof buildProgram>): Record<string, Record<string, BlockFlagValue>> {
  const out: Record<string, Record<string, BlockFlagValue>> = {};
  for (const { block, flag } of registryFlags()) {
    const long = flag.flags.split(/[ ,]/)[0] as string;
    const option = program.options.find((o) => o.long === long);
    const value: unknown = option ? program.getOptionValue(option.attributeName()) : undefined;
    if (value === undefined) continue;
    // A true/false choice is stored as the boolean the block's key holds.
    const typed = flag.choices?.includes('true') ? value === 'true' : value;
    (out[block] ??= {})[flag.key.join('.')] = { flag: long, value: typed };
  }
  return out;
}
