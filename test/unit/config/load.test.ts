import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseSourceSpec, parseTemplateSpec, type FlagValues } from '../../../src/config/load.js';
import { DEFAULT_WAIT } from '../../../src/config/schema.js';
import { InputError } from '../../../src/errors.js';

const flags = (over: Partial<FlagValues> = {}): FlagValues => ({ template: [], source: [], once: false, dry: false, ...over });

async function loadError(f: FlagValues, cwd = '/work'): Promise<InputError> {
  const err = await loadConfig(f, cwd).catch((e: unknown) => e);
  if (err instanceof InputError) return err;
  throw new Error(`expected an InputError, got ${String(err)}`);
}

function configFile(text: string, name = 'ctmpl.yaml'): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ctmpl-config-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return { dir, path };
}

describe('parseTemplateSpec', () => {
  it('splits src:dest and keeps colons inside the command', () => {
    expect(parseTemplateSpec('in.hbs:out.conf:docker kill -s HUP web:1', '/base')).toEqual({
      source: '/base/in.hbs',
      destination: '/base/out.conf',
      command: 'docker kill -s HUP web:1',
    });
  });

  it('has no command when only src:dest is given', () => {
    expect(parseTemplateSpec('/a.hbs:/b.conf', '/x').command).toBeUndefined();
  });

  it.each(['in.hbs', ':out', 'in.hbs:'])('refuses "%s"', (spec) => {
    expect(() => parseTemplateSpec(spec, '/x')).toThrow(/expected SOURCE:DESTINATION/);
  });
});

describe('parseSourceSpec', () => {
  it('reads file:PATH relative to a base directory, named after its scheme', () => {
    expect(parseSourceSpec('file:cat.yaml', '/base', 'x')).toMatchObject({ name: 'file', scheme: 'file', target: '/base/cat.yaml' });
  });

  it('reads name=file:///abs', () => {
    expect(parseSourceSpec('prod=file:///etc/cat.yaml', '/base', 'x')).toMatchObject({ name: 'prod', target: '/etc/cat.yaml' });
  });

  it('says a planned registry is not available yet', () => {
    expect(() => parseSourceSpec('nacos://127.0.0.1:8848/web', '/', '--source')).toThrow(/nacos source is not available/);
  });

  it.each([
    ['consul:', ''],
    ['consul://', ''],
    ['consul://10.0.0.5:8500', 'http://10.0.0.5:8500'],
    ['consul+https://consul.service:8501/', 'https://consul.service:8501'],
  ])('reads %s as a Consul source', (spec, target) => {
    expect(parseSourceSpec(spec, '/', 'x')).toEqual({ name: 'consul', scheme: 'consul', target, explicitName: false });
  });

  it('refuses something that is not a URI', () => {
    expect(() => parseSourceSpec('catalog.yaml', '/', '--source')).toThrow(/not a source URI/);
  });
});

describe('loadConfig', () => {
  it('applies defaults: wait 1s:5s, command timeout 30s, log level info', async () => {
    const config = await loadConfig(flags({ template: ['a.hbs:b.conf'], source: ['file:c.yaml'] }), '/w');
    expect(config).toMatchObject({ wait: DEFAULT_WAIT, commandTimeoutMs: 30_000, logLevel: 'info', command: undefined });
    expect(config.templates[0]).toMatchObject({ source: '/w/a.hbs', destination: '/w/b.conf', sandbox: '/w', backup: false });
  });

  it('uses Consul when no source is given, with CONSUL_HTTP_* settings under flags', async () => {
    const saved = { ...process.env };
    try {
      process.env.CONSUL_HTTP_ADDR = 'https://consul.example:8501';
      process.env.CONSUL_HTTP_TOKEN = 'from-env';
      const config = await loadConfig(flags({ template: ['a:b'], consul: { token: 'from-flag', maxStale: '5s' } }), '/w');
      expect(config.sources).toHaveLength(1);
      expect(config.sources[0]).toMatchObject({ name: 'consul', scheme: 'consul' });
      expect(config.sources[0]?.consul).toMatchObject({ scheme: 'https', address: 'consul.example:8501', token: 'from-flag', maxStaleMs: 5000, blockWaitMs: 60_000 });
    } finally {
      process.env = saved;
    }
  });

  it('lets a consul:// URI name the address, over CONSUL_HTTP_ADDR', async () => {
    const config = await loadConfig(flags({ template: ['a:b'], source: ['consul://10.1.1.1:8500'] }), '/w');
    expect(config.sources[0]?.consul).toMatchObject({ scheme: 'http', address: '10.1.1.1:8500' });
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
    const config = await loadConfig(flags({ config: good.path, wait: '0', template: ['x.hbs:y.conf'] }), '/cwd');
    expect(config.sources).toEqual([{ name: 'file', scheme: 'file', target: join(good.dir, 'catalog.yaml') }]);
    expect(config.wait).toEqual({ minMs: 0, maxMs: 0 });
    expect(config.command).toBe('nginx -s reload');
    expect(config.commandTimeoutMs).toBe(10_000);
    expect(config.templates).toEqual([
      { source: join(good.dir, 't/up.hbs'), destination: join(good.dir, 'out/up.conf'), command: undefined, wait: { minMs: 0, maxMs: 0 }, perms: 0o640, backup: true, sandbox: join(good.dir, 't') },
      { source: '/cwd/x.hbs', destination: '/cwd/y.conf', command: undefined, wait: undefined, perms: undefined, backup: false, sandbox: '/cwd' },
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
    expect(err.message).toMatch(/wait: "soon" is not a duration/);
    expect(err.message).toContain(path);
  });

  it('says which config file cannot be read', async () => {
    const err = await loadError(flags({ config: '/nonexistent/ctmpl.yaml' }));
    expect(err.message).toMatch(/cannot read config file \(ENOENT\)/);
    expect(err.where).toBe('/nonexistent/ctmpl.yaml');
  });
});
