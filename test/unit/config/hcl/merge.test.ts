import { describe, expect, it } from 'vitest';
import { decodeFile } from '../../../../src/config/hcl/decode.js';
import { mergeConfigNodes } from '../../../../src/config/hcl/merge.js';
import { parseSyntax } from '../../../../src/config/hcl/parser.js';
import { SourceText, whereOf } from '../../../../src/config/hcl/source.js';
import { nodeAt, toPlain, type Node, type ObjectNode } from '../../../../src/config/hcl/tree.js';
import { positionOf } from './position.js';

const decode = (path: string, text: string): ObjectNode => {
  const source = new SourceText(path, text);
  return decodeFile(parseSyntax(source), source, {}, []);
};

/** Files merged in order, as consul-template merges the files of a config directory. */
const mergeAll = (...files: [string, string][]): Node => files.map(([path, text]): Node => decode(path, text)).reduce((a, b) => mergeConfigNodes(a, b));

describe('merging configs as consul-template merges a directory', () => {
  it('appends templates in file order', () => {
    const merged = mergeAll(['a.hcl', 'template { source = "1" }\ntemplate { source = "2" }'], ['b.hcl', 'template { source = "3" }']);
    expect(toPlain(merged)).toEqual({ template: [{ source: '1' }, { source: '2' }, { source: '3' }] });
  });

  it('merges blocks key by key, later values winning, nested blocks too', () => {
    const merged = mergeAll(
      ['a.hcl', 'consul {\n  address = "a:1"\n  token = "t"\n  ssl { enabled = true }\n}'],
      ['b.json', '{"consul": {"address": "b:2", "ssl": {"verify": false}}}'],
    );
    expect(toPlain(merged)).toEqual({ consul: { address: 'b:2', token: 't', ssl: { enabled: true, verify: false } } });
  });

  it('keeps each value pointing at the file it came from', () => {
    const [a, b] = ['consul { token = "t" }', 'consul { address = "b:2" }'];
    const merged = mergeAll(['a.hcl', a], ['b.hcl', b]);
    expect(whereOf((nodeAt(merged, ['consul', 'token']) as Node).at)).toBe(positionOf('a.hcl', a, '"t"'));
    expect(whereOf((nodeAt(merged, ['consul', 'address']) as Node).at)).toBe(positionOf('b.hcl', b, '"b:2"'));
  });

  it('replaces lists such as a command, but appends exec.env lists', () => {
    const merged = mergeAll(
      ['a.hcl', 'exec {\n  command = ["a", "b"]\n  env { custom = ["A=1"] }\n}'],
      ['b.hcl', 'exec {\n  command = ["c"]\n  env { custom = ["B=2"] }\n}'],
    );
    expect(toPlain(merged)).toEqual({ exec: { command: ['c'], env: { custom: ['A=1', 'B=2'] } } });
  });

  it('merges wait = "min:max" with a later wait { } block', () => {
    expect(toPlain(mergeAll(['a.hcl', 'wait = "2s:20s"'], ['b.hcl', 'wait { min = "5s" }']))).toEqual({ wait: { min: '5s', max: '20s' } });
    expect(toPlain(mergeAll(['a.hcl', 'wait { max = "30s" }'], ['b.hcl', 'wait = "5s"']))).toEqual({ wait: { min: '5s', max: '20000ms' } });
  });

  it('lets a later wait string replace an earlier one', () => {
    expect(toPlain(mergeAll(['a.hcl', 'wait = "2s:20s"'], ['b.hcl', 'wait = "1s:3s"']))).toEqual({ wait: '1s:3s' });
  });
});
