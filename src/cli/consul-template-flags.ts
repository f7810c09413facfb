/**
 * consul-template 0.42's command-line flags (its cli.go, Go's flag package) and what ctmpl does
 * with each: the same flag, another ctmpl flag with the same meaning, or a refusal that says what
 * ctmpl does instead. The argument reader (argv.ts) consults this table for every name ctmpl does
 * not have itself, so a consul-template command line either means the same thing or is refused.
 */

/** How Go's flag package reads the flag's value: a bool takes none (or `=true|false`), the others one. */
export type GoFlagType = 'string' | 'bool' | 'int' | 'duration';

export type ConsulTemplateFlagRule =
  /** ctmpl reads it as this flag of its own (`--consul-ca-cert`); `--NAME` itself when the names match. */
  | { readonly kind: 'ctmpl'; readonly flag: string }
  /** `-parse-only`: check config and templates, render nothing (`ctmpl validate`). */
  | { readonly kind: 'validate' }
  /** Values that change nothing in ctmpl are accepted (and dropped); any other is refused. */
  | { readonly kind: 'harmless-only'; readonly harmless: (value: string) => boolean; readonly reason: string }
  /** Not supported: `reason` says what ctmpl does instead, or what to do. */
  | { readonly kind: 'refused'; readonly reason: string };

export interface ConsulTemplateFlag {
  readonly type: GoFlagType;
  readonly rule: ConsulTemplateFlagRule;
}

const same = (type: GoFlagType, name: string): [string, ConsulTemplateFlag] => [name, { type, rule: { kind: 'ctmpl', flag: `--${name}` } }];
const alias = (type: GoFlagType, name: string, flag: string): [string, ConsulTemplateFlag] => [name, { type, rule: { kind: 'ctmpl', flag } }];
const refused = (type: GoFlagType, name: string, reason: string): [string, ConsulTemplateFlag] => [name, { type, rule: { kind: 'refused', reason } }];

/** Go's strconv.ParseBool, which consul-template's bool flags use. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

const NO_VAULT = 'ctmpl does not read Vault: render secrets with consul-template or vault agent, and the catalog with ctmpl';
const TRANSPORT = 'ctmpl manages its Consul connections itself (keep-alive agent, timeouts from the blocking wait); remove it';
const EXEC_ENV = "ctmpl passes its own environment to the exec child unchanged; set variables in the command (env NAME=value cmd) or in the service's environment";
const LOG_FILE = 'ctmpl logs to stdout (JSON lines, or pretty on a terminal); send them to a file with your service manager or log shipper';
const SYSLOG = 'ctmpl logs to stdout; under systemd the journal (and syslog through it) gets them';
const DELIMITERS = 'ctmpl templates are Handlebars and always use {{ and }}; convert templates written with other delimiters (docs/migrate.md)';
const ERROR_FATAL =
  'ctmpl keeps running after a render error and keeps the last good file (logged, counted in metrics, /healthz); with --once it exits 1 after such an error. Drop the flag (=false is what ctmpl does)';

/** Every flag of consul-template 0.42.1 (cli.go, ParseFlags), plus Go's own -h/-help. */
export const CONSUL_TEMPLATE_FLAGS: ReadonlyMap<string, ConsulTemplateFlag> = new Map<string, ConsulTemplateFlag>([
  same('string', 'config'),
  same('string', 'consul-addr'),
  same('string', 'consul-auth'),
  same('bool', 'consul-retry'),
  same('int', 'consul-retry-attempts'),
  same('duration', 'consul-retry-backoff'),
  same('duration', 'consul-retry-max-backoff'),
  same('bool', 'consul-ssl'),
  alias('string', 'consul-ssl-ca-cert', '--consul-ca-cert'),
  alias('string', 'consul-ssl-ca-path', '--consul-ca-path'),
  alias('string', 'consul-ssl-cert', '--consul-client-cert'),
  alias('string', 'consul-ssl-key', '--consul-client-key'),
  alias('string', 'consul-ssl-server-name', '--consul-tls-server-name'),
  same('bool', 'consul-ssl-verify'),
  same('string', 'consul-token'),
  same('string', 'consul-token-file'),
  refused('duration', 'consul-transport-dial-keep-alive', TRANSPORT),
  refused('duration', 'consul-transport-dial-timeout', TRANSPORT),
  refused('bool', 'consul-transport-disable-keep-alives', TRANSPORT),
  refused('int', 'consul-transport-max-idle-conns-per-host', TRANSPORT),
  refused('duration', 'consul-transport-tls-handshake-timeout', TRANSPORT),
  same('bool', 'dedup'),
  ['default-left-delimiter', { type: 'string', rule: { kind: 'harmless-only', harmless: (v) => v === '{{' || v === '', reason: DELIMITERS } }],
  ['default-right-delimiter', { type: 'string', rule: { kind: 'harmless-only', harmless: (v) => v === '}}' || v === '', reason: DELIMITERS } }],
  same('bool', 'dry'),
  same('string', 'exec'),
  same('string', 'exec-kill-signal'),
  same('duration', 'exec-kill-timeout'),
  same('string', 'exec-reload-signal'),
  same('duration', 'exec-splay'),
  refused('bool', 'exec-env-pristine', EXEC_ENV),
  refused('string', 'exec-env-custom', EXEC_ENV),
  refused('string', 'exec-env-allowlist', EXEC_ENV),
  refused('string', 'exec-env-denylist', EXEC_ENV),
  same('string', 'kill-signal'),
  same('string', 'log-level'),
  refused('string', 'log-file', LOG_FILE),
  refused('int', 'log-rotate-bytes', LOG_FILE),
  refused('duration', 'log-rotate-duration', LOG_FILE),
  refused('int', 'log-rotate-max-files', LOG_FILE),
  same('duration', 'max-stale'),
  same('bool', 'once'),
  ['parse-only', { type: 'bool', rule: { kind: 'validate' } }],
  same('string', 'pid-file'),
  same('string', 'reload-signal'),
  // consul-template's older name of -consul-retry-backoff.
  alias('duration', 'retry', '--consul-retry-backoff'),
  refused('bool', 'syslog', SYSLOG),
  refused('string', 'syslog-facility', SYSLOG),
  refused('string', 'syslog-name', SYSLOG),
  same('string', 'template'),
  ['template-error-fatal', { type: 'bool', rule: { kind: 'harmless-only', harmless: (v) => parseGoBool(v) === false, reason: ERROR_FATAL } }],
  ...(['addr', 'client-user-agent', 'ssl-ca-cert', 'ssl-ca-path', 'ssl-cert', 'ssl-key', 'ssl-server-name', 'token', 'agent-token-file'] as const).map((n) => refused('string', `vault-${n}`, NO_VAULT)),
  ...(['renew-token', 'retry', 'ssl', 'ssl-verify', 'transport-disable-keep-alives', 'unwrap-token'] as const).map((n) => refused('bool', `vault-${n}`, NO_VAULT)),
  ...(['retry-attempts', 'transport-max-idle-conns-per-host', 'transport-max-conns-per-host'] as const).map((n) => refused('int', `vault-${n}`, NO_VAULT)),
  ...(['retry-backoff', 'retry-max-backoff', 'transport-dial-keep-alive', 'transport-dial-timeout', 'transport-tls-handshake-timeout', 'default-lease-duration'] as const).map((n) =>
    refused('duration', `vault-${n}`, NO_VAULT),
  ),
  same('string', 'wait'),
  same('bool', 'version'),
  alias('bool', 'v', '--version'),
  same('bool', 'help'),
  alias('bool', 'h', '--help'),
]);
