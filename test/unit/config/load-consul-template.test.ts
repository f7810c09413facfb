import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../src/cli/parse.js';
import { loadConfig, type ConfigWarning, type FlagValues } from '../../../src/config/load.js';
import { InputError } from '../../../src/errors.js';
import type { ConsulSettings } from '../../../src/registries/consul/settings.js';
import { tempDir } from '../../support/tmp.js';
import { positionAfter, positionOf } from './hcl/position.js';

const flags = (over: Partial<FlagValues> = {}): FlagValues => ({ template: [], source: [], once: false, dry: false, ...over });

/** A working directory with these files (consul-template resolves relative paths against it). */
async function workspace(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('ctmpl-ct-config-');
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

async function loadError(f: FlagValues, cwd: string): Promise<InputError> {
  const err = await loadConfig(f, cwd, { env: {} }).catch((e: unknown) => e);
  if (err instanceof InputError) return err;
  throw new Error(`expected an InputError, got ${String(err)}`);
}

const consulOf = (config: Awaited<ReturnType<typeof loadConfig>>): ConsulSettings => config.sources[0]?.settings as ConsulSettings;

const NGINX_HCL = `consul {
  address = "127.0.0.1:8500"
  auth { enabled = true  username = "ct"  password = "secret" }
  ssl { enabled = true  verify = false  ca_cert = "ca.pem"  server_name = "consul.local" }
  retry { enabled = true  attempts = 3  backoff = "100ms"  max_backoff = "2s" }
}
max_stale = "5s"
log_level = "err"
kill_signal = "SIGQUIT"
reload_signal = "SIGUSR2"
pid_file = "run/ct.pid"
wait { min = "2s"  max = "10s" }
exec { command = ["sh", "-c", "exec nginx -g 'daemon off;'"]  kill_signal = "SIGQUIT"  kill_timeout = "5s" }
deduplicate { enabled = false }

template {
  source      = "upstreams.ctmpl"
  destination = "out/upstreams.conf"
  command     = ["nginx", "-s", "reload"]
  command_timeout = "45s"
  perms       = 0644
  wait { min = "1s" }
}

template {
  contents    = "{{key \\"maintenance\\"}}"
  destination = "out/maintenance"
  command     = "touch out/reloaded"
  command_timeout = "10s"
  backup      = true
  create_dest_dirs = true
  error_on_missing_key = false
  left_delimiter = "{{"
}
`;

describe("loadConfig: consul-template's HCL config", () => {
  it("reads its keys with consul-template's meanings, paths relative to the working directory", async () => {
    const dir = await workspace({ 'conf/ct.hcl': NGINX_HCL, 'upstreams.ctmpl': '', 'ca.pem': '' });
    const warnings: ConfigWarning[] = [];
    const config = await loadConfig(flags({ config: 'conf/ct.hcl' }), dir, { env: {}, warnings });
    expect(consulOf(config)).toMatchObject({
      scheme: 'https',
      address: '127.0.0.1:8500',
      auth: 'ct:secret',
      maxStaleMs: 5000,
      tls: { verify: false, caCert: join(dir, 'ca.pem'), serverName: 'consul.local' },
      retry: { enabled: true, attempts: 3, backoffMs: 100, maxBackoffMs: 2000 },
    });
    expect(config).toMatchObject({ logLevel: 'error', wait: { minMs: 2000, maxMs: 10_000 }, pidFile: join(dir, 'run/ct.pid'), reloadSignal: 'SIGUSR2', dedup: undefined });
    expect(config.stopSignals).toEqual(['SIGTERM', 'SIGINT', 'SIGQUIT']);
    expect(config.exec).toMatchObject({ command: `sh -c 'exec nginx -g '\\''daemon off;'\\'''`, killSignal: 'SIGQUIT', killTimeoutMs: 5000 });
    expect(config.templates[0]).toMatchObject({ source: join(dir, 'upstreams.ctmpl'), destination: join(dir, 'out/upstreams.conf'), command: 'nginx -s reload', perms: 0o644, wait: { minMs: 1000, maxMs: 4000 } });
    expect(config.templates[1]).toMatchObject({ contents: '{{key "maintenance"}}', destination: join(dir, 'out/maintenance'), command: 'touch out/reloaded', backup: true });
    expect(config.templates[1]?.source).toBe(`${positionOf(join(dir, 'conf/ct.hcl'), NGINX_HCL, '"{{key')} (templates[1].contents)`);
    // One timeout for every command: the longest template's, and a warning for the other.
    expect(config.commandTimeoutMs).toBe(45_000);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^templates\[1\]\.command_timeout is 10000 ms, but ctmpl has one timeout for every command: 45000 ms/)]);
    expect(warnings[0]?.where).toBe(positionAfter(join(dir, 'conf/ct.hcl'), NGINX_HCL, 'command_timeout = "10s"', '"10s"'));
  });

  it("gives exec consul-template's defaults where ctmpl's differ: restart the child on a change, stop it with SIGINT", async () => {
    const dir = await workspace({ 'ct.hcl': 'exec { command = "sleep 600" }\ntemplate {\n  source = "a.tmpl"\n  destination = "a.out"\n}\n', 'a.tmpl': '' });
    const config = await loadConfig(flags({ config: 'ct.hcl' }), dir, { env: {} });
    expect(config.exec).toMatchObject({ command: 'sleep 600', reloadSignal: undefined, killSignal: 'SIGINT' });
    const yaml = await workspace({ 'ctmpl.yaml': 'exec: { command: sleep 600 }\ntemplates: [{ source: a.tmpl, destination: a.out }]\n', 'a.tmpl': '' });
    expect((await loadConfig(flags({ config: 'ctmpl.yaml' }), yaml, { env: {} })).exec).toMatchObject({ reloadSignal: 'SIGHUP', killSignal: undefined });
  });

  it('merges several -config paths and a directory in order, as consul-template does', async () => {
    const dir = await workspace({
      'a.hcl': 'consul { address = "10.0.0.1:8500" }\ntemplate { source = "a.tmpl" destination = "a.out" }\nwait = "1s:2s"\n',
      'conf.d/10.hcl': 'consul { retry { attempts = 4 } }\ntemplate { source = "b.tmpl" destination = "b.out" }\n',
      'conf.d/20.json': '{ "wait": { "max": "8s" }, "consul": { "address": "10.0.0.2:8500" } }',
      'a.tmpl': '',
      'b.tmpl': '',
    });
    const config = await loadConfig(flags({ config: ['a.hcl', 'conf.d'] }), dir, { env: {} });
    expect(config.templates.map((t) => t.destination)).toEqual([join(dir, 'a.out'), join(dir, 'b.out')]);
    expect(consulOf(config)).toMatchObject({ address: '10.0.0.2:8500', retry: { attempts: 4 } });
    expect(config.wait).toEqual({ minMs: 1000, maxMs: 8000 });
  });

  it('lets flags (their consul-template names too) win over the HCL file', async () => {
    const dir = await workspace({ 'ct.hcl': 'consul { retry { attempts = 4 } }\ntemplate { source = "a.tmpl" destination = "a.out" }\n', 'a.tmpl': '' });
    const parsed = parseArgs(['-config=ct.hcl', '-consul-retry-attempts=1', '-retry', '50ms', '-consul-auth', 'ops', '-consul-ssl-server-name=consul.example']);
    if (parsed.kind !== 'run') throw new Error('expected a run');
    const consul = consulOf(await loadConfig(parsed.flags, dir, { env: {} }));
    expect(consul).toMatchObject({ retry: { attempts: 1, backoffMs: 50 }, auth: 'ops:', tls: { serverName: 'consul.example' } });
  });

  it('names a misspelt key at file:line:col with the nearest name', async () => {
    const text = 'consul {\n  adress = "127.0.0.1:8500"\n}\ntemplate {\n  source = "a"\n  destinaton = "b"\n}\n';
    const dir = await workspace({ 'ct.hcl': text });
    const err = await loadError(flags({ config: 'ct.hcl' }), dir);
    expect(err.where).toBe(positionOf(join(dir, 'ct.hcl'), text, 'adress'));
    expect(err.message).toBe('unknown key "adress" in consul');
    expect(err.hint).toMatch(/^did you mean "address"\?/);
    const second = text.replace('adress', 'address');
    await writeFile(join(dir, 'ct.hcl'), second);
    const again = await loadError(flags({ config: 'ct.hcl' }), dir);
    expect(again.where).toBe(positionOf(join(dir, 'ct.hcl'), second, 'destinaton'));
    expect(again.hint).toMatch(/^did you mean "destination"\?/);
  });

  it.each([
    ['vault { address = "https://vault:8200" }\n', 'vault', /consul-template's vault \{ \} is not supported/, /does not read Vault/],
    ['template {\n  source = "a"\n  destination = "b"\n  left_delimiter = "[["\n}\n', 'left_delimiter', /left_delimiter/, /always use \{\{/],
    ['template {\n  source = "a"\n  destination = "b"\n  create_dest_dirs = false\n}\n', 'create_dest_dirs', /create_dest_dirs/, /./],
    ['reload_signal = "SIGUSR1"\ntemplate {\n  source = "a"\n  destination = "b"\n}\n', 'SIGUSR1', /reload_signal/, /releases held instances/],
    ['kill_signal = "SIGHUP"\ntemplate {\n  source = "a"\n  destination = "b"\n}\n', 'SIGHUP', /also the reload signal/, /different/],
  ])('refuses what ctmpl cannot do, at the key, saying what to do: %j', async (text, needle, message, hint) => {
    const dir = await workspace({ 'ct.hcl': text, a: '' });
    const err = await loadError(flags({ config: 'ct.hcl' }), dir);
    expect(err.message).toMatch(message);
    expect(err.describe()).toMatch(hint);
    const line = text.slice(0, text.indexOf(needle)).split('\n').length;
    expect(err.where).toMatch(new RegExp(`^${join(dir, 'ct.hcl').replace(/[/.]/g, '\\$&')}:${line}:`));
  });

  it('refuses several --config when one is YAML or JSON', async () => {
    const dir = await workspace({ 'a.hcl': '', 'b.yaml': '' });
    expect((await loadError(flags({ config: ['a.hcl', 'b.yaml'] }), dir)).message).toMatch(/is YAML or JSON/);
  });
});

describe('loadConfig: YAML and JSON configs take the same forms', () => {
  it("takes consul-template's list form of a command and wait as { min, max }", async () => {
    const dir = await workspace({
      'ctmpl.yaml': 'command: [systemctl, reload, nginx]\nwait: { min: 2s, max: 10s }\nexec: { command: [nginx, -g, "daemon off;"] }\ntemplates:\n  - { source: a.hbs, destination: a.conf, command: [nginx, -s, reload], wait: { min: 1s } }\n',
      'a.hbs': '',
    });
    const config = await loadConfig(flags({ config: 'ctmpl.yaml' }), dir, { env: {} });
    expect(config).toMatchObject({ command: 'systemctl reload nginx', wait: { minMs: 2000, maxMs: 10_000 }, exec: { command: `nginx -g 'daemon off;'` } });
    expect(config.templates[0]).toMatchObject({ command: 'nginx -s reload', wait: { minMs: 1000, maxMs: 4000 } });
  });

  it.each([
    ['template:\n  - { source: a, destination: b }\n', 'unknown key "template"', /consul-template's template \{ \} is templates in ctmpl/],
    ['templates:\n  - { source: a, destinaton: b }\n', 'unknown key "destinaton" in templates.0', /did you mean "destination"/],
    ['deduplicate: { enabled: true }\n', 'unknown key "deduplicate"', /is dedup in ctmpl/],
  ])('suggests the key ctmpl reads for an unknown one: %j', async (text, message, hint) => {
    const dir = await workspace({ 'ctmpl.yaml': text });
    const err = await loadError(flags({ config: 'ctmpl.yaml' }), dir);
    expect(err.message).toBe(message);
    expect(err.hint).toMatch(hint);
  });

  it('says which forms a value may take instead of "Invalid input"', async () => {
    const dir = await workspace({ 'ctmpl.yaml': 'wait: [1s, 2s]\n' });
    const err = await loadError(flags({ config: 'ctmpl.yaml' }), dir);
    expect(err.message).toBe('wait: expected a string or a number or a block of keys');
    const inner = await workspace({ 'ctmpl.yaml': 'wait: { min: 1s, mx: 2s }\n' });
    expect((await loadError(flags({ config: 'ctmpl.yaml' }), inner)).message).toBe('unknown key "mx" in wait');
  });
});
