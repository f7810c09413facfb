import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTemplate, partialSet } from '../../../src/template/engine.js';
import { inputErrorOf } from '../../support/input-error.js';
import { tempDir } from '../../support/tmp.js';
import { inputs } from './fixtures.js';

/** A partials directory with the given files (path relative to it → text), loaded. */
async function partialsWith(files: Record<string, string>) {
  const dir = await tempDir('ctmpl-partials-');
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  const set = partialSet(dir);
  await set.load();
  return { dir, set };
}

describe('partials: a directory of *.hbs shared by every template', () => {
  it('names partials by their path without .hbs, nested folders with /', async () => {
    const { set } = await partialsWith({ 'upstream.hbs': 'u[{{name}}]', 'nginx/server.hbs': 's[{{x}}]', 'notes.txt': 'ignored' });
    expect([...set.names].sort()).toEqual(['nginx/server', 'upstream']);
    const t = compileTemplate('t.hbs', '{{> upstream name="web"}}{{> nginx/server x=1}}', { partials: set });
    expect(t.render(inputs()).output).toBe('u[web]s[1]');
  });

  it('refuses, at the place of the call, a partial that exists nowhere; a template may define its own inline', async () => {
    const { set } = await partialsWith({ 'a.hbs': 'a' });
    const err = inputErrorOf(() => compileTemplate('t.hbs', 'line\n  {{> nope}}', { partials: set }));
    expect(err.where).toBe('t.hbs:2:3');
    expect(err.message).toContain('unknown partial "nope"');
    expect(err.hint).toContain('a');
    const own = compileTemplate('t.hbs', '{{#*inline "mine"}}m{{/inline}}{{> mine}}{{> a}}', { partials: set });
    expect(own.render(inputs()).output).toBe('ma');
  });

  it('checks a partial like a template when read: syntax and helpers, at the partial file', async () => {
    const dir = await tempDir('ctmpl-partials-');
    await writeFile(join(dir, 'bad.hbs'), 'ok\n{{#each x}}');
    const err = await partialsWith({}).then(async () => {
      const set = partialSet(dir);
      return set.load().then(() => undefined, (e: unknown) => e);
    });
    expect(String((err as { where?: string }).where)).toMatch(/bad\.hbs:\d+:\d+$/);
    await writeFile(join(dir, 'bad.hbs'), '{{nosuchhelper 1}}');
    const set = partialSet(dir);
    await expect(set.load()).rejects.toThrow(/unknown helper "nosuchhelper"/);
  });

  it('an edit that breaks a partial throws and keeps the last good text in use', async () => {
    const { dir, set } = await partialsWith({ 'p.hbs': 'good' });
    const t = compileTemplate('t.hbs', '{{> p}}', { partials: set });
    expect(() => set.update(join(dir, 'p.hbs'), '{{#if}}')).toThrow();
    expect(t.render(inputs()).output).toBe('good');
    set.update(join(dir, 'p.hbs'), 'better');
    expect(t.render(inputs()).output).toBe('better');
  });
});

describe('error_on_missing_key (strict templates)', () => {
  it('a missing field is an error at the template file:line:col; without it, empty text', () => {
    const text = 'a\n  {{Adress}}';
    expect(compileTemplate('t.hbs', text).render(inputs()).output).toBe('a\n  ');
    expect(() => compileTemplate('t.hbs', text, { strict: true }).render(inputs())).toThrow(/^t\.hbs:2:5: missing field "Adress"/);
    // validate renders strictly whatever the template's own setting.
    expect(() => compileTemplate('t.hbs', text).render(inputs(), true)).toThrow(/missing field "Adress"/);
  });

  it('a missing field inside a partial names the partial file', async () => {
    const { dir, set } = await partialsWith({ 'p.hbs': 'x\n{{Nope}}' });
    expect(() => compileTemplate('t.hbs', '{{> p}}', { partials: set, strict: true }).render(inputs())).toThrow(`${join(dir, 'p.hbs')}:2:3: missing field "Nope"`);
  });

  it('optional fields tested with #if stay usable in strict mode', () => {
    expect(compileTemplate('t.hbs', '{{#if Held}}held{{else}}no{{/if}}', { strict: true }).render(inputs()).output).toBe('no');
  });
});
