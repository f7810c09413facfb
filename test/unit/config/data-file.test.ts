import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { parseDataText, readDataFile, validateDataFile } from '../../../src/config/data-file.js';
import { inputErrorOf } from '../../support/input-error.js';
import { tempDir } from '../../support/tmp.js';

const YAML = 'templates:\n  - source: a.hbs\n    destination: a.conf\n    wait: soon\nwait: 2s\n';
const JSON_TEXT = '{\n  "templates": [\n    {\n      "source": "a.hbs",\n      "wait": "soon"\n    }\n  ],\n  "wait": "2s"\n}\n';

describe('parseDataText', () => {
  it('reads YAML and gives the position of any value, or of its nearest existing parent', () => {
    const file = parseDataText('/c.yaml', YAML);
    expect(file.value).toEqual({ templates: [{ source: 'a.hbs', destination: 'a.conf', wait: 'soon' }], wait: '2s' });
    expect(file.locate(['templates', 0, 'wait'])).toBe('/c.yaml:4:11');
    expect(file.locate(['wait'])).toBe('/c.yaml:5:7');
    expect(file.locate(['templates', 0, 'nope'])).toBe('/c.yaml:2:5');
    expect(file.locate([])).toBe('/c.yaml:1:1');
  });

  it('gives the position of a key itself when asked (for an unknown key)', () => {
    const file = parseDataText('/c.yaml', YAML);
    expect(file.locate(['templates', 0, 'wait'], true)).toBe('/c.yaml:4:5');
  });

  it('reads JSON through the fast path, with the same positions when an error needs them', () => {
    const file = parseDataText('/c.json', JSON_TEXT);
    expect(file.value).toEqual({ templates: [{ source: 'a.hbs', wait: 'soon' }], wait: '2s' });
    expect(file.locate(['templates', 0, 'wait'])).toBe('/c.json:5:15');
    expect(file.locate(['wait'], true)).toBe('/c.json:8:3');
  });

  it('reads text that only starts like JSON as YAML', () => {
    expect(parseDataText('/c.yaml', '[a, b]\n').value).toEqual(['a', 'b']);
    expect(parseDataText('/c.yaml', '{a: 1}\n').value).toEqual({ a: 1 });
  });

  it('refuses broken syntax and duplicate keys at their position', () => {
    expect(inputErrorOf(() => parseDataText('/c.yaml', 'a: 1\nb: [\n')).where).toMatch(/^\/c\.yaml:\d+:\d+$/);
    const duplicate = inputErrorOf(() => parseDataText('/c.yaml', 'a: 1\na: 2\n'));
    expect(duplicate.where).toBe('/c.yaml:2:1');
    expect(duplicate.message).toMatch(/unique/);
  });

  it('refuses a billion-laughs document', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...'bcdefghij'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(',')}]`)].join('\n');
    expect(() => parseDataText('/c.yaml', bomb)).toThrow();
  });
});

describe('validateDataFile', () => {
  const schema = z.strictObject({ wait: z.string().optional(), templates: z.array(z.strictObject({ source: z.string(), destination: z.string().optional(), wait: z.number().optional() })).optional() });

  it('gives the parsed value when it fits the schema', () => {
    expect(validateDataFile(parseDataText('/c.yaml', 'wait: 2s\n'), schema, 'hint')).toEqual({ wait: '2s' });
    expect(validateDataFile(parseDataText('/c.yaml', ''), schema, 'hint'), 'an empty file is an empty object').toEqual({});
  });

  it('names the first problem with its dotted key and the position of its value', () => {
    const err = inputErrorOf(() => validateDataFile(parseDataText('/c.yaml', YAML), schema, 'see the docs'));
    expect(err.describe()).toBe('/c.yaml:4:11: templates.0.wait: Invalid input: expected number, received string\n  hint: see the docs');
  });

  it('names an unknown key at the key itself', () => {
    const err = inputErrorOf(() => validateDataFile(parseDataText('/c.yaml', 'wait: 2s\ntemplates:\n  - source: a\n    colour: red\n'), schema, 'hint'));
    expect(err.message).toBe('unknown key "colour" in templates.0');
    expect(err.where).toBe('/c.yaml:4:5');
  });
});

describe('readDataFile', () => {
  it('reads a file, and names one it cannot read', async () => {
    const dir = await tempDir('ctmpl-data-');
    await writeFile(join(dir, 'c.json'), '{"wait": "1s"}');
    expect((await readDataFile(join(dir, 'c.json'), 'config file')).value).toEqual({ wait: '1s' });
    await expect(readDataFile(join(dir, 'none.yaml'), 'config file')).rejects.toThrow('cannot read config file (ENOENT)');
  });
});
