import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { createRequire } from 'node:module';
import type { FlagValues } from './config/load.js';
import { InputError } from './errors.js';
import { LOG_LEVELS } from './observe/log.js';

/** package.json sits one level above src/ when run from source, two above dist/src/ when built. */
function packageVersion(): string {
  const require = createRequire(import.meta.url);
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(candidate) as { name?: string; version?: string };
      if (pkg.name === 'ctmpl' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return 'unknown';
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const EXAMPLES = `
Examples:
  # render nginx upstreams from a static catalog, reload nginx when they change
  ctmpl --source file:catalog.yaml -t upstream.hbs:/etc/nginx/conf.d/up.conf -c "nginx -s reload"

  # print what would be written, once, and exit
  ctmpl --source file:catalog.yaml -t upstream.hbs:up.conf --once --dry

  # everything from a config file (flags override its settings)
  ctmpl --config /etc/ctmpl/ctmpl.yaml

Exit codes: 0 success · 1 runtime failure in --once · 2 bad flags, config, template or catalog.
Signals: SIGHUP re-reads config and templates · SIGTERM/SIGINT stop cleanly.`;

export function buildProgram() {
  return new Command()
    .name('ctmpl')
    .description('Render config files from service catalogs with Handlebars templates; run a command when they change.')
    .version(packageVersion(), '-v, --version')
    .option('-t, --template <src:dest[:command]>', 'template to render (repeatable); the optional command runs when DEST changes', collect, [] as string[])
    .option('-c, --command <cmd>', 'command to run once after any batch in which a destination changed')
    .option('--source <[name=]uri>', 'catalog to read (repeatable): file:PATH (YAML or JSON)', collect, [] as string[])
    .option('--config <file>', 'YAML or JSON config file with the same settings')
    .option('--wait <min[:max]>', 'quiescence: wait for MIN of calm, at most MAX, before re-rendering; 0 turns it off (default 1s:5s)')
    .option('--once', 'render every template once, run commands, and exit', false)
    .option('--dry', 'print "> DEST" and the content instead of writing; run no command', false)
    .option('--command-timeout <duration>', 'kill a command (and its children) after this long (default 30s)')
    .option('--sandbox-path <dir>', "directory the file helper may read (default: each template's directory)")
    .addOption(new Option('--log-level <level>', 'log level (default info)').choices(LOG_LEVELS))
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError('(run ctmpl --help for usage)')
    .allowExcessArguments(false)
    .exitOverride();
}

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

export type ParsedArgs = { kind: 'run'; flags: FlagValues } | { kind: 'exit'; code: number };

/** Parses argv; help and version print and ask to exit 0, usage errors become InputErrors. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
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
  for (const [flag, value] of [
    ['--command', o.command],
    ['--config', o.config],
    ['--wait', o.wait],
    ['--command-timeout', o.commandTimeout],
    ['--sandbox-path', o.sandboxPath],
  ] as const) {
    if (value !== undefined && value.trim() === '') throw new InputError(`${flag} needs a value`, undefined, 'run ctmpl --help for usage');
  }
  return {
    kind: 'run',
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
    },
  };
}
