import { Command, Option } from '@commander-js/extra-typings';
import { PROBE_FLAG_SYNTAX } from '../feed/probes/flag.js';
import { LOG_LEVELS } from '../observe/log.js';
import type { BlockFlag } from '../registries/definition.js';
import type { OptionSpec } from './argv.js';
import { REGISTRIES, registrySyntaxes } from '../registries/list.js';
import { packageVersion } from '../util/version.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const EXAMPLES = `
Examples:
  # render nginx upstreams from a static catalog, reload nginx when they change
  ctmpl --source file:catalog.yaml -t upstream.hbs:/etc/nginx/conf.d/up.conf -c "nginx -s reload"

  # print what would be written, once, and exit
  ctmpl --source file:catalog.yaml -t upstream.hbs:up.conf --once --dry

  # from a Consul agent (CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN_FILE… are honoured)
  ctmpl -t upstream.hbs:/etc/nginx/conf.d/up.conf:"nginx -s reload"

  # check the staged file before it replaces the live one; a failed reload rolls the files back
  ctmpl -t haproxy.hbs:/etc/haproxy/haproxy.cfg --check "haproxy -c -f {{staged}}" -c "systemctl reload haproxy"

  # docker sidecar: supervise the proxy, SIGHUP it on change
  ctmpl -t up.hbs:/etc/nginx/conf.d/up.conf --exec "nginx -g 'daemon off;'"

  # everything from a config file (flags override its settings)
  ctmpl --config /etc/ctmpl/ctmpl.yaml

  # check config, templates and catalog files (every problem, with its location), e.g. in CI
  ctmpl validate --config /etc/ctmpl/ctmpl.yaml

  # convert consul-template's config and Go templates; compare both renders (ctmpl migrate --help)
  ctmpl migrate --out ctmpl/ --verify consul-template.hcl

consul-template's flags are read with their meaning (-consul-ssl-ca-cert is --consul-ca-cert,
-parse-only is ctmpl validate…) or refused with what to do instead: docs/migrating-from-consul-template.md

Exit codes: 0 success · 1 runtime failure in --once (a failed render, command, or a Consul that
stays unreachable after its retries) · 2 bad flags, config, template or catalog.
Signals: SIGHUP (or --reload-signal) re-reads config and templates · SIGUSR1 releases instances held by the removal guard ·
SIGTERM/SIGINT stop cleanly.`;

export function buildProgram() {
  const program = new Command()
    .name('ctmpl')
    .description('Render config files from service catalogs with Handlebars templates; run a command when they change.')
    .version(packageVersion(), '-v, --version')
    .option('-t, --template <src:dest[:command]>', 'template to render (repeatable); the optional command runs when DEST changes', collect, [] as string[])
    .option('-c, --command <cmd>', 'command to run once after any batch in which a destination changed')
    .option('--source <[name=]uri>', `catalog to read (repeatable; without source=, service helpers read the union of all): ${registrySyntaxes()} (default: Consul)`, collect, [] as string[])
    .option('--config <path>', "config: a YAML or JSON file with ctmpl's keys, or consul-template's HCL config (a .hcl file, or a directory of config files merged in name order); repeatable for HCL", collect, [] as string[])
    .option('--wait <min[:max]>', 'quiescence: wait for MIN of calm, at most MAX, before re-rendering; 0 turns it off (default 1s:5s)')
    .option('--once', 'render every template once, run commands, and exit', false)
    .option('--dry', 'print "> DEST" and the content instead of writing; run no command', false)
    .option('--command-timeout <duration>', 'kill a command (and its children) after this long (default 30s)')
    .option('--sandbox-path <dir>', "directory the file helper may read (default: each template's directory)")
    .option('--partials <dir>', 'directory of *.hbs partials every template can include: {{> name}} for name.hbs')
    .option('--error-on-missing-key', 'a field a template prints that the data does not have is an error naming its file:line:col, not empty text')
    .addOption(new Option('--log-level <level>', 'log level; err is read as error, as consul-template does (default info)').choices(LOG_LEVELS))
    .addOption(new Option('--log-format <format>', 'json lines, or pretty for a person (default: pretty on a terminal)').choices(['json', 'pretty'] as const))
    .option('--listen <host:port>', 'serve /metrics, /healthz and /status here (off by default)')
    .option('--health-failing-after <duration>', '/healthz turns unhealthy once a source has failed this long (default 60s)')
    .option('--health-grace <duration>', "/healthz turns unhealthy once a template's file has not been current this long: a failed write or reload, a missing file (default 30s)")
    .option('--relaxed-validation <source>', "keep this source's instances whose address is not an IP or a host name, e.g. unix socket paths (repeatable; control characters are refused from every source)", collect, [] as string[])
    .option('--env-allow <name>', 'the env helper reads only these variables (repeatable)', collect, [] as string[])
    .option('--check <cmd>', 'validate each staged file before it replaces the destination; {{staged}} is its path (templates without their own check)')
    .addOption(new Option('--write-mode <mode>', 'atomic (rename, default) or in_place (truncate and write: bind-mounted files)').choices(['atomic', 'in_place'] as const))
    .option('--reload-retry <first[:max]>', 'after a failed write or reload, render, write and reload again after FIRST, doubling up to MAX (default 10s:5m)')
    .option('--min-reload-interval <duration>', 'least time between two reloads; changes meanwhile join the next one')
    .option('--exec <cmd>', 'supervise this command: start it after the first complete render, signal it on change')
    .option('--exec-reload-signal <signal|none>', 'signal sent to the exec child on change, or none to restart it (default SIGHUP)')
    .option('--exec-kill-timeout <duration>', 'time the exec child gets to stop before SIGKILL (default 30s)')
    .option('--exec-splay <duration>', 'random delay up to this long before signalling the exec child')
    .option('--exec-kill-signal <signal>', 'signal that stops the exec child when ctmpl stops (default: the signal ctmpl got, SIGTERM or SIGINT)')
    .option('--kill-signal <signal>', 'one more signal that stops ctmpl cleanly, besides SIGTERM and SIGINT (consul-template\'s default is SIGINT)')
    .option('--reload-signal <signal>', 'signal that makes ctmpl re-read its config and templates (default SIGHUP)')
    .option('--pid-file <path>', "write ctmpl's process id to this file while it runs (removed when it stops)")
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
    .option('--probe <service=spec>', `probe a service's instances from this host (repeatable): ${PROBE_FLAG_SYNTAX}`, collect, [] as string[])
    .option('--probe-concurrency <n>', 'most probes in flight at once, over every service (default 64)')
    .option('--splay <duration>', 'random delay up to this long before each reload, so a fleet does not reload in lockstep')
    .addHelpText('after', EXAMPLES)
    .allowExcessArguments(false)
    .exitOverride();
  // Each registry's block flags (`--consul-addr` sets consul.address).
  for (const { flag } of registryFlags()) program.addOption(flag.choices ? new Option(flag.flags, flag.help).choices(flag.choices) : new Option(flag.flags, flag.help));
  return program;
}

/** What the argument reader (argv.ts) needs to know of each option of the program. */
export function optionSpecs(program: ReturnType<typeof buildProgram>): OptionSpec[] {
  return program.options.flatMap((o) => {
    if (o.long === undefined) return [];
    const valued = o.required || o.optional;
    const bool = valued && o.argChoices !== undefined && o.argChoices.length === 2 && o.argChoices.includes('true') && o.argChoices.includes('false');
    return [{ long: o.long, short: o.short, takes: bool ? 'bool' : valued ? 'value' : 'switch' } satisfies OptionSpec];
  });
}

/** The flags of every registry's block, with the block they belong to. */
export function registryFlags(): { block: string; flag: BlockFlag }[] {
  return REGISTRIES.flatMap((r) => (r.shared ? r.shared.flags.map((flag) => ({ block: r.shared?.key ?? '', flag })) : []));
}

