import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../src/config/defaults.js';
import { loadConfig, type FlagValues } from '../../../src/config/load.js';
import { InputError } from '../../../src/errors.js';

const flags = (over: Partial<FlagValues> = {}): FlagValues => ({ template: [], source: [], once: false, dry: false, ...over });

async function loadError(f: FlagValues, cwd = '/work'): Promise<InputError> {
  const err = await loadConfig(f, cwd).catch((e: unknown) => e);
  if (err instanceof InputError) return err;
  throw new Error(`expected an InputError, got ${String(err)}`);
}

/** A directory holding the files a config names (templates, catalogs): loadConfig checks they exist. */
function workDir(...files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctmpl-work-'));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), '');
  }
  return dir;
}

function configFile(text: string, name = 'ctmpl.yaml'): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ctmpl-config-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return { dir, path };
}

describe('loadConfig', () => {
  it('applies defaults: wait 1s:5s, command timeout 30s, log level info', async () => {
    const w = workDir('a.hbs', 'c.yaml');
    const config = await loadConfig(flags({ template: ['a.hbs:b.conf'], source: ['file:c.yaml'] }), w);
    expect(config).toMatchObject({ wait: DEFAULTS.wait, commandTimeoutMs: 30_000, logLevel: 'info', command: undefined });
    expect(config.templates[0]).toMatchObject({ source: join(w, 'a.hbs'), destination: join(w, 'b.conf'), sandbox: w, backup: false });
  });

  it('uses Consul when no source is given, with CONSUL_HTTP_* settings under flags', async () => {
    const saved = { ...process.env };
    try {
      process.env.CONSUL_HTTP_ADDR = 'https://consul.example:8501';
      process.env.CONSUL_HTTP_TOKEN = 'from-env';
      const config = await loadConfig(flags({ template: ['a:b'], blocks: { consul: { token: { flag: '--consul-token', value: 'from-flag' }, max_stale: { flag: '--max-stale', value: '5s' } } } }), workDir('a'));
      expect(config.sources).toHaveLength(1);
      expect(config.sources[0]).toMatchObject({ name: 'consul', registry: 'consul' });
      expect(config.sources[0]?.settings).toMatchObject({ scheme: 'https', address: 'consul.example:8501', token: 'from-flag', maxStaleMs: 5000, blockWaitMs: 60_000 });
    } finally {
      process.env = saved;
    }
  });

  it('lets a consul:// URI name the address, over CONSUL_HTTP_ADDR', async () => {
    const config = await loadConfig(flags({ template: ['a:b'], source: ['consul://10.1.1.1:8500'] }), workDir('a'));
    expect(config.sources[0]?.settings).toMatchObject({ scheme: 'http', address: '10.1.1.1:8500' });
  });

  it('requires a template', async () => {
    expect((await loadError(flags({ source: ['file:c.yaml'] }))).message).toBe('no template given');
  });

  it('refuses two templates with one destination', async () => {
    const err = await loadError(flags({ source: ['file:c'], template: ['a.hbs:out', 'b.hbs:out'] }));
    expect(err.message).toMatch(/two templates write/);
  });

  it('asks for names when two sources would share one', async () => {
    const err = await loadError(flags({ template: ['a:b'], source: ['file:x', 'file:y'] }));
    expect(err.message).toBe('two sources are named "file"');
    expect(err.hint).toMatch(/--source a=file/);
  });

  it('resolves config file paths against its directory and lets flags override its settings', async () => {
    const { dir, path } = configFile(`
sources: { main: catalog.yaml-is-not-a-uri }
`);
    expect((await loadError(flags({ config: path }), dir)).message).toMatch(/sources\.main: "catalog.yaml-is-not-a-uri" is not a source URI/);

    const good = configFile(`
sources: [ "file:catalog.yaml" ]
wait: 2s:10s
command: nginx -s reload
command_timeout: 10s
templates:
  - source: t/up.hbs
    destination: out/up.conf
    perms: "0640"
    backup: true
    wait: 0
`);
    for (const f of ['catalog.yaml', 't/up.hbs']) {
      mkdirSync(dirname(join(good.dir, f)), { recursive: true });
      writeFileSync(join(good.dir, f), '');
    }
    const cwd = workDir('x.hbs');
    const config = await loadConfig(flags({ config: good.path, wait: '0', template: ['x.hbs:y.conf'] }), cwd);
    expect(config.sources).toEqual([{ name: 'file', registry: 'file', settings: { path: join(good.dir, 'catalog.yaml') }, description: `file:${join(good.dir, 'catalog.yaml')}` }]);
    expect(config.wait).toEqual({ minMs: 0, maxMs: 0 });
    expect(config.command).toBe('nginx -s reload');
    expect(config.commandTimeoutMs).toBe(10_000);
    expect(config.templates).toEqual([
      { source: join(good.dir, 't/up.hbs'), destination: join(good.dir, 'out/up.conf'), command: undefined, wait: { minMs: 0, maxMs: 0 }, perms: 0o640, backup: true, sandbox: join(good.dir, 't'), strict: false },
      { source: join(cwd, 'x.hbs'), destination: join(cwd, 'y.conf'), command: undefined, wait: undefined, perms: undefined, backup: false, sandbox: cwd, strict: false },
    ]);
  });

  it('names an unknown config key with its position', async () => {
    const { path } = configFile('sources: ["file:c.yaml"]\ntemplates:\n  - source: a\n    destination: b\n    comand: x\n');
    const err = await loadError(flags({ config: path }));
    expect(err.message).toBe('unknown key "comand" in templates.0');
    expect(err.where).toBe(`${path}:5:5`);
  });

  it('names a config value of the wrong type with its position', async () => {
    const { path: p2 } = configFile('{"sources": ["file:c"], "templates": [{"source": "a", "destination": "b", "backup": "yes"}]}', 'c.json');
    const err2 = await loadError(flags({ config: p2 }));
    expect(err2.message).toMatch(/templates\.0\.backup: .*boolean/);
    expect(err2.where).toBe(`${p2}:1:85`);
  });

  it('names a bad wait in the config file', async () => {
    const { path } = configFile('sources: ["file:c"]\nwait: soon\ntemplates: [{ source: a, destination: b }]\n');
    const err = await loadError(flags({ config: path }));
    expect(err.message).toBe('wait: "soon" is not a duration');
    expect(err.where).toBe(`${path}:2:7`);
  });

  it('places errors found after the schema at the key, a list element at its own line', async () => {
    const { dir, path } = configFile('sources: ["file:c.yaml"]\ntemplates: [{ source: a, destination: b }]\nallow:\n  cidrs:\n    - 10.0.0.0/8\n    - 10.0.0.0/99\n');
    const err = await loadError(flags({ config: path }), dir);
    expect(err.message).toBe('allow.cidrs[1]: "10.0.0.0/99" is not a CIDR');
    expect(err.where).toBe(`${path}:6:7`);
  });

  it.each([
    ['sources: []\ntemplates: [{ source: a, destination: b }]\n', 'sources', 1],
    ['sources: {}\ntemplates: [{ source: a, destination: b }]\n', 'sources', 1],
    ['sources: ["file:c.yaml"]\ntemplates: []\n', 'templates', 2],
  ])('refuses an empty list instead of falling back to a default: %j', async (text, key, line) => {
    const { dir, path } = configFile(text);
    const err = await loadError(flags({ config: path }), dir);
    expect(err.message).toMatch(new RegExp(`^${key}: .*no (source|template)`));
    expect(err.where).toMatch(new RegExp(`^${path}:${line}:`));
  });

  it('checks that named files exist once everything else parses, naming the key or the flag', async () => {
    const { dir, path } = configFile('sources: ["file:c.yaml"]\ntemplates:\n  - source: missing.hbs\n    destination: out\n');
    writeFileSync(join(dir, 'c.yaml'), '');
    const fromKey = await loadError(flags({ config: path }), dir);
    expect(fromKey.message).toBe(`templates[0].source: the template ${join(dir, 'missing.hbs')} does not exist`);
    expect(fromKey.where).toBe(`${path}:3:13`);
    const fromFlag = await loadError(flags({ source: ['file:c.yaml'], template: ['gone.hbs:out'] }), dir);
    expect(fromFlag.message).toBe(`--template "gone.hbs:out": the template ${join(dir, 'gone.hbs')} does not exist`);
    const settingsFirst = await loadError(flags({ source: ['file:c.yaml'], template: ['gone.hbs:out'], wait: 'soon' }), dir);
    expect(settingsFirst.message).toBe('--wait: "soon" is not a duration');
  });

  it('checks Consul TLS paths only when a Consul source is in use', async () => {
    const w = workDir('a', 'c.yaml');
    const consul = await loadError(flags({ template: ['a:b'], blocks: { consul: { 'ssl.ca_path': { flag: '--consul-ca-path', value: 'no-such-dir' } } } }), w);
    expect(consul.message).toBe(`--consul-ca-path: the Consul CA directory ${join(w, 'no-such-dir')} does not exist`);
    await expect(loadConfig(flags({ template: ['a:b'], source: ['file:c.yaml'], blocks: { consul: { 'ssl.ca_path': { flag: '--consul-ca-path', value: 'no-such-dir' } } } }), w)).resolves.toBeDefined();
  });

  it('never shows credentials written into a Consul address', async () => {
    const { dir, path } = configFile('templates: [{ source: a, destination: b }]\nconsul:\n  address: http://admin:hunter2@127.0.0.1:8500\n');
    const fromKey = await loadError(flags({ config: path }), dir);
    expect(fromKey.message).toBe('consul.address: credentials in the address are not accepted');
    expect(fromKey.where).toBe(`${path}:3:12`);
    const fromSource = await loadError(flags({ template: ['a:b'], source: ['consul://admin:hunter2@127.0.0.1:8500'] }), workDir('a'));
    expect(fromSource.describe()).not.toContain('hunter2');
    expect(fromSource.message).toMatch(/^--source "consul:\/\/…@127\.0\.0\.1:8500": credentials/);
  });

  it.each([
    ['zk://ctmpl@127.0.0.1:2181/dubbo?password_file=missing.pw', /cannot read the ZooKeeper password file \(ENOENT\)/],
    ['etcd://ctmpl@127.0.0.1:2379/services?password_file=missing.pw', /cannot read the etcd password file \(ENOENT\)/],
    ['etcd+https://127.0.0.1:2379/services?cacert=missing.pem', /the etcd caCert file .*missing\.pem does not exist/],
  ])('reads registry credentials files at load, so a SIGHUP with a broken one is refused: %s', async (uri, reason) => {
    const err = await loadError(flags({ template: ['a:b'], source: [uri] }), workDir('a'));
    expect(err.message).toMatch(new RegExp(`^--source "${uri.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}": `));
    expect(err.message).toMatch(reason);
  });

  it('checks exec settings even without an exec command (a typo is still a typo)', async () => {
    const err = await loadError(flags({ template: ['a:b'], source: ['file:c.yaml'], execKillTimeout: 'soon' }), workDir('a', 'c.yaml'));
    expect(err.message).toBe('--exec-kill-timeout: "soon" is not a duration');
  });

  it('says which config file cannot be read', async () => {
    const err = await loadError(flags({ config: '/nonexistent/ctmpl.yaml' }));
    expect(err.message).toMatch(/cannot read config file \(ENOENT\)/);
    expect(err.where).toBe('/nonexistent/ctmpl.yaml');
  });
});
