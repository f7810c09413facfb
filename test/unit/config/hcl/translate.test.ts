import { describe, expect, it } from 'vitest';
import { parseHclText } from '../../../../src/config/hcl/index.js';
import { inputErrorOf } from '../../../support/input-error.js';
import { positionOf } from './position.js';

const read = (text: string) => parseHclText('ct.hcl', text);
const refusal = (text: string) => inputErrorOf(() => read(text));
const pos = (text: string, needle: string, nth = 0) => positionOf('ct.hcl', text, needle, nth);

describe("consul-template's keys in ctmpl's names", () => {
  it('renames blocks and moves keys, keeping their positions', () => {
    const text = 'deduplicate {\n  enabled = true\n  prefix = "ct/"\n}\nmax_stale = "5s"\nblock_query_wait = "30s"\nconsul { address = "a:1" }';
    const file = read(text);
    expect(file.value).toEqual({
      dedup: { enabled: true, prefix: 'ct/' },
      consul: { address: 'a:1', max_stale: '5s', block_query_wait: '30s' },
    });
    expect(file.locate(['dedup', 'prefix'])).toBe(pos(text, '"ct/"'));
    expect(file.locate(['dedup'], true)).toBe(pos(text, 'deduplicate'));
    expect(file.locate(['consul'], true)).toBe(pos(text, 'consul {'));
    expect(file.locate(['consul', 'block_query_wait'], true)).toBe(pos(text, 'block_query_wait'));
  });

  it('makes the consul block for a moved key when the file has none', () => {
    const text = 'max_stale = "5s"';
    const file = read(text);
    expect(file.value).toEqual({ consul: { max_stale: '5s' } });
    expect(file.locate(['consul'])).toBe(pos(text, 'max_stale'));
  });

  it("writes log levels as ctmpl's (err is error)", () => {
    expect(read('log_level = "ERR"').value).toEqual({ log_level: 'error' });
    expect(read('log_level = "Debug"').value).toEqual({ log_level: 'debug' });
  });

  it("reads a template's exec { command timeout } as its command and command_timeout", () => {
    const text = 'template {\n  destination = "/d"\n  exec {\n    command = ["systemctl", "reload", "nginx"]\n    timeout = "10s"\n  }\n}';
    const file = read(text);
    expect(file.value).toEqual({ templates: [{ destination: '/d', command: ['systemctl', 'reload', 'nginx'], command_timeout: '10s' }] });
    expect(file.locate(['templates', 0, 'command', 1])).toBe(pos(text, '"reload"'));
  });

  it('lets exec.command beat a bare command in the same template, as consul-template does', () => {
    const text = 'template {\n  command = "old"\n  exec { command = "new" }\n}';
    const file = read(text);
    expect(file.value).toEqual({ templates: [{ command: 'new' }] });
    expect(file.warnings).toEqual([expect.objectContaining({ where: pos(text, 'command'), message: expect.stringContaining('exec.command in the same template wins') })]);
  });

  it('reads uid and gid as user and group, the names winning when both are given', () => {
    expect(read('template {\n  uid = 1000\n  gid = 1000\n}').value).toEqual({ templates: [{ user: 1000, group: 1000 }] });
    const both = read('template {\n  uid = 1000\n  user = "www"\n}');
    expect(both.value).toEqual({ templates: [{ user: 'www' }] });
    expect(both.warnings[0]?.message).toContain('uid is ignored');
  });

  it('keeps wait as written: a "min:max" string or a block', () => {
    expect(read('wait = "2s:10s"\ntemplate { wait = "1s" }').value).toEqual({ wait: '2s:10s', templates: [{ wait: '1s' }] });
    expect(read('wait { min = "2s" }').value).toEqual({ wait: { min: '2s' } });
  });

  it("keeps keys consul-template lacks where they are, for ctmpl's schema to judge", () => {
    const text = 'sources = ["consul:"]\nconsul { cached = true }\ntemplate {\n  source = "s"\n  check = "nginx -t -c {{staged}}"\n  destinaton = "/typo"\n}';
    const file = read(text);
    expect(file.value).toEqual({
      sources: ['consul:'],
      consul: { cached: true },
      templates: [{ source: 's', check: 'nginx -t -c {{staged}}', destinaton: '/typo' }],
    });
    expect(file.locate(['templates', 0, 'destinaton'], true)).toBe(pos(text, 'destinaton'));
  });

  it('warns where consul-template reads a command string differently (it splits at commas)', () => {
    const file = read('exec { command = "sh -c \'a, b\'" }');
    expect(file.warnings[0]?.message).toContain('splits a command string at commas');
  });

  it('warns about perms written as a decimal number', () => {
    const file = read('template { perms = 644 }');
    expect(file.value).toEqual({ templates: [{ perms: 644 }] });
    expect(file.warnings[0]?.message).toContain('write 0644');
    expect(read('template { perms = 0644 }').warnings).toEqual([]);
  });

  it('refuses two keys that fill the same ctmpl key', () => {
    const text = 'max_stale = "1s"\nconsul { max_stale = "2s" }';
    const err = refusal(text);
    expect(err.message).toBe('consul.max_stale and max_stale both set consul.max_stale');
    expect(err.where).toBe(pos(text, 'max_stale', 1));
  });
});

describe('keys ctmpl refuses or ignores', () => {
  it('refuses vault { } at its key, saying what to do instead', () => {
    const text = 'template { source = "a" }\nvault {\n  address = "https://vault:8200"\n}';
    const err = refusal(text);
    expect(err.where).toBe(pos(text, 'vault'));
    expect(err.message).toBe("consul-template's vault { } is not supported");
    expect(err.hint).toBe('ctmpl does not read Vault; render secrets with consul-template or vault agent');
  });

  it('accepts refused keys whose value changes nothing', () => {
    const file = read('vault { enabled = false }\nnomad { enabled = false }\nconsul { namespace = "default" }\nonce = false\nsyslog { enabled = false }');
    expect(file.value).toEqual({ consul: {} });
    expect(file.warnings).toEqual([]);
    expect(read('default_delimiters {\n  left = "{{"\n  right = "}}"\n}').value).toEqual({});
    expect(read('exec {\n  command = "x"\n  enabled = true\n  env { custom = [] }\n}').value).toEqual({ exec: { command: 'x' } });
  });

  it('refuses a Consul namespace, other delimiters, exec env, once, and function denylists', () => {
    const namespaced = 'consul {\n  namespace = "team-a"\n}';
    expect(refusal(namespaced).where).toBe(pos(namespaced, 'namespace'));
    expect(refusal('default_delimiters { left = "[[" }').hint).toContain('Handlebars');
    expect(refusal('exec {\n  command = "x"\n  env { custom = ["A=1"] }\n}').message).toBe("consul-template's exec.env { } is not supported");
    expect(refusal('once = true').hint).toBe('pass --once on the command line');
    expect(refusal('template { function_denylist = ["plugin"] }').hint).toContain('env_allow');
    expect(refusal('wait { bool = false }').hint).toContain('wait = "0"');
  });

  it('drops logging and connection tuning with a warning', () => {
    const text = 'log_file { path = "/var/log/ct.log" }\nconsul {\n  address = "a"\n  transport { dial_timeout = "5s" }\n}\ntemplate_error_fatal = true';
    const file = read(text);
    expect(file.value).toEqual({ consul: { address: 'a' } });
    expect(file.warnings.map((w) => [w.where, w.message])).toEqual([
      [pos(text, 'log_file'), "consul-template's log_file { } is ignored"],
      [pos(text, 'transport'), "consul-template's consul.transport { } is ignored"],
      [pos(text, 'template_error_fatal'), "consul-template's template_error_fatal is ignored"],
    ]);
    expect(file.warnings[0]?.hint).toContain('stdout');
  });

  it('refuses an unknown key inside a block ctmpl takes apart, with the nearest name', () => {
    const text = 'template {\n  exec { comand = "x" }\n}';
    const err = refusal(text);
    expect(err.where).toBe(pos(text, 'comand'));
    expect(err.message).toBe('unknown key "comand" in template.exec { }');
    expect(err.hint).toBe('did you mean "command"?');
  });

  it('refuses a block given as a plain value', () => {
    expect(refusal('template { exec = "x" }').message).toBe('template.exec must be a block');
  });
});
