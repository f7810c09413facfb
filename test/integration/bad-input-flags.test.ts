/**
 * Bad input is refused before anything runs (the flags; the config keys, templates and credentials
 * are in the other bad-input-*.test.ts files).
 *
 * 1. Every CLI flag and every config key (src/cli.ts, src/config/schema.ts, nested keys included)
 *    with a value of the wrong type, an empty value, a value outside its enumeration or range,
 *    and every object of the config file with an unknown key: exit 2, a message naming the flag
 *    or the key (for config keys also file:line:col, the line being the key's), and no destination
 *    written. The cases are generated from the tables below, and two tests check that the tables
 *    cover every flag commander knows and every key the schema has, so none is missed.
 */
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { NO_CONSUL_ENV, runCtmpl } from '../support/ctmpl.js';
import { mentions, RUN_LIMIT_MS, workspace, type Context, type Workspace } from '../support/bad-input.js';

// =============================================================================================
// 1a. Every CLI flag
// =============================================================================================

interface FlagRow {
  readonly flag: string;
  /**
   * value: one value; switch: no value (a value given to it is the error); enum: one of `choices`;
   * bool: true or false, true when left out (Go's bool flags).
   */
  readonly kind: 'value' | 'switch' | 'enum' | 'bool';
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
  { flag: '--source', kind: 'value', invalid: ['bogus:x', 'other=file:', 'other=file:/nonexistent/catalog.json', 'two words=file:x'] },
  { flag: '--config', kind: 'value', invalid: ['/nonexistent/ctmpl.yaml'], alsoNamedBy: ['config file'] },
  { flag: '--wait', kind: 'value', invalid: ['abc', '5s:1s', '1s:2s:3s', '-1s'] },
  { flag: '--once', kind: 'switch' },
  { flag: '--dry', kind: 'switch' },
  { flag: '--command-timeout', kind: 'value', invalid: ['abc', '0', '-5s'] },
  { flag: '--sandbox-path', kind: 'value', invalid: ['/nonexistent/snippets'], alsoNamedBy: ['sandbox directory'] },
  { flag: '--partials', kind: 'value', invalid: ['/nonexistent/partials'], alsoNamedBy: ['partials directory'] },
  { flag: '--error-on-missing-key', kind: 'switch' },
  { flag: '--log-level', kind: 'enum', invalid: ['verbose', 'INFO'] },
  { flag: '--log-format', kind: 'enum', invalid: ['xml'] },
  { flag: '--listen', kind: 'value', invalid: ['abc', '127.0.0.1:99999', 'a:b:c'] },
  { flag: '--health-failing-after', kind: 'value', invalid: ['abc'] },
  { flag: '--health-grace', kind: 'value', invalid: ['abc'] },
  { flag: '--reload-retry', kind: 'value', invalid: ['abc', '5s:1s', '0'] },
  { flag: '--probe', kind: 'value', invalid: ['web', 'web=ftp'] },
  { flag: '--probe-concurrency', kind: 'value', invalid: ['abc', '0'] },
  { flag: '--relaxed-validation', kind: 'value', invalid: ['no-such-source'] },
  { flag: '--env-allow', kind: 'value' },
  { flag: '--check', kind: 'value' },
  { flag: '--write-mode', kind: 'enum', invalid: ['fast'] },
  { flag: '--min-reload-interval', kind: 'value', invalid: ['abc'] },
  { flag: '--exec', kind: 'value', context: 'exec' },
  { flag: '--exec-reload-signal', kind: 'value', invalid: ['SIGFOO', 'HUPX'], context: 'exec' },
  { flag: '--exec-kill-timeout', kind: 'value', invalid: ['abc'], context: 'exec' },
  { flag: '--exec-splay', kind: 'value', invalid: ['abc'], context: 'exec' },
  { flag: '--exec-kill-signal', kind: 'value', invalid: ['SIGFOO', 'SIGKILL', 'none'], context: 'exec' },
  { flag: '--kill-signal', kind: 'value', invalid: ['SIGFOO', 'SIGKILL', 'SIGUSR1', 'SIGHUP'] },
  { flag: '--reload-signal', kind: 'value', invalid: ['SIGFOO', 'SIGTERM', 'SIGUSR1', 'none'] },
  { flag: '--pid-file', kind: 'value', invalid: ['/dev/null/ctmpl.pid'], alsoNamedBy: ['PID file'] },
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
  { flag: '--consul-auth', kind: 'value', context: 'consul' },
  { flag: '--consul-retry', kind: 'bool', invalid: ['maybe', 'yes'], context: 'consul' },
  { flag: '--consul-retry-attempts', kind: 'value', invalid: ['abc', '-1', '1.5'], context: 'consul' },
  { flag: '--consul-retry-backoff', kind: 'value', invalid: ['abc', '0'], context: 'consul' },
  { flag: '--consul-retry-max-backoff', kind: 'value', invalid: ['abc', '0'], context: 'consul' },
  { flag: '--consul-token-file', kind: 'value', invalid: ['/nonexistent/token', 'empty-token'], context: 'consul', alsoNamedBy: ['Consul token file'] },
  { flag: '--consul-ssl', kind: 'switch', context: 'consul' },
  { flag: '--consul-ssl-verify', kind: 'bool', invalid: ['maybe', 'yes'], context: 'consul' },
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
    if (row.kind === 'bool') {
      // Left out, the value is true (as in Go): a value that is no true/false is the error, given with = or apart.
      for (const value of row.invalid ?? []) {
        cases.push({ ...base, name: `${row.flag}=${value} (not true or false)`, args: [`${row.flag}=${value}`], named: [row.flag] });
        cases.push({ ...base, name: `${row.flag} ${value} (not true or false, apart)`, args: [row.flag, value], named: [row.flag] });
      }
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
  cases.push({ name: 'an unknown -no-such-flag=value', flag: '-no-such-flag', args: ['-no-such-flag=value'], context: 'file', named: ['-no-such-flag'] });
  cases.push({ name: 'a short option with a value glued to it -tfoo', flag: '-tfoo', args: ['-tfoo'], context: 'file', named: ['-tfoo'] });
  cases.push({ name: "a consul-template flag ctmpl refuses -vault-addr", flag: '-vault-addr', args: ['-vault-addr=https://vault:8200'], context: 'file', named: ['-vault-addr'] });
  cases.push({ name: 'a second --config when one is YAML', flag: '--config', args: ['--config', 'a.hcl', '--config', 'b.yaml'], context: 'file', named: ['--config'] });
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
