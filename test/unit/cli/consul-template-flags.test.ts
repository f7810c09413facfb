import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONSUL_TEMPLATE_FLAGS } from '../../../src/cli/consul-template-flags.js';
import { parseArgs, type ParsedArgs } from '../../../src/cli/parse.js';
import { InputError } from '../../../src/errors.js';
import { CONSUL_TEMPLATE_0_42_FLAGS, spellings, type ConsulTemplateFlagCase } from './consul-template-0.42-flags.js';

/** What parsing gave: the parsed arguments, or the usage error (help and version print: kept quiet). */
function outcome(args: readonly string[]): ParsedArgs | InputError {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return parseArgs(args);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** consul-template's source as Go fetched it, when this machine has it (it does where consul-template was built). */
const CLI_GO = join(process.env.GOMODCACHE ?? join(process.env.GOPATH ?? join(homedir(), 'go'), 'pkg', 'mod'), 'github.com/hashicorp/consul-template@v0.42.1/cli.go');

describe("consul-template 0.42's flags", () => {
  it('the list written out here is every flag of its cli.go', () => {
    expect(CONSUL_TEMPLATE_0_42_FLAGS).toHaveLength(78);
    expect(new Set(CONSUL_TEMPLATE_0_42_FLAGS.map((c) => c.name)).size).toBe(78);
    if (!existsSync(CLI_GO)) return;
    const declared = [...readFileSync(CLI_GO, 'utf8').matchAll(/\}\), "([a-z-]+)", ""\)|BoolVar\(&\w+, "([a-z-]+)"/g)].map((m) => m[1] ?? m[2]);
    expect([...declared].sort()).toEqual(CONSUL_TEMPLATE_0_42_FLAGS.map((c) => c.name).sort());
  });

  it('the migration guide lists each of them (the Vault flags as -vault-*), with what ctmpl does', () => {
    const guide = readFileSync(new URL('../../../docs/migrating-from-consul-template.md', import.meta.url), 'utf8');
    const listed = (name: string): boolean => guide.includes(`\`-${name}\``) || (name.startsWith('vault-') && guide.includes('`-vault-*`'));
    expect(CONSUL_TEMPLATE_0_42_FLAGS.map((c) => c.name).filter((name) => !listed(name))).toEqual([]);
  });

  it("ctmpl's table has a rule for each of them, with the same Go type, and for Go's own -h/-help", () => {
    for (const c of CONSUL_TEMPLATE_0_42_FLAGS) expect(CONSUL_TEMPLATE_FLAGS.get(c.name)?.type, c.name).toBe(c.type);
    expect([...CONSUL_TEMPLATE_FLAGS.keys()].sort()).toEqual([...CONSUL_TEMPLATE_0_42_FLAGS.map((c) => c.name), 'h', 'help'].sort());
  });

  const cases = CONSUL_TEMPLATE_0_42_FLAGS.flatMap((c) => spellings(c).map((s) => ({ c, ...s, label: `${s.args.join(' ')} (${s.form})` })));

  it.each(cases.filter(({ c }) => c.expect.kind === 'alias'))('$label takes effect, or is refused as a bool given a value apart', ({ c, form, args }) => {
    const result = outcome(args);
    if (c.expect.kind !== 'alias') throw new Error('unreachable');
    if (c.type === 'bool' && c.value !== 'true' && form !== '=value' && form !== 'double dash =value') {
      // The bare spelling means true, which ctmpl refuses for this flag (tested below).
      expect(result).toBeInstanceOf(InputError);
      return;
    }
    if (c.type === 'bool' && form === 'separate value' && !['consul-ssl-verify', 'consul-retry'].includes(c.name)) {
      // Go reads `-once true` as the flag and a stray argument; so does ctmpl, and says how to write it.
      expect(result).toBeInstanceOf(InputError);
      expect((result as InputError).message).toBe(`unexpected argument "${c.value}" after the switch -${c.name}`);
      expect((result as InputError).hint).toBe(`a switch takes its value after "=": -${c.name}=${c.value}`);
      return;
    }
    expect(result).not.toBeInstanceOf(InputError);
    expect(c.expect.effect(result as ParsedArgs)).toEqual(c.expect.equals);
  });

  it.each(cases.filter(({ c }) => c.expect.kind === 'refused'))('$label is refused with the reason, its value never repeated', ({ c, args }) => {
    const result = outcome(args);
    expect(result).toBeInstanceOf(InputError);
    const err = result as InputError;
    expect(err.message).toBe(`${args[0]?.replace(/=.*$/, '')} (a consul-template flag) is not supported`);
    if (c.expect.kind === 'refused') expect(err.hint).toMatch(c.expect.reason);
    expect(err.describe()).not.toContain('CANARY');
  });

  it.each([
    [['-default-left-delimiter', '[['], /always use \{\{ and \}\}/],
    [['-default-right-delimiter=]]'], /always use \{\{ and \}\}/],
    [['-template-error-fatal'], /keeps running after a render error/],
    [['-template-error-fatal=true'], /keeps running after a render error/],
  ])('%j: only the values that change nothing are accepted', (args, reason) => {
    const result = outcome(args);
    expect(result).toBeInstanceOf(InputError);
    expect((result as InputError).message).toMatch(/is not supported with this value$/);
    expect((result as InputError).hint).toMatch(reason);
  });

  it.each(CONSUL_TEMPLATE_0_42_FLAGS.filter((c) => c.type === 'bool' && c.expect.kind === 'alias' && c.value === 'true').map((c) => [c.name] as const))('-%s=false turns it off (or is refused as a value of the wrong kind)', (name) => {
    const result = outcome([`-${name}=false`]);
    if (result instanceof InputError) throw result;
    if (name === 'v' || name === 'version') {
      expect(result.kind).toBe('run'); // no version printed
      return;
    }
    const c = CONSUL_TEMPLATE_0_42_FLAGS.find((x) => x.name === name) as ConsulTemplateFlagCase;
    if (c.expect.kind !== 'alias') return;
    const effect = c.expect.effect(result);
    expect(effect === false || effect === 'run' || effect === undefined).toBe(true);
  });
});
