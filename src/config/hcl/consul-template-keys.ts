import { editDistance } from './edit-distance.js';
import { ctmplKeysAt, splitPath } from './ctmpl-keys.js';

/**
 * Every key of consul-template 0.42's config (its config/*.go, mapstructure names), and what ctmpl
 * does with it. Paths use consul-template's names, `template[]` for a template block; targets use
 * ctmpl's (src/config/schema.ts), `templates[]` for a template.
 */
export type KeyRule = BlockRule | MappedRule | RefusedRule;

/** A block whose keys are read one by one. */
export interface BlockRule {
  readonly kind: 'block';
  /** ctmpl's block it becomes; keys consul-template lacks land there for validation. Without it the block's keys go to different places and any other key is an error. */
  readonly to?: string;
  /** Also takes a plain value (`wait = "2s:10s"`), which goes to `to`. */
  readonly value?: boolean;
  /** Repeated blocks form a list (`template`). */
  readonly list?: boolean;
}

export interface MappedRule {
  readonly kind: 'mapped';
  readonly to: string;
  /** A key (consul-template path) that wins when the same template sets both, as in consul-template. */
  readonly yieldsTo?: string;
  readonly convert?: (value: unknown) => unknown;
  /** A warning about the value as written (`raw`): where consul-template reads it differently. */
  readonly warn?: (value: unknown, raw: string) => string | undefined;
}

export interface RefusedRule {
  readonly kind: 'refused';
  /** What ctmpl does not do, and what to do instead. */
  readonly reason: string;
  /** true: the config is refused; false: the key is ignored with a warning (tuning, logging). */
  readonly fatal: boolean;
  /** Values that change nothing (a default, `enabled = false`): accepted without a word. */
  readonly harmless?: (value: unknown) => boolean;
}

const block = (to?: string, extra: Partial<BlockRule> = {}): BlockRule => ({ kind: 'block', ...(to === undefined ? {} : { to }), ...extra });
const mapped = (to: string, extra: Partial<MappedRule> = {}): MappedRule => ({ kind: 'mapped', to, ...extra });
const refused = (reason: string, fatal: boolean, harmless?: (value: unknown) => boolean): RefusedRule => ({ kind: 'refused', reason, fatal, ...(harmless ? { harmless } : {}) });

const is =
  (...values: unknown[]) =>
  (value: unknown): boolean =>
    values.includes(value);
const isEmptyList = (value: unknown): boolean => Array.isArray(value) && value.length === 0;
const isZeroDuration = (value: unknown): boolean => value === 0 || (typeof value === 'string' && /^\s*0+(\.0*)?(ns|us|µs|ms|s|m|h)?\s*$/.test(value));

const commaWarning = (value: unknown): string | undefined =>
  typeof value === 'string' && value.includes(',')
    ? 'consul-template splits a command string at commas into separate arguments; ctmpl runs the whole string with the shell. Write a list to be explicit'
    : undefined;
const decimalPermsWarning = (value: unknown, raw: string): string | undefined =>
  typeof value === 'number' && /^[1-9]/.test(raw) && value > 0o777
    ? `perms = ${raw} is the decimal number ${raw}, mode ${value.toString(8)}; write 0${raw} for the octal mode (consul-template reads it the same way)`
    : undefined;
const logLevel = (value: unknown): unknown => (typeof value === 'string' ? (value.toLowerCase() === 'err' ? 'error' : value.toLowerCase()) : value);

const NO_VAULT = 'ctmpl does not read Vault; render secrets with consul-template or vault agent';
const NO_NOMAD = 'ctmpl does not read Nomad service registrations; register the services in Consul, or render these templates with consul-template';
const TRANSPORT = 'ctmpl manages its Consul connections itself; this tuning has no effect, remove it';
const LOG_FILE = 'ctmpl logs to stdout (JSON lines, or pretty on a terminal); send them to a file with your service manager or log shipper';
const SYSLOG = 'ctmpl logs to stdout; under systemd the journal (and syslog through it) gets them';
const EXEC_ENV = "ctmpl passes its own environment to commands unchanged; set variables in the command (env NAME=value cmd) or in the service's environment";
const ERROR_FATAL = 'ctmpl keeps running after a render error and keeps the last good file (logged, counted in metrics; --once exits non-zero); remove it';
const DELIMITERS = 'ctmpl templates are Handlebars and always use {{ and }}; convert templates written with other delimiters, then remove default_delimiters';
const TEMPLATE_COMMAND_SIGNALS = "a template's command runs to its end; ctmpl kills its process group when command_timeout passes. Remove it";
const DENYLIST = "ctmpl's Handlebars helpers are not Go template functions: restrict the env helper with env_allow and file with sandbox_path, and remove it";

const keysOf = <R>(prefix: string, names: readonly string[], rule: (name: string) => R): [string, R][] => names.map((name) => [`${prefix}.${name}`, rule(name)]);
const SSL_KEYS = ['enabled', 'verify', 'ca_cert', 'ca_path', 'cert', 'key', 'server_name', 'ca_cert_bytes'];
const RETRY_KEYS = ['enabled', 'attempts', 'backoff', 'max_backoff'];
const TRANSPORT_KEYS = ['dial_keep_alive', 'dial_timeout', 'disable_keep_alives', 'idle_conn_timeout', 'max_idle_conns', 'max_idle_conns_per_host', 'max_conns_per_host', 'tls_handshake_timeout'];
const ENV_KEYS = ['pristine', 'custom', 'allowlist', 'whitelist', 'denylist', 'blacklist'];
const VAULT_KEYS = [
  ...['address', 'enabled', 'namespace', 'renew_token', 'token', 'vault_agent_token_file', 'unwrap_token', 'client_user_agent'],
  ...['default_lease_duration', 'lease_renewal_threshold', 'k8s_auth_role_name', 'k8s_service_account_token_path'],
  ...['k8s_service_account_token', 'k8s_service_mount_path'],
];

/** A whole client block refused (vault, nomad): its sub-blocks and keys, `enabled = false` harmless. */
function refusedClient(prefix: string, names: readonly string[], blocks: Readonly<Record<string, readonly string[]>>, reason: string): [string, KeyRule][] {
  const rule = (name: string): RefusedRule => refused(reason, true, name === 'enabled' ? is(false) : undefined);
  return [
    [prefix, refused(reason, true)],
    ...keysOf(prefix, names, rule),
    ...Object.entries(blocks).flatMap(([sub, keys]): [string, KeyRule][] => [[`${prefix}.${sub}`, refused(reason, true)], ...keysOf(`${prefix}.${sub}`, keys, rule)]),
  ];
}

function envKeys(prefix: string): [string, KeyRule][] {
  return [[prefix, refused(EXEC_ENV, true)], ...keysOf(prefix, ENV_KEYS, (name) => refused(EXEC_ENV, true, name === 'pristine' ? is(false) : isEmptyList))];
}

export const CONSUL_TEMPLATE_KEYS: ReadonlyMap<string, KeyRule> = new Map<string, KeyRule>([
  ['block_query_wait', mapped('consul.block_query_wait')],
  ['consul', block('consul')],
  ['consul.address', mapped('consul.address')],
  ['consul.namespace', refused('ctmpl sends no Consul namespace (an Enterprise feature): remove it to read the default namespace, or use consul-template', true, is('', 'default'))],
  ['consul.token', mapped('consul.token')],
  ['consul.token_file', mapped('consul.token_file')],
  ['consul.auth', block('consul.auth')],
  ...keysOf('consul.auth', ['enabled', 'username', 'password'], (name) => mapped(`consul.auth.${name}`)),
  ['consul.retry', block('consul.retry')],
  ...keysOf('consul.retry', RETRY_KEYS, (name) => mapped(`consul.retry.${name}`)),
  ['consul.ssl', block('consul.ssl')],
  ...keysOf('consul.ssl', SSL_KEYS, (name): KeyRule => (name === 'ca_cert_bytes' ? refused('write the PEM certificate to a file and give its path as consul.ssl.ca_cert', true, is('')) : mapped(`consul.ssl.${name}`))),
  ['consul.transport', refused(TRANSPORT, false)],
  ...keysOf('consul.transport', TRANSPORT_KEYS, () => refused(TRANSPORT, false)),
  ['deduplicate', block('dedup')],
  ...keysOf('deduplicate', ['enabled', 'prefix', 'ttl'], (name) => mapped(`dedup.${name}`)),
  ['deduplicate.max_stale', refused("ctmpl's dedup mode has no max_stale of its own; remove it", false)],
  ['deduplicate.block_query_wait', refused("ctmpl's dedup mode has no block_query_wait of its own; remove it", false)],
  ['default_delimiters', block()],
  ['default_delimiters.left', refused(DELIMITERS, true, is('', '{{'))],
  ['default_delimiters.right', refused(DELIMITERS, true, is('', '}}'))],
  ['err_on_failed_lookup', refused('ctmpl has no such switch: a template renders only once every dependency has data; remove it', true, is(false))],
  ['exec', block('exec')],
  ...keysOf('exec', ['command', 'reload_signal', 'kill_timeout', 'splay'], (name) => mapped(`exec.${name}`, name === 'command' ? { warn: commaWarning } : {})),
  ['exec.enabled', refused('ctmpl runs exec mode whenever exec.command is set; remove exec { } to turn it off', true, is(true))],
  ['exec.kill_signal', mapped('exec.kill_signal')],
  ['exec.timeout', refused('ctmpl does not limit how long the exec child runs; remove it', true, isZeroDuration)],
  ...envKeys('exec.env'),
  ['kill_signal', mapped('kill_signal')],
  ['log_file', refused(LOG_FILE, false)],
  ...keysOf('log_file', ['path', 'log_rotate_bytes', 'log_rotate_duration', 'log_rotate_max_files'], () => refused(LOG_FILE, false)),
  ['log_level', mapped('log_level', { convert: logLevel })],
  ['max_stale', mapped('consul.max_stale')],
  // nomad { retry { } } exists in 0.42 but cannot be read from a file (missing from its flattenKeys list).
  ...refusedClient('nomad', ['address', 'enabled', 'namespace', 'token', 'auth_username', 'auth_password'], { ssl: SSL_KEYS, transport: TRANSPORT_KEYS }, NO_NOMAD),
  ['once', refused('pass --once on the command line', true, is(false))],
  ['parseonly', refused('run `ctmpl validate` to check a config without rendering', true, is(false))],
  ['pid_file', mapped('pid_file')],
  ['reload_signal', mapped('reload_signal')],
  ['syslog', refused(SYSLOG, false)],
  ...keysOf('syslog', ['enabled', 'facility', 'name'], (name) => refused(SYSLOG, false, name === 'enabled' ? is(false) : undefined)),
  ['template', block('templates', { list: true })],
  ...keysOf('template[]', ['backup', 'contents', 'create_dest_dirs', 'destination', 'error_on_missing_key', 'source', 'sandbox_path', 'user', 'group'], (name) => mapped(`templates[].${name}`)),
  ...keysOf('template[]', ['left_delimiter', 'right_delimiter'], (name) => mapped(`templates[].${name}`)),
  ['template[].command', mapped('templates[].command', { yieldsTo: 'template[].exec.command', warn: commaWarning })],
  ['template[].command_timeout', mapped('templates[].command_timeout', { yieldsTo: 'template[].exec.timeout' })],
  ['template[].error_fatal', refused(ERROR_FATAL, false, is(false))],
  ['template[].exec', block()],
  ['template[].exec.command', mapped('templates[].command', { warn: commaWarning })],
  ['template[].exec.timeout', mapped('templates[].command_timeout')],
  ['template[].exec.enabled', refused('a template runs its command whenever one is set; remove exec { } to run none', true, is(true))],
  ...keysOf('template[].exec', ['kill_signal', 'kill_timeout', 'reload_signal'], () => refused(TEMPLATE_COMMAND_SIGNALS, false)),
  ['template[].exec.splay', refused('ctmpl has one splay for all commands: set splay at the top level instead', false, isZeroDuration)],
  ...envKeys('template[].exec.env'),
  ...keysOf('template[]', ['function_denylist', 'function_blacklist'], () => refused(DENYLIST, true, isEmptyList)),
  ['template[].perms', mapped('templates[].perms', { warn: decimalPermsWarning })],
  ['template[].uid', mapped('templates[].user', { yieldsTo: 'template[].user' })],
  ['template[].gid', mapped('templates[].group', { yieldsTo: 'template[].group' })],
  ['template[].wait', block('templates[].wait', { value: true })],
  ...keysOf('template[].wait', ['min', 'max'], (name) => mapped(`templates[].wait.${name}`)),
  ['template[].wait.bool', refused('write wait = "0" to turn waiting off', true, is(true))],
  ['template_error_fatal', refused(ERROR_FATAL, false, is(false))],
  ...refusedClient('vault', VAULT_KEYS, { ssl: SSL_KEYS, retry: RETRY_KEYS, transport: TRANSPORT_KEYS }, NO_VAULT),
  ['wait', block('wait', { value: true })],
  ...keysOf('wait', ['min', 'max'], (name) => mapped(`wait.${name}`)),
  ['wait.bool', refused('write wait = "0" to turn waiting off', true, is(true))],
]);

/** Keys written outside the block consul-template reads them in (versions before 0.20 had them at the top). */
const MISPLACED: ReadonlyMap<string, string> = new Map([
  ['auth', 'consul-template reads auth { } inside consul { }: move it there'],
  ['ssl', 'consul-template reads ssl { } inside consul { }: move it there'],
  ['token', 'the Consul token goes inside consul { }: consul { token = "…" }'],
  ['address', 'the Consul address goes inside consul { }: consul { address = "…" }'],
]);

/** consul-template's block for a ctmpl block path ('' and '' for the top level). */
function consulTemplateBlockOf(ctmplBlock: string): string | undefined {
  if (ctmplBlock === '') return '';
  for (const [key, rule] of CONSUL_TEMPLATE_KEYS) {
    if (rule.kind === 'block' && rule.to !== undefined && `${rule.to}${rule.list ? '[]' : ''}` === ctmplBlock) return rule.list ? `${key}[]` : key;
  }
  return undefined;
}

const dotted = (parent: string, key: string): string => (parent === '' ? key : `${parent}.${key}`);
const display = (path: string, rule: KeyRule | undefined): string => (rule?.kind === 'block' || (rule?.kind === 'refused' && hasChildren(path)) ? `${path} { }` : path);
const hasChildren = (path: string): boolean => [...CONSUL_TEMPLATE_KEYS.keys()].some((key) => key.startsWith(`${path}.`));

/** What to tell someone who wrote consul-template's `key` inside the ctmpl block `parent`. */
function consulTemplateHint(ctParent: string, key: string, ctmplPath: string): string | undefined {
  const path = dotted(ctParent, key);
  const rule = CONSUL_TEMPLATE_KEYS.get(path);
  if (rule?.kind === 'refused') return rule.reason;
  if (rule?.kind === 'mapped' && rule.to !== ctmplPath) return `consul-template's ${path} is ${rule.to} in ctmpl`;
  if (rule?.kind === 'block' && rule.to === undefined) {
    const targets = [...CONSUL_TEMPLATE_KEYS].flatMap(([k, r]) => (k.startsWith(`${path}.`) && r.kind === 'mapped' ? [r.to.slice(r.to.lastIndexOf('.') + 1)] : []));
    return `ctmpl has no ${display(path, rule)}${targets.length ? `; use ${[...new Set(targets)].join(', ')}` : ''}`;
  }
  if (rule?.kind === 'block' && rule.to !== undefined && rule.to !== ctmplPath) return `consul-template's ${display(path, rule)} is ${rule.to} in ctmpl`;
  return ctParent === '' ? MISPLACED.get(key) : undefined;
}

/**
 * For a key ctmpl's schema rejects (path in ctmpl's names, e.g. ['templates', 0, 'destinaton']):
 * why consul-template's key of that name is not read, under which name ctmpl reads it, or the
 * nearest known key for a typo (`did you mean "destination"?`). Undefined when nothing helps.
 */
export function unknownKeyHint(keyPath: readonly PropertyKey[]): string | undefined {
  const segments = keyPath.map((part) => (typeof part === 'number' || /^\d+$/.test(String(part)) ? '[]' : String(part)));
  const key = segments.pop();
  if (key === undefined || key === '[]') return undefined;
  const parent = segments.join('.').replace(/\.\[\]/g, '[]');
  const ctParent = consulTemplateBlockOf(parent);
  const direct = ctParent === undefined ? undefined : consulTemplateHint(ctParent, key, dotted(parent, key));
  if (direct) return direct;
  const ctmplKeys = ctmplKeysAt(parent);
  const ctKeys = ctParent === undefined ? [] : consulTemplateKeysIn(ctParent);
  const nearest = nearestName(key, [...ctmplKeys, ...ctKeys]);
  if (nearest === undefined || nearest === key) return undefined;
  const more = ctmplKeys.includes(nearest) || ctParent === undefined ? undefined : consulTemplateHint(ctParent, nearest, dotted(parent, nearest));
  return `did you mean "${nearest}"?${more ? ` (${more})` : ''}`;
}

/** Names of consul-template's keys directly inside a block ('' for the top level). */
export function consulTemplateKeysIn(ctBlock: string): string[] {
  const depth = splitPath(ctBlock).length + 1;
  const prefix = ctBlock === '' ? '' : `${ctBlock}.`;
  return [...CONSUL_TEMPLATE_KEYS.keys()].flatMap((key) => (key.startsWith(prefix) && splitPath(key).length === depth ? [splitPath(key)[depth - 1] as string] : []));
}

/** The known name closest to `name`, when close enough to be a typo (case differences count as none). */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const limit = name.length <= 3 ? 1 : name.length <= 6 ? 2 : 3;
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}
