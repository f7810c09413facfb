import { describe, expect, it } from 'vitest';
import { buildProgram, registryFlags } from '../../../src/cli/program.js';
import { REGISTRIES } from '../../../src/registries/list.js';

describe('buildProgram', () => {
  it('has each long flag once, the registry block flags included', () => {
    const longs = buildProgram().options.map((o) => o.long);
    expect(new Set(longs).size).toBe(longs.length);
    for (const { flag } of registryFlags()) expect(longs).toContain(flag.flags.split(/[ ,]/)[0]);
  });

  it('gives every repeatable flag an empty list by default, and every switch false', () => {
    const program = buildProgram();
    program.parse([], { from: 'user' });
    expect(program.opts()).toMatchObject({ template: [], source: [], once: false, dry: false, allowTag: [] });
  });
});

describe('registryFlags', () => {
  it("lists each registry block's flags with the block they set", () => {
    const blocks = new Set(REGISTRIES.flatMap((r) => (r.shared ? [r.shared.key] : [])));
    const flags = registryFlags();
    expect(new Set(flags.map((f) => f.block))).toEqual(blocks);
    expect(flags.find((f) => f.flag.flags.startsWith('--consul-addr'))).toMatchObject({ block: 'consul', flag: { key: ['address'] } });
  });
});
