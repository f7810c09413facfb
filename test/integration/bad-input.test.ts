/**
 * Bad input is refused before anything runs, and secrets never show.
 *
 * 1. Every CLI flag and every config key (src/cli.ts, src/config/schema.ts, nested keys included)
 *    with a value of the wrong type, an empty value, a value outside its enumeration or range,
 *    and every object of the config file with an unknown key: exit 2, a message naming the flag
 *    or the key (for config keys also file:line:col, the line being the key's), and no destination
 *    written. The cases are generated from the tables below, and two tests check that the tables
 *    cover every flag commander knows and every key the schema has, so none is missed.
 * 2. Hostile templates: `file` outside the sandbox or through a symlink is refused (render error,
 *    the last good file stays, exit 1 with --once); prototype access renders nothing harmful; an
 *    unknown helper is refused at load (exit 2, file:line:col).
 * 3. Credentials (CONSUL_HTTP_TOKEN, --consul-token, a token file, CONSUL_HTTP_TOKEN_FILE, the
 *    config file's consul.token, CONSUL_HTTP_AUTH) never appear in stdout, stderr (json and pretty
 *    logs at trace level), `--dry` output, /metrics, /status or error messages, against a Consul
 *    answering 403 and 500 and against an unreachable address; the `env` helper withholds them.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test, type ExpectStatic, type TestContext } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { configFileSchema } from '../../src/config/schema.js';
import { LEVEL, NO_CONSUL_ENV, runCtmpl, startCtmpl, type Daemon, type RunResult } from '../support/ctmpl.js';
import { HEALTH, startFakeConsul, type FakeConsul } from '../support/fake-consul.js';
import { freePort } from '../support/ports.js';

/** A ctmpl that accepts a bad value and keeps running is killed after this (and the case fails). */
const RUN_LIMIT_MS = 10_000;
const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `name` as a whole token of `text` (not as part of a longer key or flag; `sources[0]` names `sources`). */
function mentions(text: string, name: string): boolean {
  return new RegExp(`(?<![A-Za-z0-9_.\\[\\]-])${escapeRegExp(name)}(?![A-Za-z0-9_-])`).test(text);
}

const TEMPLATE = '{{#each (service "web")}}server {{Address}}:{{Port}};\n{{/each}}';
const CATALOG = JSON.stringify({ services: { web: [{ id: 'web-1', address: '10.0.0.1', port: 8080 }] } });

/**
 * Where a setting applies: a static catalog and --once (file); Consul at an address where nothing
 * listens, plain or TLS (consul, consul-tls: a bad value accepted would make ctmpl wait forever,
 * so the run limit shows it); Consul with dedup on (dedup); exec mode without --once (exec).
 */
type Context = 'file' | 'consul' | 'consul-tls' | 'dedup' | 'exec';

interface Workspace {
  readonly dir: string;
  readonly template: string;
  readonly catalog: string;
  /** The destination that must never be written. */
  readonly destination: string;
  /** A port on 127.0.0.1 where nothing listens. */
  readonly closedPort: number;
}

/**
 * A scratch directory removed when `test` ends. Its cleanup is bound to the test's own context:
 * the table cases run concurrently, and a cleanup registered through the global onTestFinished
 * (test/support/tmp.ts) would go to whichever test happens to be current.
 */
async function workspace(test: Pick<TestContext, 'onTestFinished'>): Promise<Workspace> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'ctmpl-bad-input-')));
  test.onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const template = join(dir, 't.hbs');
  const catalog = join(dir, 'catalog.json');
  await writeFile(template, TEMPLATE);
  await writeFile(catalog, CATALOG);
  await writeFile(join(dir, 'empty-token'), '\n');
  return { dir, template, catalog, destination: join(dir, 'out', 'dest.txt'), closedPort: await freePort() };
}

function expectRefused(run: RunResult, ws: Workspace, what: string): void {
  expect(run.timedOut, `${what}: ctmpl accepted the value and kept running\n${run.stdout}${run.stderr}`).toBe(false);
  expect(run.exitCode, `${what}: exit code; stderr:\n${run.stderr}`).toBe(2);
  expect(existsSync(ws.destination), `${what}: ${ws.destination} must not be written`).toBe(false);
}

// =============================================================================================
// 1a. Every CLI flag
// =============================================================================================

interface FlagRow {
  readonly flag: string;
  /** value: one value; switch: no value (a value given to it is the error); enum: one of `choices`. */
  readonly kind: 'value' | 'switch' | 'enum';
  /** Values of the wrong type or out of range ("" is tested for every value flag anyway). */
  readonly invalid?: readonly string[];
  readonly context?: Context;
  /**
   * Words that identify the setting as well as the flag does, for the invalid values (an empty
   * value must name the flag itself).
   */
  readonly alsoNamedBy?: readonly string[];
}

const FLAGS: readonly FlagRow[] = [
  { flag: '--template', kind: 'value', invalid: ['no-destination.hbs', 'missing.hbs:out/other.txt'], alsoNamedBy: ['-t'] },
  { flag: '--command', kind: 'value' },
  { flag: '--source', kind: 'value', invalid: ['bogus:x', 'other=file:', 'other=file:/nonexistent/catalog.json', 'eureka://127.0.0.1:8761', 'two words=file:x'] },
  { flag: '--config', kind: 'value', invalid: ['/nonexistent/ctmpl.yaml'], alsoNamedBy: ['config file'] },
  { flag: '--wait', kind: 'value', invalid: ['abc', '5s:1s', '1s:2s:3s', '-1s'] },
  { flag: '--once', kind: 'switch' },
  { flag: '--dry', kind: 'switch' },
  { flag: '--command-timeout', kind: 'value', invalid: ['abc', '0', '-5s'] },
  { flag: '--sandbox-path', kind: 'value', invalid: ['/nonexistent/snippets'], alsoNamedBy: ['sandbox directory'] },
  { flag: '--log-level', kind: 'enum', invalid: ['verbose', 'INFO'] },
  { flag: '--log-format', kind: 'enum', invalid: ['xml'] },
  { flag: '--listen', kind: 'value', invalid: ['abc', '127.0.0.1:99999', 'a:b:c'] },
  { flag: '--health-failing-after', kind: 'value', invalid: ['abc'] },
  { flag: '--relaxed-validation', kind: 'value', invalid: ['no-such-source'] },
  { flag: '--env-allow', kind: 'value' },
  { flag: '--check', kind: 'value' },
  { flag: '--write-mode', kind: 'enum', invalid: ['fast'] },
  { flag: '--min-reload-interval', kind: 'value', invalid: ['abc'] },
  { flag: '--exec', kind: 'value', context: 'exec' },
  { flag: '--exec-reload-signal', kind: 'value', invalid: ['SIGFOO', 'HUPX'], context: 'exec' },
  { flag: '--exec-kill-timeout', kind: 'value', invalid: ['abc'], context: 'exec' },
  { flag: '--exec-splay', kind: 'value', invalid: ['abc'], context: 'exec' },
  { flag: '--dedup', kind: 'switch', context: 'consul' },
  { flag: '--dedup-prefix', kind: 'value', context: 'dedup' },
  { flag: '--dedup-ttl', kind: 'value', invalid: ['abc', '5s'], context: 'dedup' },
  { flag: '--dedup-lock-delay', kind: 'value', invalid: ['abc'], context: 'dedup' },
  { flag: '--flap', kind: 'value', invalid: ['abc', '0/30s', '5/0s', '5/abc'] },
  { flag: '--flap-wait', kind: 'value', invalid: ['abc'] },
  { flag: '--max-removal', kind: 'value', invalid: ['150', '-5', 'abc', '20%%'] },
  { flag: '--hold-max', kind: 'value', invalid: ['abc'] },
  { flag: '--allow-cidr', kind: 'value', invalid: ['10.0.0.0/99', 'abc'] },
  { flag: '--allow-tag', kind: 'value' },
  { flag: '--allow-dc', kind: 'value' },
  { flag: '--splay', kind: 'value', invalid: ['abc'] },
  { flag: '--consul-addr', kind: 'value', invalid: ['ftp://127.0.0.1:8500', 'a:b:c', 'http://'], context: 'consul', alsoNamedBy: ['Consul address'] },
  { flag: '--consul-token', kind: 'value', context: 'consul' },
  { flag: '--consul-token-file', kind: 'value', invalid: ['/nonexistent/token', 'empty-token'], context: 'consul', alsoNamedBy: ['Consul token file'] },
  { flag: '--consul-ssl', kind: 'switch', context: 'consul' },
  { flag: '--consul-ssl-verify', kind: 'enum', invalid: ['maybe', 'yes'], context: 'consul' },
  { flag: '--consul-ca-cert', kind: 'value', invalid: ['/nonexistent/ca.pem'], context: 'consul-tls', alsoNamedBy: ['Consul CA certificate'] },
  { flag: '--consul-ca-path', kind: 'value', invalid: ['/nonexistent/ca.d'], context: 'consul-tls', alsoNamedBy: ['Consul CA'] },
  { flag: '--consul-client-cert', kind: 'value', invalid: ['/nonexistent/client.pem'], context: 'consul-tls', alsoNamedBy: ['Consul client certificate'] },
  { flag: '--consul-client-key', kind: 'value', invalid: ['/nonexistent/client-key.pem'], context: 'consul-tls', alsoNamedBy: ['Consul client key'] },
  { flag: '--consul-tls-server-name', kind: 'value', context: 'consul-tls' },
  { flag: '--max-stale', kind: 'value', invalid: ['abc'], context: 'consul' },
  { flag: '--consistent', kind: 'switch', context: 'consul' },
  { flag: '--block-query-wait', kind: 'value', invalid: ['abc'], context: 'consul' },
  { flag: '--consul-cached', kind: 'switch', context: 'consul' },
  { flag: '--consul-min-interval', kind: 'value', invalid: ['abc'], context: 'consul' },
  { flag: '--version', kind: 'switch' },
];

interface FlagCase {
  readonly name: string;
  readonly flag: string;
  readonly args: readonly string[];
  readonly context: Context;
  /** Any of these in stderr names the setting. */
  readonly named: readonly string[];
}

function flagCases(): FlagCase[] {
  const cases: FlagCase[] = [];
  for (const row of FLAGS) {
    const context = row.context ?? 'file';
    const base = { flag: row.flag, context };
    if (row.kind === 'switch') {
      cases.push({ ...base, name: `${row.flag}=yes (a value for a switch)`, args: [`${row.flag}=yes`], named: [row.flag] });
      continue;
    }
    cases.push({ ...base, name: `${row.flag} "" (empty)`, args: [row.flag, ''], named: [row.flag] });
    cases.push({ ...base, name: `${row.flag} without its value (last on the line)`, args: [row.flag], named: [row.flag] });
    for (const value of row.invalid ?? []) {
      const what = row.kind === 'enum' ? 'outside the enumeration' : 'invalid';
      cases.push({ ...base, name: `${row.flag} ${JSON.stringify(value)} (${what})`, args: [row.flag, value], named: [row.flag, ...(row.alsoNamedBy ?? [])] });
    }
  }
  // Combinations and unknowns.
  cases.push({ name: '--exec with --once', flag: '--exec', args: ['--exec', 'sleep 30', '--once'], context: 'file', named: ['--exec'] });
  cases.push({ name: 'an unknown flag --no-such-flag', flag: '--no-such-flag', args: ['--no-such-flag'], context: 'file', named: ['--no-such-flag'] });
  cases.push({ name: 'an unknown consul-template spelling -no-such-flag', flag: '-no-such-flag', args: ['-no-such-flag'], context: 'file', named: ['-no-such-flag'] });
  return cases;
}

/** The arguments that make a flag apply, before the case's own (which come last and win). */
function contextArgs(context: Context, ws: Workspace): string[] {
  const template = ['-t', `${ws.template}:${ws.destination}`];
  const closed = `127.0.0.1:${ws.closedPort}`;
  switch (context) {
    case 'file':
      return ['--source', `file:${ws.catalog}`, ...template, '--once'];
    case 'consul':
      return ['--source', 'consul:', '--consul-addr', closed, ...template, '--once'];
    case 'consul-tls':
      return ['--source', 'consul:', '--consul-addr', `https://${closed}`, ...template, '--once'];
    case 'dedup':
      return ['--source', 'consul:', '--consul-addr', closed, ...template, '--once', '--dedup'];
    case 'exec':
      return ['--source', `file:${ws.catalog}`, ...template, '--exec', 'sleep 30'];
  }
}

describe('bad flags: exit 2, the flag named, nothing written', () => {
  test('the table covers every flag ctmpl has (src/cli.ts)', () => {
    const known = buildProgram()
      .options.map((o) => o.long)
      .filter((l): l is string => l !== undefined);
    expect(FLAGS.map((r) => r.flag).sort()).toEqual([...known].sort());
  });

  for (const c of flagCases()) test.concurrent(c.name, async ({ expect, onTestFinished }) => {
    const ws = await workspace({ onTestFinished });
    const run = await runCtmpl([...contextArgs(c.context, ws), ...c.args], { cwd: ws.dir, env: NO_CONSUL_ENV, timeoutMs: RUN_LIMIT_MS });
    expect.soft(run.timedOut, `ctmpl accepted ${c.args.join(' ')} and kept running\n${run.stdout}${run.stderr}`).toBe(false);
    expect.soft(run.exitCode, `exit code; stderr:\n${run.stderr}`).toBe(2);
    expect.soft(
      c.named.some((n) => mentions(run.stderr, n)),
      `stderr names ${c.named.join(' or ')}:\n${run.stderr}`,
    ).toBe(true);
    expect.soft(existsSync(ws.destination), `${ws.destination} must not be written`).toBe(false);
  });
});

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
  { key: 'templates[].command', wrongType: 5, empty: '' },
  { key: 'templates[].wait', ...DURATION, invalid: ['abc', '5s:1s', -1] },
  { key: 'templates[].perms', wrongType: true, empty: '', invalid: ['999', 4096, 'rw-r--r--'] },
  { key: 'templates[].backup', wrongType: 'yes' },
  { key: 'templates[].sandbox_path', wrongType: 5, empty: '', invalid: ['no-such-dir'] },
  { key: 'templates[].check', wrongType: 5, empty: '' },
  { key: 'templates[].write_mode', wrongType: 5, empty: '', invalid: ['fast'] },
  { key: 'templates[].user', wrongType: true, empty: '', invalid: ['no-such-user-ctmpl', -1] },
  { key: 'templates[].group', wrongType: true, empty: '', invalid: ['no-such-group-ctmpl', -1] },
  { key: 'command', wrongType: 5, empty: '' },
  { key: 'command_timeout', ...DURATION, invalid: ['abc', 0, -1] },
  { key: 'wait', wrongType: {}, empty: '', invalid: ['abc', '5s:1s'] },
  { key: 'log_level', wrongType: 5, empty: '', invalid: ['verbose'] },
  { key: 'log_format', wrongType: 5, empty: '', invalid: ['xml'] },
  { key: 'relaxed_validation', wrongType: 'file', empty: [''], invalid: [['no-such-source']] },
  { key: 'env_allow', wrongType: 'REGION', empty: [''] },
  { key: 'listen', wrongType: 9123, empty: '', invalid: ['abc', '127.0.0.1:99999'] },
  { key: 'health_failing_after', ...DURATION },
  { key: 'sandbox_path', wrongType: 5, empty: '', invalid: ['no-such-dir'] },
  { key: 'consul', wrongType: '127.0.0.1:8500' },
  { key: 'consul.address', wrongType: 8500, empty: '', invalid: ['ftp://127.0.0.1:8500', 'a:b:c'], context: 'consul' },
  { key: 'consul.token', wrongType: 5, empty: '', context: 'consul' },
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
  { key: 'exec.command', wrongType: 5, empty: '', context: 'exec' },
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

// =============================================================================================
// 2. Hostile templates
// =============================================================================================

describe('hostile templates', () => {
  const LAST_GOOD = 'the last good content\n';
  const SECRET_TEXT = `TOP-SECRET-${randomUUID()}`;

  /** A template directory (the default sandbox) beside a secret, with a last good destination. */
  async function sandboxed(context: TestContext): Promise<Workspace & { readonly templates: string }> {
    const ws = await workspace(context);
    const templates = join(ws.dir, 'templates');
    await mkdir(join(templates, 'snippets'), { recursive: true });
    await writeFile(join(templates, 'snippets', 'common.conf'), 'common settings\n');
    const secret = join(ws.dir, 'secret.txt');
    await writeFile(secret, `${SECRET_TEXT}\n`);
    await symlink(secret, join(templates, 'link-out'));
    await symlink(ws.dir, join(templates, 'dir-out'));
    await symlink(join(templates, 'snippets', 'common.conf'), join(templates, 'link-in'));
    // A sibling directory whose name starts with the sandbox's: a prefix check would let it in.
    await mkdir(join(ws.dir, 'templates-evil'));
    await writeFile(join(ws.dir, 'templates-evil', 'x.conf'), `${SECRET_TEXT}\n`);
    await mkdir(join(ws.dir, 'out'));
    await writeFile(ws.destination, LAST_GOOD);
    return { ...ws, templates };
  }

  async function renderOnce(ws: Workspace & { templates: string }, text: string, extra: readonly string[] = []): Promise<RunResult> {
    const template = join(ws.templates, 't.hbs');
    await writeFile(template, text);
    return runCtmpl(['--source', `file:${ws.catalog}`, '-t', `${template}:${ws.destination}`, '--once', '--log-format', 'json', ...extra], { cwd: ws.dir, env: NO_CONSUL_ENV });
  }

  test('`file` inside the sandbox (also through a link that stays inside) is read', async (context) => {
    const ws = await sandboxed(context);
    const run = await renderOnce(ws, '{{file "snippets/common.conf"}}{{file "link-in"}}');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await readFile(ws.destination, 'utf8')).toBe('common settings\ncommon settings\n');
  });

  for (const { through, text, extra } of [
    { through: 'a parent directory', text: '{{file "../secret.txt"}}', extra: [] },
    { through: 'a path that walks out through a subdirectory', text: '{{file "snippets/../../secret.txt"}}', extra: [] },
    { through: 'an absolute path outside', text: '{{file "/etc/passwd"}}', extra: [] },
    { through: 'a symlink to a file outside', text: '{{file "link-out"}}', extra: [] },
    { through: 'a symlinked directory leading outside', text: '{{file "dir-out/secret.txt"}}', extra: [] },
    { through: 'a sibling directory whose name has the sandbox’s as a prefix', text: '{{file "../templates-evil/x.conf"}}', extra: [] },
    { through: 'the template’s own directory when --sandbox-path narrows it to snippets/', text: '{{file "../t.hbs"}}', extra: ['--sandbox-path', 'templates/snippets'] },
  ]) test(`\`file\` through ${through} is refused: render error, exit 1, the last good file stays, nothing of it shown`, async (context) => {
    const ws = await sandboxed(context);
    const run = await renderOnce(ws, text, extra);
    expect(run.exitCode, run.stderr).toBe(1);
    expect(await readFile(ws.destination, 'utf8'), 'the last good file').toBe(LAST_GOOD);
    const failure = run.logs.find((l) => l.level >= LEVEL.error && /sandbox/.test(`${String(l.err)} ${l.msg}`));
    expect(failure, `a render error naming the sandbox:\n${run.stdout}${run.stderr}`).toBeDefined();
    expect(`${run.stdout}${run.stderr}`).not.toContain(SECRET_TEXT);
    expect(`${run.stdout}${run.stderr}`).not.toContain('root:x:0:0');
  });

  /** What a prototype probe must never print: functions, objects, the environment. */
  const HARMFUL = /function|native code|\[object|prototype|constructor|process|require|PATH=|HOME=/;

  for (const text of [
    '{{constructor.constructor}}',
    '{{__proto__}}',
    '{{lookup this "constructor"}}',
    '{{#with (lookup this "constructor")}}{{name}}{{/with}}',
    '{{lookup (lookup this "constructor") "constructor"}}',
    '{{this.constructor.name}}',
    '{{this.__proto__}}',
    '{{@root.constructor}}',
    '{{#each (service "web")}}{{this.constructor}}{{Meta.constructor}}{{Tags.constructor}}{{lookup this "__proto__"}}{{lookup Meta "constructor"}}{{/each}}',
    '{{lookup (service "web") "constructor"}}',
    '{{#each (lookup this "__proto__")}}{{@key}},{{/each}}',
    '{{#with "text"}}{{this.constructor}}{{/with}}',
    '{{env "constructor"}}',
    '{{env "__proto__"}}',
    '{{env "toString"}}',
    '{{#with (env "__proto__")}}{{this.toString}}{{/with}}',
  ]) test(`prototype access ${text} renders nothing harmful (empty, or refused with the last good file kept)`, async (context) => {
    const ws = await sandboxed(context);
    const run = await renderOnce(ws, `[${text}]`);
    const output = await readFile(ws.destination, 'utf8');
    if (run.exitCode === 0) {
      expect(output, 'rendered as nothing').toBe('[]');
    } else {
      expect(run.exitCode, run.stderr).toBe(1);
      expect(output, 'the last good file').toBe(LAST_GOOD);
    }
    expect(`${output}${run.stdout}${run.stderr}`).not.toMatch(HARMFUL);
  });

  for (const { what, text, line, column, name } of [
    { what: 'a call of an unknown helper', text: 'x\n  {{nohelper "a"}}', line: 2, column: 3, name: 'nohelper' },
    { what: 'an unknown helper in a subexpression', text: 'line 1\nline 2\n{{#each (nohelper)}}x{{/each}}', line: 3, column: 9, name: 'nohelper' },
    { what: 'an unknown helper as an argument', text: '{{join (nohelper 1) ","}}', line: 1, column: 8, name: 'nohelper' },
    { what: 'a function reached through a path, called', text: '\n\n\n    {{constructor.constructor "return process"}}', line: 4, column: 5, name: 'constructor.constructor' },
    { what: 'a call through this.', text: '{{this.toString "x"}}', line: 1, column: 1, name: 'this.toString' },
  ]) test(`${what} is refused at load: exit 2, file:line:col, nothing written`, async (context) => {
    const ws = await workspace(context);
    const template = join(ws.dir, 'bad.hbs');
    await writeFile(template, text);
    const run = await runCtmpl(['--source', `file:${ws.catalog}`, '-t', `${template}:${ws.destination}`, '--once'], { cwd: ws.dir, env: NO_CONSUL_ENV });
    expectRefused(run, ws, text);
    expect(run.stderr).toContain(`${template}:${line}:${column}: unknown helper "${name}"`);
  });
});

// =============================================================================================
// 3. Credentials
// =============================================================================================

interface Channel {
  readonly name: string;
  /** Environment, arguments and config for ctmpl, given the secret and a scratch directory. */
  setup(secret: string, dir: string): Promise<{ env: Record<string, string>; args: string[]; config?: Record<string, unknown> }>;
  /** How the secret travels to Consul (each test proves the secret was really in use). */
  readonly sent: (secret: string) => { header: string; value: string };
}

const USER = 'ctmpl-user';
const tokenHeader = (secret: string): { header: string; value: string } => ({ header: 'x-consul-token', value: secret });
const basicAuth = (secret: string): { header: string; value: string } => ({ header: 'authorization', value: `Basic ${Buffer.from(`${USER}:${secret}`).toString('base64')}` });

const CHANNELS: readonly Channel[] = [
  { name: 'CONSUL_HTTP_TOKEN', setup: async (s) => ({ env: { CONSUL_HTTP_TOKEN: s }, args: [] }), sent: tokenHeader },
  { name: '--consul-token', setup: async (s) => ({ env: {}, args: ['--consul-token', s] }), sent: tokenHeader },
  {
    name: '--consul-token-file',
    setup: async (s, dir) => {
      await writeFile(join(dir, 'token'), `${s}\n`);
      return { env: {}, args: ['--consul-token-file', join(dir, 'token')] };
    },
    sent: tokenHeader,
  },
  {
    name: 'CONSUL_HTTP_TOKEN_FILE',
    setup: async (s, dir) => {
      await writeFile(join(dir, 'token'), `${s}\n`);
      return { env: { CONSUL_HTTP_TOKEN_FILE: join(dir, 'token') }, args: [] };
    },
    sent: tokenHeader,
  },
  { name: 'consul.token in the config file', setup: async (s) => ({ env: {}, args: [], config: { consul: { token: s } } }), sent: tokenHeader },
  { name: 'CONSUL_HTTP_AUTH', setup: async (s) => ({ env: { CONSUL_HTTP_AUTH: `${USER}:${s}` }, args: [] }), sent: basicAuth },
];

const FORMATS = ['json', 'pretty'] as const;

/** A fresh secret: random, so any trace of it is a leak. */
const newSecret = (): string => `s3cr3t-${randomUUID()}`;

/** The forms a leaked secret could take: itself, a basic-auth header carrying it, a random fragment of it. */
const leakForms = (secret: string): string[] => [secret, Buffer.from(`${USER}:${secret}`).toString('base64'), secret.slice(-16)];

function expectNoSecret(ex: ExpectStatic, text: string, secret: string, where: string): void {
  for (const form of leakForms(secret)) ex(text.includes(form), `${where} holds the secret (${form}):\n${text}`).toBe(false);
}

/** ctmpl's arguments and environment for a channel (writing its token file or config file). */
async function channelArgs(channel: Channel, secret: string, dir: string): Promise<{ env: Record<string, string>; args: string[] }> {
  const { env, args, config } = await channel.setup(secret, dir);
  if (config === undefined) return { env, args };
  await writeFile(join(dir, 'ctmpl.json'), JSON.stringify(config));
  return { env, args: [...args, '--config', join(dir, 'ctmpl.json')] };
}

/** /metrics, /status and /healthz, as text. */
async function endpoints(daemon: Daemon, base: string): Promise<string> {
  const get = async (path: string): Promise<string> => (await fetch(`${base}${path}`)).text();
  return daemon.waitFor(async () => `${await get('/metrics')}\n${await get('/status')}\n${await get('/healthz')}`, { timeoutMs: 10_000, what: '/metrics, /status and /healthz' });
}

/** Waits until ctmpl's output (json or pretty) has matched `pattern` `count` times. */
function waitForText(daemon: Daemon, pattern: RegExp, what: string, count = 1): Promise<true> {
  const global = new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`);
  return daemon.waitFor(() => ([...`${daemon.stdout()}${daemon.stderr()}`.matchAll(global)].length >= count ? true : undefined), { timeoutMs: 20_000, what });
}

/**
 * The daemon and the fake Consul register their cleanups with the global onTestFinished, which is
 * only safe in tests that run one at a time: these do.
 */
describe('credentials never shown', () => {
  for (const channel of CHANNELS) for (const format of FORMATS) describe(`${channel.name}, ${format} logs at trace level`, () => {
    test('Consul answering 403, then 500, then gone (connection refused): not in stdout, stderr, /metrics, /status or /healthz — and it was sent', async (context) => {
      const { expect } = context;
      const secret = newSecret();
      const ws = await workspace(context);
      const fake: FakeConsul = await startFakeConsul();
      fake.setService('web', [{ id: 'web-1', address: '10.0.0.1', port: 8080 }]);
      const denied = fake.inject(HEALTH('web'), { kind: 'status', status: 403, body: 'Permission denied: token lacks service:read\n' });
      const { env, args } = await channelArgs(channel, secret, ws.dir);
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const daemon = startCtmpl(
        ['-t', `${ws.template}:${ws.destination}`, '--consul-addr', fake.address, '--wait', '0', '--block-query-wait', '1s', '--log-level', 'trace', '--log-format', format, '--listen', `127.0.0.1:${port}`, ...args],
        { cwd: ws.dir, env: { ...NO_CONSUL_ENV, ...env } },
      );
      const shown: string[] = [];

      await waitForText(daemon, /permission denied/i, 'the 403 to be logged');
      shown.push(await endpoints(daemon, base));
      denied.clear();
      await waitForText(daemon, /answers again/, 'Consul to answer again');
      const failing = fake.inject(HEALTH('web'), { kind: 'status', status: 500 });
      await waitForText(daemon, /HTTP 500/, 'the 500 to be logged');
      shown.push(await endpoints(daemon, base));
      failing.clear();
      await waitForText(daemon, /answers again/, 'Consul to answer again after the 500s', 2);
      await fake.close();
      await waitForText(daemon, /ECONNREFUSED|ECONNRESET|socket hang up/, 'the lost connection to be logged');
      shown.push(await endpoints(daemon, base));
      await daemon.stop();

      const { header, value } = channel.sent(secret);
      expect(fake.requests.some((r) => r.headers[header] === value), `the secret reached Consul in ${header}`).toBe(true);
      expectNoSecret(expect, daemon.stdout(), secret, 'stdout');
      expectNoSecret(expect, daemon.stderr(), secret, 'stderr');
      expectNoSecret(expect, shown.join('\n'), secret, '/metrics, /status, /healthz');
    });

    test('--dry --once with data: not in the rendered output or the logs', async (context) => {
      const { expect } = context;
      const secret = newSecret();
      const ws = await workspace(context);
      const fake = await startFakeConsul();
      fake.setService('web', [{ id: 'web-1', address: '10.0.0.1', port: 8080 }]);
      const { env, args } = await channelArgs(channel, secret, ws.dir);
      const run = await runCtmpl(['-t', `${ws.template}:${ws.destination}`, '--consul-addr', fake.address, '--once', '--dry', '--log-level', 'trace', '--log-format', format, ...args], {
        cwd: ws.dir,
        env: { ...NO_CONSUL_ENV, ...env },
      });
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toContain('server 10.0.0.1:8080;');
      const { header, value } = channel.sent(secret);
      expect(fake.requests.some((r) => r.headers[header] === value), `the secret reached Consul in ${header}`).toBe(true);
      expectNoSecret(expect, run.stdout, secret, '--dry output');
      expectNoSecret(expect, run.stderr, secret, 'the logs');
    });
  });

  for (const { what, env, args } of [
    { what: 'CONSUL_HTTP_AUTH without a colon', env: (s: string) => ({ CONSUL_HTTP_AUTH: s }), args: [] },
    { what: 'credentials in CONSUL_HTTP_ADDR (user:password@host)', env: (s: string) => ({ CONSUL_HTTP_ADDR: `http://${USER}:${s}@127.0.0.1:8500` }), args: [] },
    { what: 'credentials in CONSUL_HTTP_ADDR with an unknown scheme', env: (s: string) => ({ CONSUL_HTTP_ADDR: `ftp://${USER}:${s}@127.0.0.1:8500` }), args: [] },
    { what: 'credentials in --consul-addr', env: () => ({}), args: (s: string) => ['--consul-addr', `https://${USER}:${s}@127.0.0.1:8501`] },
  ]) test(`an input error about ${what}: exit 2, and the secret is not in it`, async (context) => {
    const ws = await workspace(context);
    const secret = newSecret();
    const extra = typeof args === 'function' ? args(secret) : args;
    const run = await runCtmpl(['-t', `${ws.template}:${ws.destination}`, '--once', ...extra], { cwd: ws.dir, env: { ...NO_CONSUL_ENV, ...env(secret) }, timeoutMs: RUN_LIMIT_MS });
    expectRefused(run, ws, 'the bad credential setting');
    expectNoSecret(context.expect, `${run.stdout}${run.stderr}`, secret, 'the error');
  });

  describe('the env helper', () => {
    const CREDENTIALS = ['CONSUL_HTTP_TOKEN', 'CONSUL_HTTP_AUTH', 'FOO_PASSWORD', 'DB_PASSWD', 'MY_SECRET', 'AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'github_token', 'STRIPE_API_KEY', 'SSH_PRIVATE_KEY', 'GCP_CREDENTIALS'] as const;
    const template = `${CREDENTIALS.map((n) => `${n}=[{{env "${n}"}}]`).join('\n')}\nREGION=[{{env "REGION"}}]\n`;

    async function renderEnv(context: TestContext, args: readonly string[], config?: Record<string, unknown>): Promise<{ shown: Map<string, string>; secrets: Map<string, string>; run: RunResult }> {
      const ws = await workspace(context);
      await writeFile(ws.template, template);
      const secrets = new Map<string, string>(CREDENTIALS.map((n) => [n, newSecret()]));
      const configArgs: string[] = [];
      if (config) {
        await writeFile(join(ws.dir, 'ctmpl.json'), JSON.stringify(config));
        configArgs.push('--config', join(ws.dir, 'ctmpl.json'));
      }
      const run = await runCtmpl(['--source', `file:${ws.catalog}`, '-t', `${ws.template}:${ws.destination}`, '--once', '--dry', '--log-level', 'trace', '--log-format', 'json', ...configArgs, ...args], {
        cwd: ws.dir,
        env: { ...NO_CONSUL_ENV, ...Object.fromEntries(secrets), REGION: 'eu-west' },
      });
      context.expect(run.exitCode, run.stderr).toBe(0);
      const shown = new Map([...run.stdout.matchAll(/^([A-Za-z_]+)=\[(.*)\]$/gm)].map((m) => [m[1] as string, m[2] as string]));
      return { shown, secrets, run };
    }

    test('withholds every credential-looking variable by default; other variables are shown', async (context) => {
      const { shown, secrets, run } = await renderEnv(context, []);
      for (const name of CREDENTIALS) context.expect(shown.get(name), name).toBe('');
      context.expect(shown.get('REGION')).toBe('eu-west');
      for (const value of secrets.values()) expectNoSecret(context.expect, `${run.stdout}${run.stderr}`, value, 'the output');
    });

    for (const { what, args, config, allowed } of [
      { what: '--env-allow FOO_PASSWORD', args: ['--env-allow', 'FOO_PASSWORD'], config: undefined, allowed: 'FOO_PASSWORD' },
      { what: '--env-allow CONSUL_HTTP_TOKEN', args: ['--env-allow', 'CONSUL_HTTP_TOKEN'], config: undefined, allowed: 'CONSUL_HTTP_TOKEN' },
      { what: 'env_allow: [FOO_PASSWORD] in the config file', args: [], config: { env_allow: ['FOO_PASSWORD'] }, allowed: 'FOO_PASSWORD' },
    ]) test(`with ${what}: shows exactly that variable, and nothing outside the allowlist`, async (context) => {
      const { shown, secrets } = await renderEnv(context, args, config);
      for (const name of CREDENTIALS) context.expect(shown.get(name), name).toBe(name === allowed ? secrets.get(name) : '');
      context.expect(shown.get('REGION'), 'an allowlist shows only its names').toBe('');
    });
  });
});
