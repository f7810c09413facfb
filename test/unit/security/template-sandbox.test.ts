/**
 * The template sandbox at the engine level (README "Security", "Templates"): `env` withholds
 * credentials and gives "" for anything that is not a variable; `file` reads only below the
 * sandbox directory; prototype access gives nothing; a call of anything that is not one of
 * ctmpl's helpers is refused when the template is compiled.
 */
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceMap } from '../template/fixtures.js';
import { InputError } from '../../../src/errors.js';
import { templateEnvironment } from '../../../src/template/environment.js';
import { compileTemplate } from '../../../src/template/engine.js';
import type { RenderInputs } from '../../../src/template/render-context.js';

let root: string;
let sandbox: string;

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'ctmpl-sandbox-')));
  sandbox = join(root, 'snip');
  await mkdir(join(sandbox, 'sub'), { recursive: true });
  await writeFile(join(sandbox, 'ok.conf'), 'inside\n');
  await writeFile(join(root, 'secret'), 'SECRET\n');
  await mkdir(join(root, 'snip-evil'));
  await writeFile(join(root, 'snip-evil', 'x'), 'SECRET\n');
  await symlink(join(root, 'secret'), join(sandbox, 'link-out'));
  await symlink(root, join(sandbox, 'sub', 'up'));
  await symlink(join(sandbox, 'ok.conf'), join(sandbox, 'link-in'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function inputs(env: Readonly<Record<string, string | undefined>> = {}): RenderInputs {
  return { defaultSource: 'file', sources: sourceMap({ file: 'file' }), lookup: () => undefined, sandbox, env };
}

/** The text, or the error message when the render throws. */
function render(text: string, env?: Readonly<Record<string, string | undefined>>): { output?: string; error?: string } {
  try {
    return { output: compileTemplate('t.hbs', text).render(inputs(env)).output ?? '' };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

describe('env', () => {
  const CREDENTIAL_WORDS = ['TOKEN', 'SECRET', 'PASSWORD', 'PASSWD', 'API_KEY', 'PRIVATE_KEY', 'CREDENTIAL'];

  it('withholds every variable that looks like a credential, whatever its case and position, unless allowed by name', () => {
    const credentialName = fc
      .tuple(fc.stringMatching(/^[A-Za-z_]{0,6}$/), fc.constantFrom(...CREDENTIAL_WORDS), fc.stringMatching(/^[A-Za-z_]{0,6}$/), fc.boolean())
      .map(([a, word, b, lower]) => (lower ? `${a}${word}${b}`.toLowerCase() : `${a}${word}${b}`));
    fc.assert(
      fc.property(credentialName, (name) => {
        const env = { [name]: 'value', REGION: 'eu' };
        expect(templateEnvironment(env, undefined)).toEqual({ REGION: 'eu' });
        expect(templateEnvironment(env, [name])).toEqual({ [name]: 'value' });
      }),
      { numRuns: 500 },
    );
    for (const name of ['CONSUL_HTTP_TOKEN', 'CONSUL_HTTP_AUTH']) expect(templateEnvironment({ [name]: 'x' }, undefined), name).toEqual({});
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'])('gives "" for %s, which is not a variable', (name) => {
    expect(render(`[{{env "${name}"}}]`, templateEnvironment({ REGION: 'eu' }, undefined))).toEqual({ output: '[]' });
  });
});

describe('file', () => {
  it.each([
    ['a file inside', 'ok.conf'],
    ['a link that stays inside', 'link-in'],
    ['an absolute path inside', '__SANDBOX__/ok.conf'],
  ])('reads %s', (_what, path) => {
    expect(render(`{{file "${path.replace('__SANDBOX__', sandbox)}"}}`)).toEqual({ output: 'inside\n' });
  });

  it.each([
    ['a parent directory', '../secret'],
    ['a sibling whose name has the sandbox’s as a prefix', '../snip-evil/x'],
    ['an absolute path outside', '/etc/passwd'],
    ['a link to a file outside', 'link-out'],
    ['a linked directory leading outside', 'sub/up/secret'],
    ['a path with a NUL byte', 'ok.conf\u0000../../secret'],
  ])('refuses %s', (_what, path) => {
    const result = render(`{{file ${JSON.stringify(path)}}}`);
    expect(result.output).toBeUndefined();
    expect(result.error).toBeDefined();
    expect(result.error).not.toContain('SECRET');
  });
});

describe('prototype access', () => {
  it.each([
    '{{this.constructor}}',
    '{{constructor.constructor}}',
    '{{this.__proto__}}',
    '{{lookup this "constructor"}}',
    '{{lookup (lookup this "constructor") "constructor"}}',
    '{{#with (lookup this "constructor")}}{{name}}{{/with}}',
    '{{@root.constructor}}',
    '{{#each (lookup this "__proto__")}}{{@key}}{{/each}}',
    '{{#with "text"}}{{this.constructor}}{{this.__proto__}}{{/with}}',
  ])('%s gives nothing', (text) => {
    expect(render(`[${text}]`)).toEqual({ output: '[]' });
  });

  it.each([
    ['constructor.constructor "return process"', 'constructor.constructor'],
    ['this.constructor "x"', 'this.constructor'],
    ['lookup.constructor 1', 'lookup.constructor'],
    ['@root.constructor "x"', '@root.constructor'],
  ])('a call {{%s}} is refused when the template is compiled, with its position', (call, name) => {
    let error: unknown;
    try {
      compileTemplate('t.hbs', `\n  {{${call}}}`);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).describe()).toContain(`t.hbs:2:3: unknown helper "${name}"`);
  });
});
