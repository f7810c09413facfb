import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { createRequire } from 'node:module';
import type { FlagValues } from '../config/load.js';
import { InputError } from '../errors.js';
import { LOG_LEVELS } from '../observe/log.js';

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

  # from a Consul agent (CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN_FILE… are honoured)
  ctmpl -t upstream.hbs:/etc/nginx/conf.d/up.conf:"nginx -s reload"

  # check before swap, reload nginx once per batch (a failed reload rolls the files back)
  ctmpl -t up.hbs:/etc/nginx/conf.d/up.conf --check "nginx -t" -c "nginx -s reload"

  # docker sidecar: supervise the proxy, SIGHUP it on change
  ctmpl -t up.hbs:/etc/nginx/conf.d/up.conf --exec "nginx -g 'daemon off;'"

  # everything from a config file (flags override its settings)
  ctmpl --config /etc/ctmpl/ctmpl.yaml

  # check config, templates and catalog files (every problem, with its location), e.g. in CI
  ctmpl validate --config /etc/ctmpl/ctmpl.yaml

Exit codes: 0 success · 1 runtime failure in --once · 2 bad flags, config, template or catalog.
Signals: SIGHUP re-reads config and templates · SIGUSR1 releases instances held by the removal guard ·
SIGTERM/SIGINT stop cleanly.`;

export function buildProgram() {
  return new Command()
    .name('ctmpl')
    .description('Render config files from service catalogs with Handlebars templates; run a command when they change.')
    .version(packageVersion(), '-v, --version')
    .option('-t, --template <src:dest[:command]>', 'template to render (repeatable); the optional command runs when DEST changes', collect, [] as string[])
    .option('-c, --command <cmd>', 'command to run once after any batch in which a destination changed')
    .option('--source <[name=]uri>', 'catalog to read (repeatable; without source=, service helpers read the union of all): file:PATH (YAML or JSON), consul://HOST:PORT, consul+https://HOST:PORT, etcd://HOST:PORT[,…]/PREFIX, zk://HOST:PORT[,…]/ROOT, dns:[//SERVER:PORT] (default: Consul)', collect, [] as string[])
    .option('--config <file>', 'YAML or JSON config file with the same settings')
    .option('--wait <min[:max]>', 'quiescence: wait for MIN of calm, at most MAX, before re-rendering; 0 turns it off (default 1s:5s)')
    .option('--once', 'render every template once, run commands, and exit', false)
    .option('--dry', 'print "> DEST" and the content instead of writing; run no command', false)
    .option('--command-timeout <duration>', 'kill a command (and its children) after this long (default 30s)')
    .option('--sandbox-path <dir>', "directory the file helper may read (default: each template's directory)")
    .addOption(new Option('--log-level <level>', 'log level (default info)').choices(LOG_LEVELS))
    .addOption(new Option('--log-format <format>', 'json lines, or pretty for a person (default: pretty on a terminal)').choices(['json', 'pretty'] as const))
    .option('--listen <host:port>', 'serve /metrics, /healthz and /status here (off by default)')
    .option('--health-failing-after <duration>', '/healthz turns unhealthy once a source has failed this long (default 60s)')
    .option('--relaxed-validation <source>', 'let this source\'s data skip the catalog validation rules (repeatable)', collect, [] as string[])
    .option('--env-allow <name>', 'the env helper reads only these variables (repeatable)', collect, [] as string[])
    .option('--check <cmd>', 'validate each staged file before it replaces the destination; {{staged}} is its path (templates without their own check)')
    .addOption(new Option('--write-mode <mode>', 'atomic (rename, default) or in_place (truncate and write: bind-mounted files)').choices(['atomic', 'in_place'] as const))
    .option('--min-reload-interval <duration>', 'least time between two reloads; changes meanwhile join the next one')
    .option('--exec <cmd>', 'supervise this command: start it after the first complete render, signal it on change')
    .option('--exec-reload-signal <signal|none>', 'signal sent to the exec child on change, or none to restart it (default SIGHUP)')
    .option('--exec-kill-timeout <duration>', 'time the exec child gets to stop before SIGKILL (default 30s)')
    .option('--exec-splay <duration>', 'random delay up to this long before signalling the exec child')
    .option('--dedup', 'dedup mode: instances with the same templates elect one leader (a Consul lock) that watches and publishes for all')
    .option('--dedup-prefix <prefix>', 'Consul KV prefix of dedup locks and data (default ctmpl/dedup/)')
    .option('--dedup-ttl <duration>', 'dedup session TTL, at least 10s (default 15s)')
    .option('--dedup-lock-delay <duration>', 'Consul lock-delay after a leader is lost (default 15s)')
    .option('--flap <N/window|off>', 'flap damping: more than N changes within WINDOW damp a service (default 5/30s)')
    .option('--flap-wait <duration>', 'how long a damped service waits before rendering (default: the flap window)')
    .option('--max-removal <percent|off>', 'removal guard: most of a service that may go at once (default 20%)')
    .option('--hold-max <duration>', 'how long held instances stay before release in steps (default 5m)')
    .option('--allow-cidr <cidr>', 'only instances with an address in these networks (repeatable)', collect, [] as string[])
    .option('--allow-tag <tag>', 'only instances with one of these tags (repeatable)', collect, [] as string[])
    .option('--allow-dc <dc>', 'only instances in these datacenters (repeatable)', collect, [] as string[])
    .option('--splay <duration>', 'random delay up to this long before each reload, so a fleet does not reload in lockstep')
    .option('--consul-addr <address>', 'Consul HTTP address, may start with https:// (env CONSUL_HTTP_ADDR; default 127.0.0.1:8500)')
    .option('--consul-token <token>', 'ACL token (env CONSUL_HTTP_TOKEN); prefer a token file, a flag shows in ps')
    .option('--consul-token-file <path>', 'file holding the ACL token, re-read on SIGHUP (env CONSUL_HTTP_TOKEN_FILE)')
    .option('--consul-ssl', 'talk to Consul over HTTPS (env CONSUL_HTTP_SSL)')
    .addOption(new Option('--consul-ssl-verify <bool>', 'verify the server certificate (env CONSUL_HTTP_SSL_VERIFY; default true)').choices(['true', 'false']))
    .option('--consul-ca-cert <path>', 'CA certificate (env CONSUL_CACERT)')
    .option('--consul-ca-path <dir>', 'directory of CA certificates (env CONSUL_CAPATH)')
    .option('--consul-client-cert <path>', 'client certificate (env CONSUL_CLIENT_CERT)')
    .option('--consul-client-key <path>', 'client key (env CONSUL_CLIENT_KEY)')
    .option('--consul-tls-server-name <name>', 'SNI name to verify (env CONSUL_TLS_SERVER_NAME)')
    .option('--max-stale <duration>', 'allow stale reads up to this lag, 0 for leader reads (default 2s)')
    .option('--consistent', 'consistent reads: every read through the leader')
    .option('--block-query-wait <duration>', 'wait of Consul blocking queries (default 60s)')
    .option('--consul-cached', "health reads through the agent's cache (?cached): much less load on the servers")
    .option('--consul-min-interval <duration>', 'least time between two requests of one query (default 100ms)')
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
      relaxedValidation: o.relaxedValidation,
      envAllow: o.envAllow,
      allowCidr: o.allowCidr,
      allowTag: o.allowTag,
      allowDc: o.allowDc,
      consul: Object.fromEntries(
        Object.entries({
          addr: o.consulAddr,
          token: o.consulToken,
          tokenFile: o.consulTokenFile,
          caCert: o.consulCaCert,
          caPath: o.consulCaPath,
          clientCert: o.consulClientCert,
          clientKey: o.consulClientKey,
          tlsServerName: o.consulTlsServerName,
          ssl: o.consulSsl,
          sslVerify: o.consulSslVerify === undefined ? undefined : o.consulSslVerify === 'true',
          maxStale: o.maxStale,
          blockQueryWait: o.blockQueryWait,
          consistent: o.consistent,
          cached: o.consulCached,
          minInterval: o.consulMinInterval,
        }).filter(([, v]) => v !== undefined),
      ),
    },
  };
}
