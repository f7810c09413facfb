import { afterEach, describe, expect, it, vi } from 'vitest';
import { normalizeArgs, parseArgs, type ParsedArgs } from '../../../src/cli/parse.js';
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

  it('checks the same flags for `validate`', () => {
    const parsed = parseArgs(['validate', '--config', 'c.yaml']);
    expect(parsed).toMatchObject({ kind: 'validate', flags: { config: 'c.yaml' } });
  });

  it.each([
    [['--command', ''], '--command needs a value'],
    [['--consul-ca-cert', ' '], '--consul-ca-cert needs a value'],
    [['--allow-tag', 'ok', '--allow-tag', ''], '--allow-tag needs a value'],
  ])('refuses an empty value: %j', (argv, message) => {
    expect(inputErrorOf(() => parseArgs(argv)).message).toBe(message);
  });

  it('asks to exit 0 after help or the version, 2 after a usage error, saying what was wrong', () => {
    const printed = quiet();
    expect(parseArgs(['--help'])).toEqual({ kind: 'exit', code: 0 });
    expect(printed.out()).toMatch(/Usage: ctmpl/);
    expect(parseArgs(['--version'])).toEqual({ kind: 'exit', code: 0 });
    expect(parseArgs(['--no-such-flag'])).toEqual({ kind: 'exit', code: 2 });
    expect(printed.err()).toMatch(/unknown option '--no-such-flag'/);
    expect(parseArgs(['--log-level', 'verbose'])).toEqual({ kind: 'exit', code: 2 });
    expect(parseArgs(['stray-argument'])).toEqual({ kind: 'exit', code: 2 });
  });
});

describe('normalizeArgs', () => {
  it('rewrites single-dash spellings of known long flags only', () => {
    const long = new Set(['template', 'once', 'consul-addr']);
    expect(normalizeArgs(['-template', 'a:b', '-once', '-consul-addr=h:1', '-t', '-x', '-unknown', '--once', 'value-with-dash'], long)).toEqual([
      '--template', 'a:b', '--once', '--consul-addr=h:1', '-t', '-x', '-unknown', '--once', 'value-with-dash',
    ]);
  });
});
