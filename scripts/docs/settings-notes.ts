import { DEFAULTS } from '../../src/config/defaults.js';
import { DEFAULT_PROBE_CONCURRENCY } from '../../src/feed/probes/index.js';
import { duration } from './markdown.js';

/**
 * What the config schema cannot say about a key yet: a description for keys no flag describes,
 * defaults the code does not hold as a value, a better name for a type. A description given in
 * the schema itself (`.describe()`) wins over these; the reference test fails when a key has no
 * description at all, or when a note names a key the schema no longer has.
 */
export interface KeyNote {
  readonly description?: string;
  readonly default?: string;
  /** A better name for the type than the schema's shape gives. */
  readonly type?: string;
}

export const KEY_NOTES: Readonly<Record<string, KeyNote>> = {
  sources: {
    description: 'the catalogs to read: a list of URIs, or a map name → URI; sources given with --source are added ([registries](../registries/index.md))',
    default: 'Consul at CONSUL_HTTP_ADDR, else 127.0.0.1:8500 (`consul:`)',
  },
  consul: { description: "the Consul connection every Consul source shares, with consul-template's key names; flags win over it, and it wins over the CONSUL_HTTP_* environment" },
  'consul.ssl': { description: 'HTTPS to Consul, and the certificates' },
  templates: { description: 'the templates to render; templates given with -t are added' },
  'templates[].source': { description: 'the Handlebars template file' },
  'templates[].destination': { description: 'the file to write' },
  'templates[].command': { description: 'command run once per batch in which this destination changed (before the global command)' },
  'templates[].wait': { description: 'quiescence for this template (min[:max]), instead of the global wait', default: 'the global `wait`' },
  'templates[].perms': { description: 'mode of the written file, in octal ("0640")', default: "an existing file's mode, else 0644" },
  'templates[].backup': { description: 'keep the previous content as DEST.bak', default: 'false' },
  'templates[].sandbox_path': { description: 'directory the `file` helper may read for this template', default: "the global `sandbox_path`, else the template's directory" },
  'templates[].check': { description: 'command run on the staged file ({{staged}} is its path) before it replaces the destination', default: 'the global `check`' },
  'templates[].write_mode': { description: 'atomic (rename) or in_place (truncate and write: bind-mounted files)', default: 'the global `write_mode`' },
  'templates[].user': { description: 'owner of the written file, a name or an id (changing it needs root)', default: "an existing file's owner" },
  'templates[].group': { description: 'group of the written file, a name or an id', default: "an existing file's group" },
  write_mode: { default: 'atomic' },
  probes: {
    description: 'health probes from this host, by service name ("*": every service without its own entry; false: not probed); the entry\'s keys: [probes.md](../probes.md)',
    default: 'off',
    type: 'map of service name → probe entry or false',
  },
  max_removal: { type: 'percentage or "off"' },
  flap: { type: 'N/window or "off"' },
  probe_concurrency: { type: 'integer (1–4096)' },
  allow: { description: 'allowlist: only instances that match every list given reach templates; the --allow-* flags add to these lists' },
  services: { description: 'guard settings of single services, by service name' },
  'services.*.max_removal': { description: 'removal guard for this service: a percentage, or off', default: 'the global `max_removal`' },
  'services.*.allow_empty': { description: 'let this service render with no instance (the empty guard off for it)', default: 'false' },
  exec: { description: 'exec mode: supervise one child process and signal it on change (docker sidecar)' },
  'exec.restart_backoff_max': {
    description: 'longest wait before restarting a child that exited on its own (the wait starts at 1s and doubles)',
  },
  dedup: { description: 'dedup mode (Consul): instances with the same templates elect one leader that watches and publishes for all' },
  'dedup.enabled': { default: 'false' },
  listen: { default: 'off' },
};

/**
 * Defaults the code holds in src/config/defaults.ts, by config key. They win over the defaults the
 * flags' help texts state, and the reference test checks that the two agree.
 */
export const CODE_DEFAULTS: Readonly<Record<string, string>> = {
  wait: `${duration(DEFAULTS.wait.minMs)}:${duration(DEFAULTS.wait.maxMs)}`,
  command_timeout: duration(DEFAULTS.commandTimeoutMs),
  min_reload_interval: duration(DEFAULTS.minReloadIntervalMs),
  splay: duration(DEFAULTS.splayMs),
  max_removal: `${DEFAULTS.maxRemovalPct}%`,
  hold_max: duration(DEFAULTS.holdMaxMs),
  flap: DEFAULTS.flap,
  health_failing_after: duration(DEFAULTS.healthFailingAfterMs),
  log_level: DEFAULTS.logLevel,
  'exec.reload_signal': DEFAULTS.exec.reloadSignal,
  'exec.kill_timeout': duration(DEFAULTS.exec.killTimeoutMs),
  'exec.splay': duration(DEFAULTS.exec.splayMs),
  'dedup.prefix': DEFAULTS.dedup.prefix,
  'dedup.ttl': `${DEFAULTS.dedup.sessionTtlSeconds}s`,
  'dedup.lock_delay': `${DEFAULTS.dedup.lockDelaySeconds}s`,
  'exec.restart_backoff_max': duration(DEFAULTS.exec.restartBackoffMaxMs),
  probe_concurrency: String(DEFAULT_PROBE_CONCURRENCY),
};
