import { describe, expect, it } from 'vitest';
import { makeInstance, type InstanceFields } from '../../../../src/catalog/instance.js';
import type { Instance } from '../../../../src/catalog/types.js';
import { InputError } from '../../../../src/errors.js';
import { Allowlist } from '../../../../src/feed/guards/allowlist.js';

const inst = (over: Partial<InstanceFields>): Instance => makeInstance({ ID: 'a', Name: 'web', Node: 'n', Address: '10.1.2.3', Port: '80', Tags: [], Meta: {}, Status: 'passing', Datacenter: 'dc1', Source: 'file', ...over });

describe('Allowlist', () => {
  it('is inactive when nothing is set', () => {
    expect(new Allowlist({ cidrs: [], tags: [], dcs: [] }).active).toBe(false);
  });

  it('keeps addresses inside the CIDRs, v4 and v6, and refuses host names and outsiders', () => {
    const a = new Allowlist({ cidrs: ['10.0.0.0/8', 'fd00::/8'], tags: [], dcs: [] });
    expect(a.refusal(inst({}))).toBeUndefined();
    expect(a.refusal(inst({ Address: 'fd00::5' }))).toBeUndefined();
    expect(a.refusal(inst({ Address: '192.168.1.1' }))).toMatch(/outside --allow-cidr/);
    expect(a.refusal(inst({ Address: 'test-box.local' }))).toMatch(/outside --allow-cidr/);
  });

  it('requires one of the tags and one of the datacenters when set', () => {
    const a = new Allowlist({ cidrs: [], tags: ['prod'], dcs: ['dc1'] });
    expect(a.refusal(inst({ Tags: ['prod', 'v1'] }))).toBeUndefined();
    expect(a.refusal(inst({ Tags: ['test'] }))).toMatch(/allow-tag/);
    expect(a.refusal(inst({ Tags: ['prod'], Datacenter: 'dc9' }))).toMatch(/allow-dc/);
  });

  it.each(['10.0.0.0', '10.0.0.0/33', 'nonsense/8', '10.0.0.0/8/1'])('refuses the CIDR %s clearly', (cidr) => {
    expect(() => new Allowlist({ cidrs: [cidr], tags: [], dcs: [] })).toThrow(InputError);
  });
});
