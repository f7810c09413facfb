import { CommanderError } from '@commander-js/extra-typings';
import type { BlockFlagValue, FlagValues } from '../config/flags.js';
import { InputError } from '../errors.js';
import { readArgs, type ReadArgs } from './argv.js';
import { buildProgram, optionSpecs, registryFlags } from './program.js';

export type ParsedArgs = { kind: 'run'; flags: FlagValues } | { kind: 'validate'; flags: FlagValues } | { kind: 'exit'; code: number };

/** A flag as the user typed it; for an alias of another name, both (`-consul-ssl-ca-cert (--consul-ca-cert)`). */
function spelled(read: ReadArgs, long: string): string {
  const typed = read.typed.get(long);
  return typed === undefined || typed.replace(/^-+/, '') === long.replace(/^-+/, '') ? (typed ?? long) : `${typed} (${long})`;
}

/**
 * Parses argv; help and version print and ask to exit 0. Every usage error is an InputError
 * (printed as `ctmpl: error: …`, exit 2): argv.ts refuses what ctmpl does not know before
 * commander sees it, commander checks the values of what it does.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  // `ctmpl validate [the same flags]` checks everything and exits; no registry is contacted.
  let validating = argv[0] === 'validate';
  if (validating) argv = argv.slice(1);
  const program = buildProgram();
  // Usage errors are reported by the caller with the `ctmpl: error:` prefix, not by commander.
  program.configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: () => undefined });
  // consul-template's `-log-level err` is ctmpl's error.
  const read = readArgs(argv, optionSpecs(program));
  const args = read.args.map((arg) => (arg === '--log-level=err' ? '--log-level=error' : arg));
  validating ||= read.validate;
  try {
    program.parse(args, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return { kind: 'exit', code: 0 };
      throw new InputError(err.message.replace(/^error:\s*/, ''), undefined, 'run ctmpl --help for usage');
    }
    throw err;
  }
  // `-dedup=false`: an explicit off overrides the config file (undefined would let it apply).
  for (const long of read.off) {
    const option = program.options.find((o) => o.long === long);
    if (option) program.setOptionValue(option.attributeName(), false);
  }
  const o = program.opts();
  // An empty value is a mistake whatever the flag: `--allow-tag ""` would filter out every
  // instance, `--consul-ca-cert ""` would quietly mean "no CA". Repeatable flags are checked per value.
  for (const option of program.options) {
    const value: unknown = program.getOptionValue(option.attributeName());
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === 'string' && v.trim() === '')) {
      throw new InputError(`${option.long === undefined ? option.flags : spelled(read, option.long)} needs a value`, undefined, 'run ctmpl --help for usage');
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
      ...(o.config.length > 0 ? { config: o.config } : {}),
      ...(o.wait !== undefined ? { wait: o.wait } : {}),
      ...(o.commandTimeout !== undefined ? { commandTimeout: o.commandTimeout } : {}),
      ...(o.sandboxPath !== undefined ? { sandboxPath: o.sandboxPath } : {}),
      ...(o.partials !== undefined ? { partials: o.partials } : {}),
      ...(o.errorOnMissingKey !== undefined ? { errorOnMissingKey: o.errorOnMissingKey } : {}),
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
      ...(o.execKillSignal !== undefined ? { execKillSignal: o.execKillSignal } : {}),
      ...(o.killSignal !== undefined ? { killSignal: o.killSignal } : {}),
      ...(o.reloadSignal !== undefined ? { reloadSignal: o.reloadSignal } : {}),
      ...(o.pidFile !== undefined ? { pidFile: o.pidFile } : {}),
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
      blocks: blockFlagValues(program, read),
    },
  };
}

/** Values of the registries' block flags that were given, by block and key (`consul` → `ssl.verify`). */
function blockFlagValues(program: ReturnType<typeof buildProgram>, read: ReadArgs): Record<string, Record<string, BlockFlagValue>> {
  const out: Record<string, Record<string, BlockFlagValue>> = {};
  for (const { block, flag } of registryFlags()) {
    const long = flag.flags.split(/[ ,]/)[0] as string;
    const option = program.options.find((o) => o.long === long);
    const value: unknown = option ? program.getOptionValue(option.attributeName()) : undefined;
    if (value === undefined) continue;
    // A true/false choice is stored as the boolean the block's key holds.
    const typed = flag.choices?.includes('true') ? value === 'true' : value;
    (out[block] ??= {})[flag.key.join('.')] = { flag: spelled(read, long), value: typed };
  }
  return out;
}
