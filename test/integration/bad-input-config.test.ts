/**
 * Bad input is refused before anything runs: every config key (see bad-input-flags.test.ts for
 * the whole picture).
 *
 * 1. Every CLI flag and every config key (src/cli.ts, src/config/schema.ts, nested keys included)
 *    with a value of the wrong type, an empty value, a value outside its enumeration or range,
 *    and every object of the config file with an unknown key: exit 2, a message naming the flag
 *    or the key (for config keys also file:line:col, the line being the key's), and no destination
 *    written. The cases are generated from the tables below, and two tests check that the tables
 *    cover every flag commander knows and every key the schema has, so none is missed.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { configFileSchema } from '../../src/config/schema.js';
import { NO_CONSUL_ENV, runCtmpl } from '../support/ctmpl.js';
import { escapeRegExp, mentions, RUN_LIMIT_MS, workspace, type Context, type Workspace } from '../support/bad-input.js';

// =============================================================================================
// 1b. Every config key
// =============================================================================================

/** A key path as the table writes it: `templates[].wait`, `consul.ssl.ca_cert`, `services.*.max_removal`. */
interface KeyRow {
  readonly key: string;
  /** A value of the wrong YAML/JSON type. */
  readonly wrongType: unknown;
  /** The empty value of the key's type ("" for strings, [""] for lists of strings); absent for booleans and maps. */
  readonly empty?: unknown;
  /** Right type, but not a valid value (outside an enumeration, a range, a duration's syntax…). */
  readonly invalid?: readonly unknown[];
  readonly context?: Context;
}

const DURATION = { wrongType: [1], empty: '', invalid: ['abc', -1] } as const;

const KEYS: readonly KeyRow[] = [
  { key: 'sources', wrongType: 42, empty: [], invalid: [['bogus:x'], ['file:'], { 'two words': 'file:catalog.json' }] },
  { key: 'templates', wrongType: 't.hbs', empty: [] },
  { key: 'templates[].source', wrongType: 5, empty: '', invalid: ['missing.hbs'] },
  { key: 'templates[].destination', wrongType: 5, empty: '' },
  { key: 'templates[].contents', wrongType: 5, empty: '', invalid: ['{{#each x}}unclosed'] },
  { key: 'templates[].command', wrongType: 5, empty: '', invalid: [[]] },
  { key: 'templates[].command_timeout', ...DURATION, invalid: ['abc', 0, -1] },
  { key: 'templates[].wait', wrongType: [1], empty: '', invalid: ['abc', '5s:1s', -1] },
  // The `{ min, max }` form; a bad duration in it is named at `wait`, so only the schema's cases are here.
  { key: 'templates[].wait.min', wrongType: [1], empty: '' },
  { key: 'templates[].wait.max', wrongType: [1], empty: '' },
  { key: 'templates[].error_on_missing_key', wrongType: 'yes' },
  { key: 'templates[].create_dest_dirs', wrongType: 'yes', invalid: [false] },
  { key: 'templates[].left_delimiter', wrongType: 5, invalid: ['[['] },
  { key: 'templates[].right_delimiter', wrongType: 5, invalid: [']]'] },
  // haproxy's durations are checked together and named at `haproxy`: only the schema's cases here.
  { key: 'templates[].haproxy', wrongType: 'admin.sock' },
  { key: 'templates[].haproxy.socket', wrongType: 5, empty: '' },
  { key: 'templates[].haproxy.timeout', wrongType: [1], empty: '' },
  { key: 'templates[].haproxy.budget', wrongType: [1], empty: '' },
  { key: 'templates[].haproxy.drain_wait', wrongType: [1], empty: '' },
  { key: 'templates[].haproxy.reconcile_every', wrongType: [1], empty: '' },
  { key: 'templates[].perms', wrongType: true, empty: '', invalid: ['999', 4096, 'rw-r--r--'] },
  { key: 'templates[].backup', wrongType: 'yes' },
  { key: 'templates[].sandbox_path', wrongType: 5, empty: '', invalid: ['no-such-dir'] },
  { key: 'templates[].check', wrongType: 5, empty: '' },
  { key: 'templates[].write_mode', wrongType: 5, empty: '', invalid: ['fast'] },
  { key: 'templates[].user', wrongType: true, empty: '', invalid: ['no-such-user-ctmpl', -1] },
  { key: 'templates[].group', wrongType: true, empty: '', invalid: ['no-such-group-ctmpl', -1] },
  { key: 'command', wrongType: 5, empty: '', invalid: [[]] },
  { key: 'command_timeout', ...DURATION, invalid: ['abc', 0, -1] },
  { key: 'wait', wrongType: [1], empty: '', invalid: ['abc', '5s:1s', {}] },
  { key: 'wait.min', wrongType: [1], empty: '' },
  { key: 'wait.max', wrongType: [1], empty: '' },
  { key: 'log_level', wrongType: 5, empty: '', invalid: ['verbose'] },
  { key: 'log_format', wrongType: 5, empty: '', invalid: ['xml'] },
  { key: 'relaxed_validation', wrongType: 'file', empty: [''], invalid: [['no-such-source']] },
  { key: 'env_allow', wrongType: 'REGION', empty: [''] },
  { key: 'error_on_missing_key', wrongType: 'yes' },
  { key: 'partials', wrongType: 5, empty: '', invalid: ['no-such-dir'] },
  { key: 'listen', wrongType: 9123, empty: '', invalid: ['abc', '127.0.0.1:99999'] },
  { key: 'health_failing_after', ...DURATION },
  { key: 'health_grace', ...DURATION },
  { key: 'reload_retry', wrongType: [1], empty: '', invalid: ['abc', '5s:1s', 0] },
  { key: 'probes', wrongType: 'web' },
  { key: 'probe_concurrency', wrongType: 'many' },
  { key: 'pid_file', wrongType: 5, empty: '' },
  { key: 'kill_signal', wrongType: 5, empty: '', invalid: ['SIGFOO', 'SIGKILL', 'SIGUSR1', 'SIGHUP'] },
  { key: 'reload_signal', wrongType: 5, empty: '', invalid: ['SIGFOO', 'SIGTERM', 'SIGUSR1', 'none'] },
  { key: 'sandbox_path', wrongType: 5, empty: '', invalid: ['no-such-dir'] },
  { key: 'consul', wrongType: '127.0.0.1:8500' },
  { key: 'consul.address', wrongType: 8500, empty: '', invalid: ['ftp://127.0.0.1:8500', 'a:b:c'], context: 'consul' },
  { key: 'consul.token', wrongType: 5, empty: '', context: 'consul' },
  { key: 'consul.auth', wrongType: 'ct:pw', context: 'consul' },
  { key: 'consul.auth.enabled', wrongType: 'yes', context: 'consul' },
  { key: 'consul.auth.username', wrongType: 5, empty: '', context: 'consul' },
  { key: 'consul.auth.password', wrongType: 5, context: 'consul' },
  { key: 'consul.retry', wrongType: 12, context: 'consul' },
  { key: 'consul.retry.enabled', wrongType: 'yes', context: 'consul' },
  { key: 'consul.retry.attempts', wrongType: 'twelve', invalid: [-1, 1.5], context: 'consul' },
  { key: 'consul.retry.backoff', ...DURATION, invalid: ['abc', 0, -1], context: 'consul' },
  { key: 'consul.retry.max_backoff', ...DURATION, invalid: ['abc', 0, -1], context: 'consul' },
  { key: 'consul.token_file', wrongType: 5, empty: '', invalid: ['no-such-file', 'empty-token'], context: 'consul' },
  { key: 'consul.ssl', wrongType: 'yes', context: 'consul' },
  { key: 'consul.ssl.enabled', wrongType: 'yes', context: 'consul' },
  { key: 'consul.ssl.verify', wrongType: 'no', context: 'consul' },
  { key: 'consul.ssl.ca_cert', wrongType: 5, empty: '', invalid: ['no-such-file.pem'], context: 'consul-tls' },
  { key: 'consul.ssl.ca_path', wrongType: 5, empty: '', invalid: ['no-such-dir'], context: 'consul-tls' },
  { key: 'consul.ssl.cert', wrongType: 5, empty: '', invalid: ['no-such-file.pem'], context: 'consul-tls' },
  { key: 'consul.ssl.key', wrongType: 5, empty: '', invalid: ['no-such-file.pem'], context: 'consul-tls' },
  { key: 'consul.ssl.server_name', wrongType: 5, empty: '', context: 'consul-tls' },
  { key: 'consul.max_stale', ...DURATION, context: 'consul' },
  { key: 'consul.block_query_wait', ...DURATION, context: 'consul' },
  { key: 'consul.consistent', wrongType: 'yes', context: 'consul' },
  { key: 'consul.cached', wrongType: 'yes', context: 'consul' },
  { key: 'consul.min_interval', ...DURATION, context: 'consul' },
  { key: 'check', wrongType: 5, empty: '' },
  { key: 'write_mode', wrongType: 5, empty: '', invalid: ['fast'] },
  { key: 'min_reload_interval', ...DURATION },
  { key: 'exec', wrongType: 'sleep 30', context: 'exec' },
  { key: 'exec.command', wrongType: 5, empty: '', invalid: [[]], context: 'exec' },
  { key: 'exec.kill_signal', wrongType: 5, empty: '', invalid: ['SIGFOO', 'SIGKILL', 'none'], context: 'exec' },
  { key: 'exec.reload_signal', wrongType: 5, empty: '', invalid: ['SIGFOO'], context: 'exec' },
  { key: 'exec.kill_timeout', ...DURATION, context: 'exec' },
  { key: 'exec.splay', ...DURATION, context: 'exec' },
  { key: 'exec.restart_backoff_max', ...DURATION, context: 'exec' },
  { key: 'dedup', wrongType: true, context: 'consul' },
  { key: 'dedup.enabled', wrongType: 'yes', context: 'consul' },
  { key: 'dedup.prefix', wrongType: 5, empty: '', context: 'dedup' },
  { key: 'dedup.ttl', ...DURATION, invalid: ['abc', -1, '5s'], context: 'dedup' },
  { key: 'dedup.lock_delay', ...DURATION, context: 'dedup' },
  { key: 'flap', wrongType: 5, empty: '', invalid: ['abc', '0/30s', '5/0s'] },
  { key: 'flap_wait', ...DURATION },
  { key: 'max_removal', wrongType: true, empty: '', invalid: [150, 'abc', '150%'] },
  { key: 'hold_max', ...DURATION },
  { key: 'splay', ...DURATION },
  { key: 'allow', wrongType: ['10.0.0.0/8'] },
  { key: 'allow.cidrs', wrongType: '10.0.0.0/8', empty: [''], invalid: [['10.0.0.0/99']] },
  { key: 'allow.tags', wrongType: 'v1', empty: [''] },
  { key: 'allow.dcs', wrongType: 'dc1', empty: [''] },
  { key: 'services', wrongType: ['web'] },
  { key: 'services.*.max_removal', wrongType: true, empty: '', invalid: [150, 'abc'] },
  { key: 'services.*.allow_empty', wrongType: 'yes' },
];

/** Objects of the config file that take keys: each gets an unknown key. */
const OBJECTS: readonly { readonly key: string; readonly context?: Context }[] = [
  { key: '' },
  { key: 'templates[]' },
  { key: 'templates[].wait' },
  { key: 'templates[].haproxy' },
  { key: 'wait' },
  { key: 'consul.auth', context: 'consul' },
  { key: 'consul.retry', context: 'consul' },
  { key: 'consul', context: 'consul' },
  { key: 'consul.ssl', context: 'consul' },
  { key: 'exec', context: 'exec' },
  { key: 'dedup', context: 'dedup' },
  { key: 'allow' },
  { key: 'services.*' },
];

/** The table's key notation as a concrete path: `[]` → element 0, `*` → service "web". */
function concrete(key: string): (string | number)[] {
  return key === '' ? [] : key.split('.').flatMap((part) => (part.endsWith('[]') ? [part.slice(0, -2), 0] : [part === '*' ? 'web' : part]));
}

/** How a message may name a path: `templates.0.wait` or `templates[0].wait`. */
function keyNames(path: readonly (string | number)[]): string[] {
  const dotted = path.map(String).join('.');
  const bracketed = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${p}`)).join('');
  return [...new Set([dotted, bracketed])];
}

interface ZodLike {
  readonly _zod: { readonly def: Readonly<Record<string, unknown>> & { readonly type: string } };
}

/** Every key path of a zod schema in the table's notation (objects, arrays, records, unions, optionals, pipes). */
function schemaKeys(schema: ZodLike, prefix = ''): string[] {
  const def = schema._zod.def;
  const child = (name: string): ZodLike => def[name] as ZodLike;
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'nullable':
      return schemaKeys(child('innerType'), prefix);
    case 'pipe':
      return schemaKeys(child('in'), prefix);
    case 'array':
      return schemaKeys(child('element'), `${prefix}[]`);
    case 'record':
      return schemaKeys(child('valueType'), `${prefix}.*`);
    case 'union':
      return [...new Set((def.options as ZodLike[]).flatMap((o) => schemaKeys(o, prefix)))];
    case 'object': {
      const shape = def.shape as Record<string, ZodLike>;
      return Object.entries(shape).flatMap(([name, value]) => {
        const key = prefix === '' ? name : `${prefix}.${name}`;
        return [key, ...schemaKeys(value, key)];
      });
    }
    default:
      return [];
  }
}

const SENTINEL = '__ctmpl_bad_value__';

function baseConfig(context: Context, ws: Workspace): Record<string, unknown> {
  const config: Record<string, unknown> = { sources: ['file:catalog.json'], templates: [{ source: 't.hbs', destination: 'out/dest.txt' }] };
  if (context === 'consul' || context === 'consul-tls' || context === 'dedup') {
    config.sources = ['consul:'];
    config.consul = { address: `${context === 'consul-tls' ? 'https://' : ''}127.0.0.1:${ws.closedPort}` };
  }
  if (context === 'dedup') config.dedup = { enabled: true };
  if (context === 'exec') config.exec = { command: 'sleep 30' };
  return config;
}

/** Sets `value` at `path`, creating maps on the way (arrays exist in the base config). */
function setAt(root: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let node: Record<string | number, unknown> = root;
  path.forEach((part, i) => {
    if (i === path.length - 1) {
      node[part] = value;
      return;
    }
    const next = node[part];
    if (next === null || typeof next !== 'object') node[part] = {};
    node = node[part] as Record<string | number, unknown>;
  });
}

/**
 * The config file's JSON text with `value` at `path`, and the line the value is on (the line an
 * error about it must name).
 */
function configWith(base: Record<string, unknown>, path: readonly (string | number)[], value: unknown): { text: string; line: number } {
  setAt(base, path, SENTINEL);
  const pretty = JSON.stringify(base, null, 2);
  const line = pretty.split('\n').findIndex((l) => l.includes(`"${SENTINEL}"`)) + 1;
  return { text: `${pretty.replace(`"${SENTINEL}"`, JSON.stringify(value))}\n`, line };
}

interface KeyCase {
  readonly name: string;
  readonly path: readonly (string | number)[];
  readonly value: unknown;
  readonly context: Context;
  /** Any of these in the message names the key. */
  readonly named: readonly string[];
}

function keyCases(): KeyCase[] {
  const cases: KeyCase[] = [];
  for (const row of KEYS) {
    const path = concrete(row.key);
    const base = { path, context: row.context ?? 'file', named: keyNames(path) };
    cases.push({ ...base, name: `${row.key}: ${JSON.stringify(row.wrongType)} (wrong type)`, value: row.wrongType });
    if ('empty' in row) cases.push({ ...base, name: `${row.key}: ${JSON.stringify(row.empty)} (empty)`, value: row.empty });
    for (const value of row.invalid ?? []) cases.push({ ...base, name: `${row.key}: ${JSON.stringify(value)} (invalid)`, value });
  }
  for (const object of OBJECTS) {
    const path = [...concrete(object.key), 'bogus_key'];
    cases.push({ name: `${object.key || 'top level'}: an unknown key "bogus_key"`, path, value: 1, context: object.context ?? 'file', named: ['bogus_key'] });
  }
  return cases;
}

describe('bad config keys: exit 2, the key named at file:line:col, nothing written', () => {
  test('the table covers every key of the config file (src/config/schema.ts), nested ones included', () => {
    const keys = schemaKeys(configFileSchema as unknown as ZodLike);
    expect(KEYS.map((r) => r.key).sort()).toEqual([...keys].sort());
    const objects = new Set(keys.map((k) => (k.includes('.') ? k.slice(0, k.lastIndexOf('.')) : '')));
    expect([...objects].sort(), 'every object gets an unknown key').toEqual(OBJECTS.map((o) => o.key).sort());
  });

  for (const c of keyCases()) test.concurrent(c.name, async ({ expect, onTestFinished }) => {
    const ws = await workspace({ onTestFinished });
    const configPath = join(ws.dir, 'ctmpl.json');
    const { text, line } = configWith(baseConfig(c.context, ws), c.path, c.value);
    await writeFile(configPath, text);
    const run = await runCtmpl(['--config', configPath, ...(c.context === 'exec' ? [] : ['--once'])], { cwd: ws.dir, env: NO_CONSUL_ENV, timeoutMs: RUN_LIMIT_MS });
    const context = `\n--- ${configPath} ---\n${text}--- stderr ---\n${run.stderr}`;
    expect.soft(run.timedOut, `ctmpl accepted the value and kept running${context}`).toBe(false);
    expect.soft(run.exitCode, `exit code${context}`).toBe(2);
    expect.soft(run.stderr, `file:line:col of the key (line ${line})${context}`).toMatch(new RegExp(`${escapeRegExp(configPath)}:${line}:\\d+`));
    expect.soft(
      c.named.some((n) => mentions(run.stderr, n)),
      `the key named as ${c.named.join(' or ')}${context}`,
    ).toBe(true);
    expect.soft(existsSync(ws.destination), `${ws.destination} must not be written`).toBe(false);
  });
});
