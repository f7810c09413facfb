import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseArgs, type ParsedArgs } from '../../../src/cli/parse.js';
import type { FlagValues } from '../../../src/config/flags.js';
import { inputErrorOf } from '../../support/input-error.js';

/** The flags of a run (fails the test for anything else). */
function flagsOf(parsed: ParsedArgs): FlagValues {
  if (parsed.kind === 'exit') throw new Error(`expected flags, got exit ${parsed.code}`);
  return parsed.flags;
}

/** What commander prints (help, version, usage errors), kept off the test output. */
function quiet(): { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  return { out: () => out.join(''), err: () => err.join('') };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('parseArgs', () => {
  it('turns flags into settings, leaving out those not given (so the config file or a default applies)', () => {
    const flags = flagsOf(parseArgs(['-t', 'a.hbs:a.conf', '--source', 'file:c.yaml', '--once', '--wait', '1s:2s', '-c', 'reload']));
    expect(flags).toMatchObject({ template: ['a.hbs:a.conf'], source: ['file:c.yaml'], once: true, dry: false, wait: '1s:2s', command: 'reload' });
    for (const absent of ['config', 'listen', 'maxRemoval', 'dedup', 'logLevel', 'execSplay']) expect(flags, absent).not.toHaveProperty(absent);
  });

  it('collects repeatable flags in order', () => {
    const flags = flagsOf(parseArgs(['-t', 'a:b', '-t', 'c:d', '--allow-tag', 'x', '--allow-tag', 'y', '--env-allow', 'REGION']));
    expect(flags).toMatchObject({ template: ['a:b', 'c:d'], allowTag: ['x', 'y'], envAllow: ['REGION'], allowCidr: [], relaxedValidation: [] });
  });

  it("accepts consul-template's single-dash spellings of long flags", () => {
    const flags = flagsOf(parseArgs(['-template', 'a:b', '-once', '-dry', '-wait=2s']));
    expect(flags).toMatchObject({ template: ['a:b'], once: true, dry: true, wait: '2s' });
  });

  it('puts the flags of registry blocks into their block, by key, as typed, booleans as booleans', () => {
    const flags = flagsOf(parseArgs(['--consul-addr', '10.0.0.1:8500', '--consul-ssl-verify', 'false', '--consistent', '--consul-ca-cert', 'ca.pem']));
    expect(flags.blocks).toEqual({
      consul: {
        address: { flag: '--consul-addr', value: '10.0.0.1:8500' },
        'ssl.verify': { flag: '--consul-ssl-verify', value: false },
        consistent: { flag: '--consistent', value: true },
        'ssl.ca_cert': { flag: '--consul-ca-cert', value: 'ca.pem' },
      },
    });
    expect(flagsOf(parseArgs([])).blocks).toEqual({});
  });

  it('checks the same flags for `validate`, and reads consul-template\'s -parse-only as validate', () => {
    expect(parseArgs(['validate', '--config', 'c.yaml'])).toMatchObject({ kind: 'validate', flags: { config: ['c.yaml'] } });
    expect(parseArgs(['-parse-only', '-config=ct.hcl'])).toMatchObject({ kind: 'validate', flags: { config: ['ct.hcl'] } });
    expect(parseArgs(['-parse-only=false', '-config=ct.hcl'])).toMatchObject({ kind: 'run' });
  });

  it('collects several --config in order (merged for HCL)', () => {
    expect(flagsOf(parseArgs(['-config', 'a.hcl', '-config=conf.d']))).toMatchObject({ config: ['a.hcl', 'conf.d'] });
  });

  it('reads the new consul-template settings: signals, PID file, exec kill signal, log level err', () => {
    const flags = flagsOf(parseArgs(['-kill-signal=SIGQUIT', '-reload-signal', 'SIGUSR2', '-pid-file=/run/ct.pid', '-exec-kill-signal', 'SIGINT', '-log-level=err']));
    expect(flags).toMatchObject({ killSignal: 'SIGQUIT', reloadSignal: 'SIGUSR2', pidFile: '/run/ct.pid', execKillSignal: 'SIGINT', logLevel: 'error' });
  });

  it('names an alias as typed and as ctmpl calls it, in the block it sets', () => {
    const flags = flagsOf(parseArgs(['-consul-ssl-ca-cert', 'ca.pem', '-consul-auth=ops:pw', '-retry=1s', '-consul-retry=false', '-consul-retry-attempts', '3']));
    expect(flags.blocks?.consul).toEqual({
      'ssl.ca_cert': { flag: '-consul-ssl-ca-cert (--consul-ca-cert)', value: 'ca.pem' },
      auth: { flag: '-consul-auth', value: 'ops:pw' },
      'retry.backoff': { flag: '-retry (--consul-retry-backoff)', value: '1s' },
      'retry.enabled': { flag: '-consul-retry', value: false },
      'retry.attempts': { flag: '-consul-retry-attempts', value: '3' },
    });
  });

  it('turns a switch off explicitly with =false, so it overrides a config file', () => {
    const flags = flagsOf(parseArgs(['-dedup=false', '-consul-ssl=false', '--once=true']));
    expect(flags).toMatchObject({ dedup: false, once: true });
    expect(flags.blocks?.consul?.['ssl.enabled']).toEqual({ flag: '-consul-ssl', value: false });
  });

  it.each([
    [['--command', ''], '--command needs a value'],
    [['--consul-ca-cert', ' '], '--consul-ca-cert needs a value'],
    [['-consul-ssl-ca-cert='], '-consul-ssl-ca-cert (--consul-ca-cert) needs a value'],
    [['--allow-tag', 'ok', '--allow-tag', ''], '--allow-tag needs a value'],
  ])('refuses an empty value: %j', (argv, message) => {
    expect(inputErrorOf(() => parseArgs(argv)).message).toBe(message);
  });

  it('asks to exit 0 after help or the version', () => {
    const printed = quiet();
    expect(parseArgs(['--help'])).toEqual({ kind: 'exit', code: 0 });
    expect(printed.out()).toMatch(/Usage: ctmpl/);
    expect(parseArgs(['-help'])).toEqual({ kind: 'exit', code: 0 });
    expect(parseArgs(['-h'])).toEqual({ kind: 'exit', code: 0 });
    expect(parseArgs(['--version'])).toEqual({ kind: 'exit', code: 0 });
    expect(parseArgs(['-version'])).toEqual({ kind: 'exit', code: 0 });
  });

  it.each([
    [['--no-such-flag'], 'unknown option --no-such-flag'],
    [['--log-level', 'verbose'], "option '--log-level <level>' argument 'verbose' is invalid"],
    [['stray-argument'], 'unexpected argument "stray-argument"'],
    [['--write-mode=fast'], "argument 'fast' is invalid"],
  ])('turns a usage error into an InputError (printed with "ctmpl: error:", exit 2), commander printing nothing: %j', (argv, message) => {
    const printed = quiet();
    expect(inputErrorOf(() => parseArgs(argv)).message).toContain(message);
    expect(printed.err()).toBe('');
  });
});
