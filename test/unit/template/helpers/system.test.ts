/**
 * The helpers that read the local machine (src/template/helpers/system.ts), as the template sandbox
 * (README "Security", "Templates") needs them: `env` gives "" for anything that is not a variable
 * (credentials are withheld by template/environment.ts, tested there); `file` reads only below the
 * sandbox directory, links followed. Prototype access and unknown helpers: template/engine.test.ts.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputs as fixtureInputs, sourceMap } from '../fixtures.js';
import { templateEnvironment } from '../../../../src/template/environment.js';
import { compileTemplate } from '../../../../src/template/engine.js';
import type { RenderInputs } from '../../../../src/template/render-context.js';

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

describe('env helper', () => {
  it('reads the environment it is given, and "" for an unset variable', () => {
    const compiled = compileTemplate('t.hbs', '{{env "REGION"}}|{{env "UNSET"}}');
    expect(compiled.render(fixtureInputs(new Map(), { env: { REGION: 'eu-1' } })).output).toBe('eu-1|');
  });
});

describe('file helper', () => {
  const root = mkdtempSync(join(tmpdir(), 'ctmpl-file-'));
  const sandbox = join(root, 'sandbox');
  mkdirSync(join(sandbox, 'sub'), { recursive: true });
  writeFileSync(join(sandbox, 'sub', 'snippet.conf'), 'keepalive 32;');
  writeFileSync(join(root, 'secret'), 'top secret');
  symlinkSync(join(root, 'secret'), join(sandbox, 'link-out'));

  const renderFile = (path: string) => compileTemplate('t.hbs', `{{file "${path}"}}`).render(fixtureInputs(new Map(), { sandbox }));

  it('reads a file inside the sandbox and records it so it can be watched', () => {
    const result = renderFile('sub/snippet.conf');
    expect(result.output).toBe('keepalive 32;');
    expect([...result.context.files]).toEqual([join(sandbox, 'sub', 'snippet.conf')]);
  });

  it('refuses paths that leave the sandbox', () => {
    expect(() => renderFile('../secret')).toThrow(/outside the sandbox/);
    expect(() => renderFile('/etc/passwd')).toThrow(/outside the sandbox/);
  });

  it('refuses a symlink that points outside the sandbox', () => {
    expect(() => renderFile('link-out')).toThrow(/through a link\) outside the sandbox/);
  });

  it('names a missing file', () => {
    expect(() => renderFile('nope.conf')).toThrow('file "nope.conf": ENOENT');
  });
});
