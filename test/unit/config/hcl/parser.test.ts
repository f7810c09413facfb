import { describe, expect, it } from 'vitest';
import { parseSyntax, type AstValue } from '../../../../src/config/hcl/parser.js';
import { SourceText } from '../../../../src/config/hcl/source.js';
import { inputErrorOf } from '../../../support/input-error.js';

const parse = (text: string, path = 't.hcl') => parseSyntax(new SourceText(path, text));
const parseError = (text: string, path = 't.hcl') => inputErrorOf(() => parse(text, path));

/** The tree without offsets, to compare shapes. */
function shape(value: AstValue): unknown {
  if (value.kind === 'literal') return value.value;
  if (value.kind === 'list') return value.items.map(shape);
  return value.items.map((item) => [item.keys.map((k) => k.name).join(' '), shape(item.value)]);
}

describe('HCL 1 syntax', () => {
  it('reads key = value pairs, blocks, lists and nested blocks, in order', () => {
    const ast = parse('a = "x"\nb { c = 1  d { e = true } }\nf = [1, "two", [3], { g = 4 },]\n');
    expect(shape(ast)).toEqual([
      ['a', 'x'],
      ['b', [['c', 1], ['d', [['e', true]]]]],
      ['f', [1, 'two', [3], [['g', 4]]]],
    ]);
  });

  it('takes several pairs on one line, commas between them, and = before a block', () => {
    expect(shape(parse('ssl { enabled = true  verify = false }\nm = { p = 1, q = 2 }'))).toEqual([
      ['ssl', [['enabled', true], ['verify', false]]],
      ['m', [['p', 1], ['q', 2]]],
    ]);
  });

  it('reads quoted keys and block labels', () => {
    expect(shape(parse('"quoted key" = 1\nblock "label" { x = 1 }'))).toEqual([
      ['quoted key', 1],
      ['block label', [['x', 1]]],
    ]);
  });

  it('reads an empty file and a file of comments as no keys', () => {
    expect(shape(parse(''))).toEqual([]);
    expect(shape(parse('# nothing\n// here\n'))).toEqual([]);
  });

  it('keeps the offset of every key and value', () => {
    const text = 'template {\n  perms = 0644\n}';
    const source = new SourceText('t.hcl', text);
    const ast = parseSyntax(source);
    const block = ast.items[0];
    const inner = block?.value.kind === 'object' ? block.value.items[0] : undefined;
    expect(source.where(block?.keys[0]?.start ?? -1)).toBe('t.hcl:1:1');
    expect(source.where(block?.value.start ?? -1)).toBe('t.hcl:1:10');
    expect(source.where(inner?.keys[0]?.start ?? -1)).toBe('t.hcl:2:3');
    expect(source.where(inner?.value.start ?? -1)).toBe('t.hcl:2:11');
  });

  it('names a block that is never closed, at its key', () => {
    const err = parseError('consul {\n  address = "x"\n  ssl { enabled = true\n}\ntemplate { source = "a" }\n');
    expect(err.where).toBe('t.hcl:1:1');
    expect(err.message).toBe('block consul { is never closed');
    expect(err.hint).toContain('"}"');
  });

  it('places a stray "}" and says no block is open', () => {
    const err = parseError('a = 1\n}\n');
    expect(err.where).toBe('t.hcl:2:1');
    expect(err.message).toContain('no block is open');
  });

  it('asks for quotes around a bare word value', () => {
    const err = parseError('log_level = warn');
    expect(err.where).toBe('t.hcl:1:13');
    expect(err.message).toBe('the bare word warn is not a value');
    expect(err.hint).toBe('put it in double quotes: "warn"');
  });

  it('says when "=" is missing between a key and its value', () => {
    const err = parseError('template {\n  source "a.ctmpl"\n}');
    expect(err.where).toBe('t.hcl:2:10');
    expect(err.message).toBe('expected "=" between source and "a.ctmpl"');
    expect(err.hint).toBe('write source = "a.ctmpl"');
    const number = parseError('max_stale 5');
    expect(number.where).toBe('t.hcl:1:11');
    expect(number.message).toBe('expected "=" or "{" after max_stale, found 5');
  });

  it('points ":" out as JSON habit in an HCL file', () => {
    const err = parseError('address: "x"');
    expect(err.where).toBe('t.hcl:1:8');
    expect(err.hint).toBe('write address = value');
  });

  it('refuses two keys before "="', () => {
    const err = parseError('source "a" = "b"');
    expect(err.where).toBe('t.hcl:1:8');
    expect(err.message).toContain('two keys');
  });

  it('places a value missing at the end of the file', () => {
    const err = parseError('a = 1\nb =');
    expect(err.where).toBe('t.hcl:2:4');
    expect(err.message).toBe('expected a value, found the end of the file');
  });

  it('asks for commas between list items and names an unclosed list', () => {
    const missing = parseError('command = ["nginx" "-s"]');
    expect(missing.where).toBe('t.hcl:1:20');
    expect(missing.hint).toContain('commas');
    const open = parseError('command = ["nginx",\n');
    expect(open.where).toBe('t.hcl:1:11');
    expect(open.message).toContain('never closed');
  });

  it('refuses a key that is missing before "="', () => {
    expect(parseError('= 1').message).toBe('a key is missing before "="');
  });
});

describe('JSON syntax (a file whose first character is "{")', () => {
  it('reads objects, arrays, null and trailing commas', () => {
    const ast = parse('\n {"consul": {"address": "a"}, "template": [{"source": "s",},], "x": null}', 't.json');
    expect(shape(ast)).toEqual([
      ['consul', [['address', 'a']]],
      ['template', [[['source', 's']]]],
      ['x', null],
    ]);
  });

  it('places JSON syntax errors', () => {
    const colon = parseError('{"a" 1}', 't.json');
    expect(colon.where).toBe('t.json:1:6');
    expect(colon.message).toBe('expected ":" after "a"');
    expect(parseError('{"a": 1 "b": 2}', 't.json').where).toBe('t.json:1:9');
    expect(parseError('{"a": 1}\n{"b": 2}', 't.json').where).toBe('t.json:2:1');
    expect(parseError('{\n"a": [1,\n', 't.json').where).toBe('t.json:2:6');
    expect(parseError('{"a": 1', 't.json').message).toContain('never closed');
  });

  it('refuses bare keys in JSON', () => {
    expect(parseError('{a: 1}', 't.json').message).toContain('expected a "key" in double quotes');
  });
});

describe('agreement with hashicorp/hcl 1 (outcomes taken from running it on each input)', () => {
  const refusedByBoth = ['a = 08', 'a = 10s', "a = 'x'", 'a = "open\nb = 1', 'a = "bad \\q"', 'a { b = 1', '}', 'a = [1 2]', 'a = [1,'];
  const moreRefused = ['a = b', 'a: 1', 'a "b" = 1', '= 1', 'a = <<EOF\nx\n', 'a = 1 /* open', 'a = 1 / 2', 'a = -', 'a = 0x', 'a = +1', 'a = true false'];
  it.each([...refusedByBoth, ...moreRefused])('refuses %j with a position', (text) => {
    expect(parseError(text).where).toMatch(/^t\.hcl:\d+:\d+$/);
  });

  it.each(['a = 1.', 'a = { b = 1, }', 'a = "${"in"}"', 'a = 1 b = 2', 'a = [1, [2], 3,]'])('accepts %j', (text) => {
    expect(() => parse(text)).not.toThrow();
  });

  it.each(['{"a": 1,}', '{"a": [1,],}'])('accepts the JSON %j with trailing commas', (text) => {
    expect(() => parse(text, 't.json')).not.toThrow();
  });
});

