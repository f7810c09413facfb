import { BlockList, isIP } from 'node:net';
import type { Instance } from '../../catalog/types.js';
import { InputError } from '../../errors.js';

/**
 * The allowlist, applied before anything else: instances outside it (a test node registered into
 * production by mistake) never reach templates. Each list that is set must match: the address in
 * one of the CIDRs, one of the tags, one of the datacenters.
 */
export interface AllowlistSpec {
  readonly cidrs: readonly string[];
  readonly tags: readonly string[];
  readonly dcs: readonly string[];
}

/** `10.0.0.0/8`, `fd00::/8`; `what` names the flag or config key it came from. */
export function parseCidr(cidr: string, what: string): { net: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [net, bits, extra] = cidr.split('/');
  const family = isIP(net ?? '');
  const prefix = Number(bits);
  const max = family === 6 ? 128 : 32;
  if (family === 0 || extra !== undefined || bits === undefined || !/^\d+$/.test(bits) || prefix > max) {
    throw new InputError(`${what} "${cidr}" is not a CIDR`, undefined, 'write an address and a prefix length, e.g. 10.0.0.0/8 or fd00::/8');
  }
  return { net: net as string, prefix, family: family === 6 ? 'ipv6' : 'ipv4' };
}

export class Allowlist {
  private readonly blocks: BlockList | undefined;

  constructor(private readonly spec: AllowlistSpec) {
    if (spec.cidrs.length === 0) return;
    this.blocks = new BlockList();
    for (const cidr of spec.cidrs) {
      const { net, prefix, family } = parseCidr(cidr, '--allow-cidr');
      this.blocks.addSubnet(net, prefix, family);
    }
  }

  get active(): boolean {
    return this.blocks !== undefined || this.spec.tags.length > 0 || this.spec.dcs.length > 0;
  }

  /** Why an instance is refused, or undefined when it is allowed. */
  refusal(instance: Instance): string | undefined {
    if (this.blocks) {
      const family = isIP(instance.Address);
      if (family === 0 || !this.blocks.check(instance.Address, family === 6 ? 'ipv6' : 'ipv4')) return `address ${instance.Address} is outside --allow-cidr`;
    }
    if (this.spec.tags.length > 0 && !instance.Tags.some((t) => this.spec.tags.includes(t))) return 'no tag in --allow-tag';
    if (this.spec.dcs.length > 0 && !this.spec.dcs.includes(instance.Datacenter)) return `datacenter ${instance.Datacenter} is outside --allow-dc`;
    return undefined;
  }
}
