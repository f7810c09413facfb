import { describe, expect, it } from 'vitest';
import { decodeFile } from '../../../../src/config/hcl/decode.js';
import { parseSyntax } from '../../../../src/config/hcl/parser.js';
import { SourceText, whereOf } from '../../../../src/config/hcl/source.js';
import { nodeAt, toPlain, type Node } from '../../../../src/config/hcl/tree.js';
import type { HclReadOptions, HclWarning } from '../../../../src/config/hcl/warning.js';
import { inputErrorOf } from '../../../support/input-error.js';
import { positionOf } from './position.js';

/** A file decoded with consul-template's names (before ctmpl's names are applied). */
function decode(text: string, options: HclReadOptions = {}, path = 'ct.hcl') {
  const source = new SourceText(path, text);
  const warnings: HclWarning[] = [];
  const root = decodeFile(parseSyntax(source), source, options, warnings);
  const at = (keys: (string | number)[]): Node => {
    const node = nodeAt(root, keys);
    if (!node) throw new Error(`nothing at ${keys.join('.')}`);
    return node;
  };
  return { value: toPlain(root) as Record<string, unknown>, warnings, at, pos: (needle: string, nth = 0) => positionOf(path, text, needle, nth) };
}

describe('decoding a consul-template file', () => {
  it('lists template blocks in order, a single one as a list of one', () => {
    expect(decode('template { source = "a" }\nmax_stale = "1s"\ntemplate { source = "b" }').value.template).toEqual([{ source: 'a' }, { source: 'b' }]);
    expect(decode('template { source = "a" }').value.template).toEqual([{ source: 'a' }]);
  });

  it('keeps where each template block and its keys were written', () => {
    const text = 'template { source = "a" }\n\ntemplate {\n  destination = "/b"\n}';
    const file = decode(text);
    expect(whereOf(file.at(['template', 1]).keyAt)).toBe(file.pos('template', 1));
    expect(whereOf(file.at(['template', 1]).at)).toBe(file.pos('{', 1));
    expect(whereOf(file.at(['template', 1, 'destination']).at)).toBe(file.pos('"/b"'));
  });

  it('reads JSON template arrays and a single JSON template object alike', () => {
    expect(decode('{"template": [{"source": "a"}, {"source": "b"}]}', {}, 'ct.json').value.template).toEqual([{ source: 'a' }, { source: 'b' }]);
    expect(decode('{"template": {"source": "a"}}', {}, 'ct.json').value.template).toEqual([{ source: 'a' }]);
  });

  it('keeps only the last of a block given twice, as consul-template does, and warns at the dropped one', () => {
    const file = decode('consul {\n  address = "a:1"\n  token = "t1"\n}\nconsul {\n  address = "b:2"\n}');
    expect(file.value.consul).toEqual({ address: 'b:2' });
    expect(file.warnings).toHaveLength(1);
    expect(file.warnings[0]?.where).toBe(file.pos('consul'));
    expect(file.warnings[0]?.message).toContain(`appears again at ${file.pos('consul', 1)}`);
    expect(file.warnings[0]?.message).toContain('this one is ignored');
  });

  it('merges a block given twice key by key, later keys winning, when asked to', () => {
    const text = 'consul {\n  address = "a:1"\n  token = "t1"\n  ssl { enabled = true }\n}\nconsul {\n  address = "b:2"\n  ssl { verify = false }\n}';
    const file = decode(text, { repeatedBlocks: 'merge' });
    expect(file.value.consul).toEqual({ address: 'b:2', token: 't1', ssl: { enabled: true, verify: false } });
    expect(whereOf(file.at(['consul', 'token']).at)).toBe(file.pos('"t1"'));
    expect(whereOf(file.at(['consul', 'address']).at)).toBe(file.pos('"b:2"'));
    expect(file.warnings[0]?.message).toContain('consul-template would keep only the last one');
  });

  it('lets the later of a key set twice win, with a warning', () => {
    const file = decode('max_stale = "1s"\nmax_stale = "3s"');
    expect(file.value.max_stale).toBe('3s');
    expect(file.warnings[0]?.message).toContain('set again');
  });

  it('refuses a key given both as a value and as a block', () => {
    const err = inputErrorOf(() => decode('wait = "1s:2s"\nwait { max = "9s" }'));
    expect(err.where).toBe('ct.hcl:2:1');
    expect(err.message).toContain('both as a value and as a block');
  });

  it('reads a JSON list of blocks where consul-template expects one block as repeated blocks', () => {
    const file = decode('{"consul": [{"address": "a"}, {"token": "t"}]}', { repeatedBlocks: 'merge' }, 'ct.json');
    expect(file.value.consul).toEqual({ address: 'a', token: 't' });
  });

  it('reads the old consul = "host:port" as consul { address }, with a warning', () => {
    const file = decode('consul = "10.0.0.1:8500"');
    expect(file.value.consul).toEqual({ address: '10.0.0.1:8500' });
    expect(whereOf(file.at(['consul', 'address']).at)).toBe(file.pos('"10.0.0.1'));
    expect(file.warnings[0]?.hint).toBe('write consul { address = "…" }');
  });

  it('nests block labels as HCL 1 does', () => {
    expect(decode('template "web" { source = "a" }').value.template).toEqual([{ web: { source: 'a' } }]);
  });

  it("refuses ctmpl's YAML name templates, and a template that is not a block", () => {
    expect(inputErrorOf(() => decode('templates = []')).hint).toContain('template { … }');
    const err = inputErrorOf(() => decode('template = "x"'));
    expect(err.where).toBe('ct.hcl:1:12');
    expect(err.message).toBe('template must be a block, not a value');
  });

  it('keeps list elements with their own positions', () => {
    const file = decode('command = [\n  "nginx",\n  "-s", "reload"\n]');
    expect(file.value.command).toEqual(['nginx', '-s', 'reload']);
    expect(whereOf(file.at(['command', 2]).at)).toBe(file.pos('"reload"'));
    expect(whereOf(file.at(['command']).at)).toBe(file.pos('['));
  });
});
