import { parse as parseYAML } from 'yaml';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodingHelpers } from '../../../../src/template/helpers/encoding.js';
import { caller, renderText } from './call.js';

const call = caller(encodingHelpers);

// Expected bytes: what consul-template v0.42.1 printed for the same value (see golden/).
const MIXED = { b: [1, 'x', null, true], a: { c: '<&>\u2028' }, é: 1.5, Z: {} };
const KEYS = { 10: 1, 9: 2, a10: 3, a2: 4, '': 5 };
const STRINGS = ['yes', 'no', 'on', '1.5', '0755', '2001-01-01', '12:30', '', '~', ' lead', 'a: b', '#c', 'multi\nline', 'multi\nline\n', 'tab\there', 'é😀', `${'x'.repeat(90)} y`];
const NESTED = { long: Array(20).fill('lorem').join(' '), nested: { list: [{ k: 'v', n: [] }], empty: {} } };

describe('toJSON, toJSONPretty, toUnescapedJSON: Go\'s encoding/json', () => {
  it('sorts map keys by their bytes and escapes < > & U+2028 U+2029', () => {
    expect(call('toJSON', MIXED)).toBe('{"Z":{},"a":{"c":"\\u003c\\u0026\\u003e\\u2028"},"b":[1,"x",null,true],"é":1.5}');
    expect(call('toJSON', KEYS)).toBe('{"":5,"10":1,"9":2,"a10":3,"a2":4}');
    expect(call('toUnescapedJSON', { a: '<&>' })).toBe('{"a":"<&>"}');
  });

  it('indents by two spaces (json.MarshalIndent), empty maps and lists inline', () => {
    expect(call('toJSONPretty', NESTED)).toBe(
      '{\n  "long": "lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem",\n  "nested": {\n    "empty": {},\n    "list": [\n      {\n        "k": "v",\n        "n": []\n      }\n    ]\n  }\n}',
    );
    expect(call('toJSONPretty', MIXED)).toBe('{\n  "Z": {},\n  "a": {\n    "c": "\\u003c\\u0026\\u003e\\u2028"\n  },\n  "b": [\n    1,\n    "x",\n    null,\n    true\n  ],\n  "é": 1.5\n}');
  });

  it('writes numbers as Go does (1e+21, -0) and refuses what JSON cannot hold', () => {
    expect(call('toJSON', [1e21, 1e-7, -0, 0.1])).toBe('[1e+21,1e-7,-0,0.1]');
    expect(call('toJSON', null)).toBe('null');
    expect(call('toJSON', undefined)).toBe('null');
    expect(() => call('toJSON', NaN)).toThrow(/^toJSON: unsupported value NaN/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => call('toJSONPretty', cycle)).toThrow('toJSONPretty: the value contains itself (a cycle)');
  });

  it('keeps the field order of ctmpl\'s catalog records, as Go keeps a struct\'s', () => {
    const instance = { ID: 'a', Name: 'web', Node: 'n1', Address: '10.0.0.1', Port: '80', Tags: [], Meta: { z: '1', a: '2' }, Checks: [], Status: 'passing', Source: 'file' };
    expect(call('toJSON', instance)).toBe('{"ID":"a","Name":"web","Node":"n1","Address":"10.0.0.1","Port":"80","Tags":[],"Meta":{"a":"2","z":"1"},"Checks":[],"Status":"passing","Source":"file"}');
  });

  it('leaves `json` (escape.ts) as it was: insertion order, no HTML escapes', () => {
    expect(renderText('{{json (parseJSON "{\\"b\\":\\"<\\",\\"a\\":1}")}}')).toBe('{"b":"<","a":1}');
  });
});

describe('toYAML: gopkg.in/yaml.v2, trimmed', () => {
  it('orders keys naturally (9 before 10, a2 before a10) and quotes keys that read as numbers', () => {
    expect(call('toYAML', KEYS)).toBe('"": 5\n"9": 2\n"10": 1\na2: 4\na10: 3');
    expect(call('toYAML', MIXED)).toBe("Z: {}\na:\n  c: '<&>\u2028'\nb:\n- 1\n- x\n- null\n- true\né: 1.5");
  });

  it('chooses each string\'s style as yaml.v2 does', () => {
    expect(call('toYAML', STRINGS)).toBe(
      `- "yes"\n- "no"\n- "on"\n- "1.5"\n- "0755"\n- "2001-01-01"\n- "12:30"\n- ""\n- "~"\n- ' lead'\n- 'a: b'\n- '#c'\n- |-\n  multi\n  line\n- |\n  multi\n  line\n- "tab\\there"\n- "é\\U0001F600"\n- ${'x'.repeat(90)}\n  y`,
    );
  });

  it('folds long lines at spaces after column 80 and indents nested lists under their key', () => {
    expect(call('toYAML', NESTED)).toBe('long: lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem lorem\n  lorem lorem lorem lorem lorem lorem lorem\nnested:\n  empty: {}\n  list:\n  - k: v\n    "n": []');
  });

  it('writes scalars on their own', () => {
    expect(call('toYAML', 1e21)).toBe('1e+21');
    expect(call('toYAML', null)).toBe('null');
    expect(call('toYAML', 'plain')).toBe('plain');
    expect(call('toYAML', '-0')).toBe('"-0"');
    expect(call('toYAML', [Infinity, -Infinity, NaN])).toBe('- .inf\n- -.inf\n- .nan');
  });

  it('reads back as the same data with a YAML 1.1 parser', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'y', 'n', ' ', ':', '#', '-', '\n', "'", '"', '1', 'é', '\t'), maxLength: 12 });
    const data = fc.dictionary(fc.string({ unit: fc.constantFrom('a', 'b', '1', 'é'), minLength: 1, maxLength: 3 }), fc.oneof(text, fc.array(text, { maxLength: 3 }), fc.dictionary(text.filter((k) => k !== '' && !k.includes('\n')), text, { maxKeys: 2 })), { maxKeys: 4 });
    // consul-template trims the document, which drops the trailing line breaks of a last literal block.
    const trailingBreak = (v: unknown): boolean => (typeof v === 'string' ? v.endsWith('\n') : v !== null && typeof v === 'object' && Object.values(v).some(trailingBreak));
    fc.assert(fc.property(data.filter((v) => !trailingBreak(v)), (v) => {
      expect(parseYAML(call('toYAML', v) as string, { version: '1.1' })).toEqual(v);
    }), { numRuns: 200 });
  });

  it('refuses keys yaml.v2 would write as complex keys', () => {
    expect(() => call('toYAML', { 'a\nb': 1 })).toThrow(/^toYAML: map keys longer than 128 bytes or with line breaks/);
  });
});

describe('parseJSON', () => {
  it('parses JSON, "" as an empty map, numbers as numbers (so toJSON gives them back)', () => {
    expect(call('parseJSON', '')).toEqual({});
    expect(call('parseJSON', '{"a":[1,2.5,"x",null,true]}')).toEqual({ a: [1, 2.5, 'x', null, true] });
    expect(renderText('{{toJSON (parseJSON "{\\"b\\":1,\\"a\\":2.50}")}}')).toBe('{"a":2.5,"b":1}');
  });

  it('hands JSON numbers over as numbers: printf "%v" prints them as Go does', () => {
    const template = '{{#with (parseJSON "{\\"n\\":1000000}") as |j|}}{{printf "%v" j.n}}|{{j.n}}{{/with}}';
    expect(renderText(template)).toBe('1e+06|1000000');
  });

  it('reads a lone surrogate escape as U+FFFD and refuses a number no float64 holds, as Go', () => {
    expect(call('parseJSON', '"\\ud800"')).toBe('\ufffd');
    expect(() => call('parseJSON', '{"x":1e400}')).toThrow(/^parseJSON: a number is out of range/);
    expect(() => call('parseJSON', '[1')).toThrow(/^parseJSON: /);
  });

  it('keeps a key named __proto__ an ordinary key', () => {
    const value = call('parseJSON', '{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('base64 and hashes', () => {
  it.each([
    ['base64Encode', 'hello', 'aGVsbG8='],
    ['base64Decode', 'aGVsbG8=', 'hello'],
    ['base64Decode', 'aGVs\nbG8=', 'hello'],
    ['base64URLEncode', '>>>???', 'Pj4-Pz8_'],
    ['base64URLDecode', 'Pj4-Pz8_', '>>>???'],
    ['sha256Hex', 'hello', '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'],
    ['md5sum', 'hello', '5d41402abc4b2a76b9719d911017c592'],
  ])('%s %j is %j', (name, input, expected) => expect(call(name, input)).toBe(expected));

  it('hmacSHA256Hex takes the message, then the key', () => {
    expect(call('hmacSHA256Hex', 'somemessage', 'somekey')).toBe('6116e95f2827172aa6ef8b22b883f6a77e966aefc129c6b8228ebd0aac74e98d');
  });

  it.each([
    ['base64Decode', 'aGVsbG8', 'illegal base64 data at input byte 7'],
    ['base64Decode', 'aGVs bG8=', 'illegal base64 data at input byte 4'],
    ['base64Decode', 'Pj4-Pz8_', 'illegal base64 data at input byte 3'],
    ['base64URLDecode', 'Pj4+Pz8/', 'illegal base64 data at input byte 3'],
    ['base64Decode', 'YQ=', 'illegal base64 data at input byte 3'],
  ])('%s %j is an error, as Go\'s strict decoder', (name, input, message) => {
    expect(() => call(name, input)).toThrow(`${name}: ${message}`);
  });
});
