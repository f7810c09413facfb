import { describe, expect, it } from 'vitest';
import { readArgs, type OptionSpec } from '../../../src/cli/argv.js';
import { buildProgram, optionSpecs } from '../../../src/cli/program.js';
import { inputErrorOf } from '../../support/input-error.js';

const OPTIONS: readonly OptionSpec[] = [
  { long: '--template', short: '-t', takes: 'value' },
  { long: '--command', short: '-c', takes: 'value' },
  { long: '--version', short: '-v', takes: 'switch' },
  { long: '--once', takes: 'switch' },
  { long: '--wait', takes: 'value' },
  { long: '--consul-ssl-verify', takes: 'bool' },
  { long: '--consul-ca-cert', takes: 'value' },
  { long: '--consul-auth', takes: 'value' },
  { long: '--template-spec-only-for-test', takes: 'value' },
];

const read = (...argv: string[]) => readArgs(argv, OPTIONS);
const refusal = (...argv: string[]) => inputErrorOf(() => read(...argv));

describe('readArgs: what the issue saw', () => {
  it.each([
    [['-consul-authx=bob:s3cretpw', '-template', 'a.hbs:a.conf', '-once'], 'unknown option -consul-authx', 'did you mean -consul-auth?'],
    [['-consul-ssl-ca-crt=/etc/consul/ca.pem'], 'unknown option -consul-ssl-ca-crt', "did you mean -consul-ssl-ca-cert? (consul-template's name; ctmpl's is --consul-ca-cert)"],
    [['-vault-adr=https://vault:8200'], 'unknown option -vault-adr', 'did you mean -vault-addr? (a consul-template flag ctmpl does not support: ctmpl does not read Vault'],
    [['-template-eror-fatal=false'], 'unknown option -template-eror-fatal', 'did you mean -template-error-fatal?'],
  ])('%j is refused before anything reads it as -c/-t with a value, and its value is never repeated', (argv, message, hint) => {
    const err = refusal(...argv);
    expect(err.message).toBe(message);
    expect(err.hint).toContain(hint);
    expect(err.describe()).not.toMatch(/s3cretpw|ca\.pem|vault:8200|fatal=false/);
  });

  it('reads consul-template spellings of known names with their meaning', () => {
    expect(read('-consul-auth=bob:pw', '-template', 'a.hbs:a.conf', '-once').args).toEqual(['--consul-auth=bob:pw', '--template=a.hbs:a.conf', '--once']);
    const alias = read('-consul-ssl-ca-cert=/etc/consul/ca.pem');
    expect(alias.args).toEqual(['--consul-ca-cert=/etc/consul/ca.pem']);
    expect(alias.typed.get('--consul-ca-cert')).toBe('-consul-ssl-ca-cert');
  });
});

describe('readArgs: every spelling of an option', () => {
  it.each([
    [['--wait', '1s'], ['--wait=1s']],
    [['--wait=1s'], ['--wait=1s']],
    [['-wait', '1s'], ['--wait=1s']],
    [['-wait=1s'], ['--wait=1s']],
    [['-t', 'a:b'], ['--template=a:b']],
    [['-t=a:b'], ['--template=a:b']],
    [['--wait', '-1s'], ['--wait=-1s']],
    [['--wait='], ['--wait=']],
  ])('%j → %j', (argv, args) => {
    expect(read(...argv).args).toEqual(args);
  });

  it.each([['-x'], ['--x'], ['-long-name'], ['-long-name=value'], ['--long-name'], ['--long-name=value'], ['-'.concat('=v')], ['--=v']])('refuses the unknown %s (exit 2), naming it without a value', (arg) => {
    const err = refusal(arg);
    expect(err.message).toMatch(/^unknown option /);
    expect(err.describe()).not.toContain('value');
  });

  it('names the short options for an unknown single letter', () => {
    expect(refusal('-x').hint).toMatch(/short options are -t, -c, -v, -h/);
  });

  it('accepts a cluster only where each letter is a short option, the last one alone taking a value', () => {
    expect(read('-vt', 'a:b').args).toEqual(['--version', '--template=a:b']);
    expect(refusal('-tv').message).toBe('unknown option -tv');
    expect(refusal('-tfoo').message).toBe('unknown option -tfoo');
    expect(refusal('-tfoo').hint).toBe('ctmpl does not read a value glued to a short option: write -t VALUE');
    expect(refusal('-vx').message).toBe('unknown option -vx');
  });

  it('refuses a missing value, and an option where a value should be', () => {
    expect(refusal('--wait').message).toBe('--wait needs a value');
    const err = refusal('-c', '-consul-authx=bob:pw');
    expect(err.message).toBe('-c needs a value, and "-consul-authx" after it is an option');
    expect(err.describe()).not.toContain('bob:pw');
    expect(read('-c=--literally').args).toEqual(['--command=--literally']);
  });

  it('reads switches as Go does: alone, =true or =false; a value apart is a stray argument', () => {
    expect(read('-once').args).toEqual(['--once']);
    expect(read('-once=t').args).toEqual(['--once']);
    const off = read('-once=false');
    expect(off.args).toEqual([]);
    expect([...off.off]).toEqual(['--once']);
    expect(refusal('-once=yes').message).toBe('-once is a switch: it takes no value, or =true / =false');
    const apart = refusal('-once', 'false');
    expect(apart.message).toBe('unexpected argument "false" after the switch -once');
    expect(apart.hint).toBe('a switch takes its value after "=": -once=false');
  });

  it('reads a true/false option alone as true, and takes a true/false after it', () => {
    expect(read('-consul-ssl-verify').args).toEqual(['--consul-ssl-verify=true']);
    expect(read('-consul-ssl-verify', 'false').args).toEqual(['--consul-ssl-verify=false']);
    expect(read('-consul-ssl-verify=0').args).toEqual(['--consul-ssl-verify=false']);
    expect(read('-consul-ssl-verify', '-once').args).toEqual(['--consul-ssl-verify=true', '--once']);
    expect(refusal('-consul-ssl-verify=maybe').message).toBe('-consul-ssl-verify takes true or false, not "maybe"');
  });

  it('refuses arguments that are no option, and anything after --', () => {
    expect(refusal('stray').message).toBe('unexpected argument "stray"');
    expect(refusal('--', '-once').message).toBe('unexpected argument "-once" after --');
    expect(read('--').args).toEqual([]);
  });

  it("refuses consul-template's flags ctmpl has no use for, saying what to do instead", () => {
    const err = refusal('-vault-token', 'hvs.CANARY');
    expect(err.message).toBe('-vault-token (a consul-template flag) is not supported');
    expect(err.hint).toMatch(/does not read Vault/);
    expect(err.describe()).not.toContain('CANARY');
  });

  it('reads -parse-only as validate, and help in every spelling', () => {
    expect(read('-parse-only').validate).toBe(true);
    expect(read('-parse-only=false').validate).toBe(false);
    for (const help of ['-h', '-help', '--help']) expect(read(help).args).toEqual(['--help']);
  });
});

describe('optionSpecs', () => {
  it("describes the program's options: short letters, switches, true/false values", () => {
    const specs = optionSpecs(buildProgram());
    expect(specs.find((s) => s.long === '--template')).toEqual({ long: '--template', short: '-t', takes: 'value' });
    expect(specs.find((s) => s.long === '--once')).toMatchObject({ takes: 'switch' });
    expect(specs.find((s) => s.long === '--consul-ssl-verify')).toMatchObject({ takes: 'bool' });
    expect(specs.find((s) => s.long === '--consul-retry')).toMatchObject({ takes: 'bool' });
    expect(specs.filter((s) => s.short !== undefined).map((s) => s.short)).toEqual(['-v', '-t', '-c']);
  });
});
