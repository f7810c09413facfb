/**
 * consul-template 0.42.1's command-line flags, written out from its cli.go (ParseFlags: every
 * flags.Var / flags.BoolVar), with the Go type its parser reads, a value to give it, and what
 * ctmpl must make of it: the ctmpl setting it takes effect on, or a refusal. The CLI tests walk
 * this list in every spelling; it is kept apart from src/cli/consul-template-flags.ts on purpose,
 * so a flag missing there is caught here.
 */
import type { ParsedArgs } from '../../../src/cli/parse.js';
import type { FlagValues } from '../../../src/config/flags.js';

export type GoType = 'string' | 'bool' | 'int' | 'duration';

export interface ConsulTemplateFlagCase {
  readonly name: string;
  readonly type: GoType;
  /** The value given in the `=value` and separate forms (bools: `true`; ctmpl must read it). */
  readonly value: string;
  /**
   * alias: ctmpl reads it, and `effect` finds the value where it takes effect; refused: exit 2
   * with a reason matching `reason`.
   */
  readonly expect: { readonly kind: 'alias'; effect(parsed: ParsedArgs): unknown; readonly equals: unknown } | { readonly kind: 'refused'; readonly reason: RegExp };
}

const flagsOf = (parsed: ParsedArgs): FlagValues | undefined => (parsed.kind === 'exit' ? undefined : parsed.flags);
const block = (key: string) => (parsed: ParsedArgs): unknown => flagsOf(parsed)?.blocks?.consul?.[key]?.value;
const core = (key: keyof FlagValues) => (parsed: ParsedArgs): unknown => flagsOf(parsed)?.[key];

const alias = (name: string, type: GoType, value: string, effect: (parsed: ParsedArgs) => unknown, equals: unknown): ConsulTemplateFlagCase => ({
  name,
  type,
  value,
  expect: { kind: 'alias', effect, equals },
});
const refused = (name: string, type: GoType, reason: RegExp): ConsulTemplateFlagCase => ({ name, type, value: type === 'bool' ? 'true' : type === 'int' ? '7' : type === 'duration' ? '9s' : 'CANARY-value-9f2c', expect: { kind: 'refused', reason } });

const VAULT = /does not read Vault/;
const TRANSPORT = /manages its Consul connections/;
const LOGS = /logs to stdout/;
const ENV = /passes its own environment/;

export const CONSUL_TEMPLATE_0_42_FLAGS: readonly ConsulTemplateFlagCase[] = [
  alias('config', 'string', 'ct.hcl', core('config'), ['ct.hcl']),
  alias('consul-addr', 'string', '10.1.2.3:8500', block('address'), '10.1.2.3:8500'),
  alias('consul-auth', 'string', 'ops:CANARY-pw', block('auth'), 'ops:CANARY-pw'),
  alias('consul-retry', 'bool', 'true', block('retry.enabled'), true),
  alias('consul-retry-attempts', 'int', '3', block('retry.attempts'), '3'),
  alias('consul-retry-backoff', 'duration', '100ms', block('retry.backoff'), '100ms'),
  alias('consul-retry-max-backoff', 'duration', '2s', block('retry.max_backoff'), '2s'),
  alias('consul-ssl', 'bool', 'true', block('ssl.enabled'), true),
  alias('consul-ssl-ca-cert', 'string', 'ca.pem', block('ssl.ca_cert'), 'ca.pem'),
  alias('consul-ssl-ca-path', 'string', 'ca.d', block('ssl.ca_path'), 'ca.d'),
  alias('consul-ssl-cert', 'string', 'client.pem', block('ssl.cert'), 'client.pem'),
  alias('consul-ssl-key', 'string', 'client-key.pem', block('ssl.key'), 'client-key.pem'),
  alias('consul-ssl-server-name', 'string', 'consul.example', block('ssl.server_name'), 'consul.example'),
  alias('consul-ssl-verify', 'bool', 'true', block('ssl.verify'), true),
  alias('consul-token', 'string', 'CANARY-token', block('token'), 'CANARY-token'),
  alias('consul-token-file', 'string', 'token', block('token_file'), 'token'),
  refused('consul-transport-dial-keep-alive', 'duration', TRANSPORT),
  refused('consul-transport-dial-timeout', 'duration', TRANSPORT),
  refused('consul-transport-disable-keep-alives', 'bool', TRANSPORT),
  refused('consul-transport-max-idle-conns-per-host', 'int', TRANSPORT),
  refused('consul-transport-tls-handshake-timeout', 'duration', TRANSPORT),
  alias('dedup', 'bool', 'true', core('dedup'), true),
  // Only the delimiters Handlebars has are accepted (they change nothing); others are refused (a separate test).
  alias('default-left-delimiter', 'string', '{{', (p) => p.kind, 'run'),
  alias('default-right-delimiter', 'string', '}}', (p) => p.kind, 'run'),
  alias('dry', 'bool', 'true', core('dry'), true),
  alias('exec', 'string', 'nginx -g "daemon off;"', core('exec'), 'nginx -g "daemon off;"'),
  alias('exec-kill-signal', 'string', 'SIGQUIT', core('execKillSignal'), 'SIGQUIT'),
  alias('exec-kill-timeout', 'duration', '5s', core('execKillTimeout'), '5s'),
  alias('exec-reload-signal', 'string', 'SIGUSR2', core('execReloadSignal'), 'SIGUSR2'),
  alias('exec-splay', 'duration', '2s', core('execSplay'), '2s'),
  refused('exec-env-pristine', 'bool', ENV),
  refused('exec-env-custom', 'string', ENV),
  refused('exec-env-allowlist', 'string', ENV),
  refused('exec-env-denylist', 'string', ENV),
  alias('kill-signal', 'string', 'SIGQUIT', core('killSignal'), 'SIGQUIT'),
  alias('log-level', 'string', 'err', core('logLevel'), 'error'),
  refused('log-file', 'string', LOGS),
  refused('log-rotate-bytes', 'int', LOGS),
  refused('log-rotate-duration', 'duration', LOGS),
  refused('log-rotate-max-files', 'int', LOGS),
  alias('max-stale', 'duration', '5s', block('max_stale'), '5s'),
  alias('once', 'bool', 'true', core('once'), true),
  alias('parse-only', 'bool', 'true', (p) => p.kind, 'validate'),
  alias('pid-file', 'string', 'ctmpl.pid', core('pidFile'), 'ctmpl.pid'),
  alias('reload-signal', 'string', 'SIGUSR2', core('reloadSignal'), 'SIGUSR2'),
  alias('retry', 'duration', '1s', block('retry.backoff'), '1s'),
  refused('syslog', 'bool', LOGS),
  refused('syslog-facility', 'string', LOGS),
  refused('syslog-name', 'string', LOGS),
  alias('template', 'string', 'in.hbs:out.conf:reload', core('template'), ['in.hbs:out.conf:reload']),
  // false is what ctmpl does (accepted); true is refused (a separate test).
  alias('template-error-fatal', 'bool', 'false', (p) => p.kind, 'run'),
  refused('vault-addr', 'string', VAULT),
  refused('vault-renew-token', 'bool', VAULT),
  refused('vault-retry', 'bool', VAULT),
  refused('vault-retry-attempts', 'int', VAULT),
  refused('vault-retry-backoff', 'duration', VAULT),
  refused('vault-retry-max-backoff', 'duration', VAULT),
  refused('vault-client-user-agent', 'string', VAULT),
  refused('vault-ssl', 'bool', VAULT),
  refused('vault-ssl-ca-cert', 'string', VAULT),
  refused('vault-ssl-ca-path', 'string', VAULT),
  refused('vault-ssl-cert', 'string', VAULT),
  refused('vault-ssl-key', 'string', VAULT),
  refused('vault-ssl-server-name', 'string', VAULT),
  refused('vault-ssl-verify', 'bool', VAULT),
  refused('vault-transport-dial-keep-alive', 'duration', VAULT),
  refused('vault-transport-dial-timeout', 'duration', VAULT),
  refused('vault-transport-disable-keep-alives', 'bool', VAULT),
  refused('vault-transport-max-idle-conns-per-host', 'int', VAULT),
  refused('vault-transport-max-conns-per-host', 'int', VAULT),
  refused('vault-transport-tls-handshake-timeout', 'duration', VAULT),
  refused('vault-token', 'string', VAULT),
  refused('vault-agent-token-file', 'string', VAULT),
  refused('vault-unwrap-token', 'bool', VAULT),
  refused('vault-default-lease-duration', 'duration', VAULT),
  alias('wait', 'string', '2s:10s', core('wait'), '2s:10s'),
  alias('v', 'bool', 'true', (p) => p, { kind: 'exit', code: 0 }),
  alias('version', 'bool', 'true', (p) => p, { kind: 'exit', code: 0 }),
];

/** One way of writing a flag on the command line. */
export interface FlagSpelling {
  readonly form: string;
  readonly args: readonly string[];
}

/**
 * The spellings Go's flag package reads (single dash, `=value`, value apart; two dashes too), for
 * a flag with its value. A bool takes its value only after `=`: `-once true` is two arguments in
 * Go too, and ctmpl refuses the second unless the flag takes a true/false value.
 */
export function spellings(c: ConsulTemplateFlagCase): FlagSpelling[] {
  const bare = c.type === 'bool' ? [`-${c.name}`] : [`-${c.name}`, c.value];
  return [
    { form: 'single dash', args: bare },
    { form: '=value', args: [`-${c.name}=${c.value}`] },
    { form: 'separate value', args: [`-${c.name}`, c.value] },
    { form: 'double dash =value', args: [`--${c.name}=${c.value}`] },
  ];
}
