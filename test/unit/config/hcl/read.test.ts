import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseHclText, readHclConfig, readHclConfigDir, readHclConfigPath } from '../../../../src/config/hcl/index.js';
import { InputError } from '../../../../src/errors.js';
import { inputErrorOf } from '../../../support/input-error.js';
import { tempDir } from '../../../support/tmp.js';
import { positionAfter, positionOf } from './position.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/hcl/', import.meta.url));
const fixture = (name: string): string => join(FIXTURES, name);
const textOf = (name: string): Promise<string> => readFile(fixture(name), 'utf8');

async function rejection(promise: Promise<unknown>): Promise<InputError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof InputError) return err;
  throw new Error(`expected an InputError, got ${String(err)}`);
}

describe('readHclConfig: a consul-template HCL file', () => {
  it("reads the nginx example into ctmpl's keys", async () => {
    const file = await readHclConfig(fixture('nginx.hcl'));
    expect(file.path).toBe(fixture('nginx.hcl'));
    expect(file.value).toEqual({
      consul: {
        address: '127.0.0.1:8500',
        token: '3f1c-made-up-token',
        auth: { enabled: true, username: 'ct', password: 'secret' },
        ssl: { enabled: true, verify: false, ca_cert: '/etc/consul.d/ca.pem' },
        retry: { enabled: true, attempts: 12, backoff: '250ms', max_backoff: '1m' },
        max_stale: '2s',
      },
      log_level: 'info',
      wait: { min: '2s', max: '10s' },
      templates: [
        {
          source: '/etc/consul-template/upstreams.ctmpl',
          destination: '/etc/nginx/conf.d/upstreams.conf',
          command: ['nginx', '-s', 'reload'],
          perms: 0o644,
          wait: { min: '1s', max: '3s' },
        },
        { contents: '{{ key "service/web/maintenance" }}\n', destination: '/etc/nginx/maintenance.flag', backup: true },
      ],
    });
    expect(file.warnings).toEqual([]);
  });

  it("locates values and keys by ctmpl's key paths", async () => {
    const path = fixture('nginx.hcl');
    const text = await textOf('nginx.hcl');
    const file = await readHclConfig(path);
    const pos = (needle: string, nth = 0): string => positionOf(path, text, needle, nth);
    expect(file.locate(['templates', 1, 'destination'])).toBe(pos('"/etc/nginx/maintenance.flag"'));
    expect(file.locate(['templates', 1, 'destination'], true)).toBe(pos('destination', 1));
    expect(file.locate(['consul', 'ssl', 'ca_cert'])).toBe(pos('"/etc/consul.d/ca.pem"'));
    expect(file.locate(['consul', 'auth', 'password'])).toBe(pos('"secret"'));
    expect(file.locate(['templates', 0, 'wait', 'max'])).toBe(pos('"3s"'));
    expect(file.locate(['templates', 1, 'contents'])).toBe(pos('<<EOF'));
  });

  it('locates list elements, and each template block at its template keyword', async () => {
    const path = fixture('nginx.hcl');
    const text = await textOf('nginx.hcl');
    const file = await readHclConfig(path);
    expect(file.locate(['templates', 0, 'command', 2])).toBe(positionOf(path, text, '"reload"'));
    expect(file.locate(['templates', 1], true)).toBe(positionOf(path, text, 'template {', 1));
    expect(file.locate(['templates', 0])).toBe(positionAfter(path, text, 'template {', '{'));
  });

  it('locates a key consul-template writes elsewhere where it was written (max_stale → consul.max_stale)', async () => {
    const path = fixture('nginx.hcl');
    const text = await textOf('nginx.hcl');
    const file = await readHclConfig(path);
    expect(file.locate(['consul', 'max_stale'])).toBe(positionOf(path, text, '"2s"'));
    expect(file.locate(['consul', 'max_stale'], true)).toBe(positionOf(path, text, 'max_stale'));
    expect(file.locate(['log_level'])).toBe(positionOf(path, text, '"INFO"'));
  });

  it('falls back to the nearest existing parent for a path that is not there', async () => {
    const path = fixture('nginx.hcl');
    const text = await textOf('nginx.hcl');
    const file = await readHclConfig(path);
    expect(file.locate(['templates', 1, 'check'])).toBe(file.locate(['templates', 1]));
    expect(file.locate(['templates', 1, 'check'], true)).toBe(file.locate(['templates', 1]));
    expect(file.locate(['consul', 'ssl', 'nothing', 'deeper'])).toBe(positionAfter(path, text, 'ssl {', '{'));
    expect(file.locate(['nothing'])).toBe(`${path}:1:1`);
  });

  it('reads a JSON config as consul-template does, with positions', async () => {
    const path = fixture('sidecar.json');
    const text = await textOf('sidecar.json');
    const file = await readHclConfig(path);
    expect(file.value).toEqual({
      consul: { address: 'consul.service.consul:8500' },
      exec: { command: "nginx -g 'daemon off;'", reload_signal: 'SIGHUP', kill_timeout: '10s' },
      templates: [
        { source: '/templates/a.ctmpl', destination: '/etc/nginx/conf.d/a.conf' },
        { source: '/templates/b.ctmpl', destination: '/etc/nginx/conf.d/b.conf', perms: '0600' },
      ],
    });
    expect(file.locate(['templates', 1, 'perms'])).toBe(positionOf(path, text, '"0600"'));
    expect(file.locate(['templates', 1], true)).toBe(positionOf(path, text, '"template"'));
  });

  it('reports a syntax error as an InputError at file:line:column with a hint', () => {
    const err = inputErrorOf(() => parseHclText('/etc/ct/ct.hcl', 'consul {\n  address = 127.0.0.1:8500\n}\n'));
    expect(err.where).toBe('/etc/ct/ct.hcl:2:13');
    expect(err.message).toBe('127.0.0.1:8500 must be quoted');
    expect(err.hint).toContain('"127.0.0.1:8500"');
    expect(err.describe()).toContain('/etc/ct/ct.hcl:2:13: 127.0.0.1:8500 must be quoted');
  });

  it('reads CRLF files and a byte order mark with the same positions', () => {
    const file = parseHclText('w.hcl', '\uFEFFtemplate {\r\n  source = "a"\r\n}\r\n');
    expect(file.value).toEqual({ templates: [{ source: 'a' }] });
    expect(file.locate(['templates', 0, 'source'])).toBe('w.hcl:2:12');
  });

  it('names the file it cannot read', async () => {
    const err = await rejection(readHclConfig('/nonexistent/ct.hcl'));
    expect(err.where).toBe('/nonexistent/ct.hcl');
    expect(err.message).toContain('ENOENT');
  });
});

describe('readHclConfigDir: a consul-template config directory', () => {
  it('merges every file, subdirectories included, in name order', async () => {
    const file = await readHclConfigDir(fixture('config-dir'));
    expect(file.value).toEqual({
      consul: { address: '10.0.0.5:8500', token: 'first-token', ssl: { enabled: true }, retry: { attempts: 3 } },
      wait: { min: '5s', max: '20s' },
      log_level: 'debug',
      exec: { command: 'sleep 1000' },
      templates: [
        { source: '/t/a.ctmpl', destination: '/out/a' },
        { source: '/t/b.ctmpl', destination: '/out/b' },
        { source: '/t/c.ctmpl', destination: '/out/c' },
      ],
    });
  });

  it('locates each value in the file it came from', async () => {
    const dir = fixture('config-dir');
    const file = await readHclConfigDir(dir);
    const [first, sub, json] = ['10-consul.hcl', '15-more.d/extra.hcl', '20-override.json'];
    const at = async (name: string, needle: string): Promise<string> => positionOf(join(dir, name), await readFile(join(dir, name), 'utf8'), needle);
    expect(file.locate(['consul', 'address'])).toBe(await at(json, '"10.0.0.5:8500"'));
    expect(file.locate(['consul', 'token'])).toBe(await at(first, '"first-token"'));
    expect(file.locate(['templates', 0, 'destination'])).toBe(await at(first, '"/out/a"'));
    expect(file.locate(['templates', 1, 'source'])).toBe(await at(sub, '"/t/b.ctmpl"'));
    expect(file.locate(['templates', 2], true)).toBe(await at(json, '"template"'));
    expect(file.locate(['wait', 'min'])).toBe(await at(json, '"5s"'));
    // max came from `wait = "2s:20s"` in the first file
    expect(file.locate(['wait', 'max'])).toBe(await at(first, '"2s:20s"'));
  });

  it('reads every file, whatever its name, sorted bytewise (uppercase first)', async () => {
    const dir = await tempDir('ctmpl-hcl-');
    await writeFile(join(dir, 'b.conf'), 'template { source = "b" }');
    await writeFile(join(dir, 'B.hcl'), 'template { source = "B" }');
    await writeFile(join(dir, '.hidden'), 'template { source = "hidden" }');
    const file = await readHclConfigDir(dir);
    expect(file.value).toEqual({ templates: [{ source: 'hidden' }, { source: 'B' }, { source: 'b' }] });
  });

  it('places a syntax error in the file that has it', async () => {
    const dir = await tempDir('ctmpl-hcl-');
    await writeFile(join(dir, 'a.hcl'), 'max_stale = "1s"');
    await writeFile(join(dir, 'b.hcl'), 'consul {\n  address = "x"\n');
    const err = await rejection(readHclConfigDir(dir));
    expect(err.where).toBe(`${join(dir, 'b.hcl')}:1:1`);
  });

  it('reads an empty directory as an empty config, located at the directory', async () => {
    const dir = await tempDir('ctmpl-hcl-');
    const file = await readHclConfigDir(dir);
    expect(file.value).toEqual({});
    expect(file.locate(['templates'])).toBe(dir);
  });

  it('refuses a link to a directory, as consul-template does', async () => {
    const dir = await tempDir('ctmpl-hcl-');
    await mkdir(join(dir, 'real'));
    await symlink(join(dir, 'real'), join(dir, 'linked'));
    const err = await rejection(readHclConfigDir(dir));
    expect(err.where).toBe(join(dir, 'linked'));
  });

  it('names a directory it cannot read', async () => {
    const err = await rejection(readHclConfigDir('/nonexistent/ct.d'));
    expect(err.where).toBe('/nonexistent/ct.d');
  });
});

describe('readHclConfigPath', () => {
  it('reads a directory or a single file, as consul-template -config does', async () => {
    expect((await readHclConfigPath(fixture('config-dir'))).value).toHaveProperty('templates.length', 3);
    expect((await readHclConfigPath(fixture('sidecar.json'))).value).toHaveProperty('templates.length', 2);
    expect((await rejection(readHclConfigPath('/nonexistent'))).where).toBe('/nonexistent');
  });
});
