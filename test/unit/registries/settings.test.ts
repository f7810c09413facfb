import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BlockFlagValue } from '../../../src/config/flags.js';
import { parseSourceSpec, sourcesFrom } from '../../../src/registries/settings.js';
import { blockContext, configPath } from '../../support/block-context.js';
import { inputErrorOf } from '../../support/input-error.js';
import { tempDir } from '../../support/tmp.js';

/** Block flags as the command line gives them: `--consul-addr X` sets consul.address. */
const consulFlags = (values: Record<string, BlockFlagValue>) => ({ blocks: { consul: values } });

describe('parseSourceSpec', () => {
  it('reads file:PATH relative to a base directory, named after its scheme', () => {
    expect(parseSourceSpec('file:cat.yaml', '/base', 'x')).toEqual({ name: 'file', registry: 'file', settings: { path: '/base/cat.yaml' } });
  });

  it('reads name=file:///abs', () => {
    expect(parseSourceSpec('prod=file:///etc/cat.yaml', '/base', 'x')).toMatchObject({ name: 'prod', settings: { path: '/etc/cat.yaml' } });
  });

  it('names the URI forms it knows when the scheme is unknown', () => {
    expect(() => parseSourceSpec('mdns://local/web', '/', '--source')).toThrow(/not a source URI/);
    try {
      parseSourceSpec('mdns://local/web', '/', '--source');
    } catch (err) {
      expect((err as { hint?: string }).hint).toContain('file:PATH');
    }
  });

  it.each([
    ['consul:', 'http', '127.0.0.1:8500'],
    ['consul://', 'http', '127.0.0.1:8500'],
    ['consul://10.0.0.5:8500', 'http', '10.0.0.5:8500'],
    ['consul+https://consul.service:8501/', 'https', 'consul.service:8501'],
  ])('reads %s as a Consul source', (spec, scheme, address) => {
    expect(parseSourceSpec(spec, '/', 'x', {})).toMatchObject({ name: 'consul', registry: 'consul', settings: { scheme, address } });
  });

  it('refuses something that is not a URI', () => {
    expect(() => parseSourceSpec('catalog.yaml', '/', '--source')).toThrow(/not a source URI/);
  });
});

describe('sourcesFrom', () => {
  it('takes the file sources (paths against its directory), then the flag sources (against the working directory)', () => {
    const { ctx } = blockContext({ file: 'sources: [file:cat.yaml]\n', fileDir: '/conf', cwd: '/work', flags: { source: ['lab=file:lab.yaml'] } });
    expect(sourcesFrom(ctx)).toEqual([
      { name: 'file', registry: 'file', settings: { path: '/conf/cat.yaml' }, description: 'file:/conf/cat.yaml' },
      { name: 'lab', registry: 'file', settings: { path: '/work/lab.yaml' }, description: 'file:/work/lab.yaml' },
    ]);
  });

  it('names sources by the map of the config file, else by their scheme without its +transport', () => {
    const { ctx } = blockContext({ file: 'sources:\n  web: file:web.yaml\n  reg: "consul://10.0.0.1:8500"\n', flags: { source: ['consul+https://10.0.0.2:8501'] } });
    expect(sourcesFrom(ctx).map((s) => `${s.name} ${s.registry} ${s.description}`)).toEqual([
      'web file file:/conf/web.yaml',
      'reg consul consul+http://10.0.0.1:8500',
      'consul consul consul+https://10.0.0.2:8501',
    ]);
  });

  it('uses Consul when no source is given, from the environment', () => {
    const [source] = sourcesFrom(blockContext({ env: { CONSUL_HTTP_ADDR: '10.0.0.9:8500' } }).ctx);
    expect(source).toMatchObject({ name: 'consul', registry: 'consul', description: 'consul+http://10.0.0.9:8500' });
  });

  it('reads a registry block from the file, its flags winning over it, and it over the environment', () => {
    const env = { CONSUL_HTTP_ADDR: '10.0.0.9:8500' };
    const file = 'sources: ["consul:"]\nconsul:\n  address: 10.0.0.1:8500\n  max_stale: 5s\n';
    expect(sourcesFrom(blockContext({ env, file }).ctx)[0]?.settings).toMatchObject({ address: '10.0.0.1:8500', maxStaleMs: 5000 });
    const flags = consulFlags({ address: { flag: '--consul-addr', value: '10.0.0.2:8500' } });
    expect(sourcesFrom(blockContext({ env, file, flags }).ctx)[0]?.settings).toMatchObject({ address: '10.0.0.2:8500', maxStaleMs: 5000 });
    expect(sourcesFrom(blockContext({ file, flags: { source: ['other=consul://10.0.0.3:8500'] } }).ctx)[1]?.settings, 'an address in the URI wins').toMatchObject({ address: '10.0.0.3:8500', maxStaleMs: 5000 });
  });

  it('checks every registry block, even of a registry no source uses (a typo is a typo)', () => {
    const err = inputErrorOf(() => sourcesFrom(blockContext({ file: 'sources: [file:cat.yaml]\nconsul:\n  address: "ftp://10.0.0.1:8500"\n' }).ctx));
    expect(err.describe()).toMatch(new RegExp(`^${configPath()}:3:\\d+: consul\\.address`));
  });

  it('refuses two sources with one name, asking for names when they have none', () => {
    const unnamed = inputErrorOf(() => sourcesFrom(blockContext({ flags: { source: ['file:a.yaml', 'file:b.yaml'] } }).ctx));
    expect(unnamed.message).toBe('two sources are named "file"');
    expect(unnamed.hint).toBe('name them: --source a=file:… --source b=file:…');
    const named = inputErrorOf(() => sourcesFrom(blockContext({ flags: { source: ['x=file:a.yaml', 'x=file:b.yaml'] } }).ctx));
    expect(named.hint).toBe('give each source a different name');
    const inFile = inputErrorOf(() => sourcesFrom(blockContext({ file: 'sources:\n  - file:a.yaml\n  - file:b.yaml\n' }).ctx));
    expect(inFile.describe()).toMatch(new RegExp(`^${configPath()}:3:\\d+: sources\\[1\\]: two sources are named "file"`));
  });

  it('names the flag of a bad source without the credentials written into it', () => {
    const err = inputErrorOf(() => sourcesFrom(blockContext({ flags: { source: ['consul://admin:s3cret@10.0.0.1:8500'] } }).ctx));
    expect(err.message).toMatch(/^--source "consul:\/\/…@10\.0\.0\.1:8500"/);
    expect(err.describe()).not.toContain('s3cret');
  });

  it("queues the files a source names, reported against the source's flag or key", async () => {
    const dir = await tempDir('ctmpl-sources-');
    await writeFile(join(dir, 'cat.yaml'), 'services: {}\n');
    const { ctx, checks } = blockContext({ file: 'sources: [file:cat.yaml]\n', fileDir: dir, cwd: dir, flags: { source: ['lab=file:missing.yaml'] } });
    sourcesFrom(ctx);
    expect(checks.map((c) => c.origin)).toEqual(['sources[0]', '--source "lab=file:missing.yaml"']);
    await expect(checks[0]?.run()).resolves.toBeUndefined();
    await expect(checks[1]?.run()).rejects.toThrow(`--source "lab=file:missing.yaml": the catalog file ${join(dir, 'missing.yaml')} does not exist`);
  });

  it("queues a registry block's files against the block key or the flag that named them, and only for a registry in use", async () => {
    const dir = await tempDir('ctmpl-sources-');
    const block = 'consul:\n  token_file: token\n  ssl:\n    ca_cert: ca.pem\n';
    const inUse = blockContext({ file: `sources: ["consul:"]\n${block}`, fileDir: dir });
    sourcesFrom(inUse.ctx);
    expect(inUse.checks.map((c) => c.origin)).toEqual(['consul.token_file', 'consul.ssl.ca_cert']);
    await expect(inUse.checks[0]?.run()).rejects.toThrow(/^consul\.token_file: /);

    const byFlag = blockContext({ file: 'sources: ["consul:"]\n', fileDir: dir, flags: consulFlags({ token_file: { flag: '--consul-token-file', value: 'token' } }) });
    sourcesFrom(byFlag.ctx);
    expect(byFlag.checks.map((c) => c.origin)).toEqual(['--consul-token-file']);

    const unused = blockContext({ file: `sources: [file:cat.yaml]\n${block}`, fileDir: dir });
    sourcesFrom(unused.ctx);
    expect(unused.checks.map((c) => c.origin)).toEqual(['sources[0]']);
  });
});
