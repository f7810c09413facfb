import type { Instance, TaggedAddress } from './types.js';

/** What a registry must say about an instance; the other fields have defaults (see makeInstance). */
export type InstanceFields = Pick<Instance, 'ID' | 'Name' | 'Address' | 'Port' | 'Status' | 'Source'> &
  Partial<Omit<Instance, 'ID' | 'Name' | 'Address' | 'Port' | 'Status' | 'Source' | 'ServiceMeta' | 'ServiceTaggedAddresses' | 'Held'>>;

const NO_META: Readonly<Record<string, string>> = Object.freeze({});
const NO_TAGGED: Readonly<Record<string, TaggedAddress>> = Object.freeze({});
const DEFAULT_WEIGHTS = Object.freeze({ Passing: '1', Warning: '1' });

/**
 * An instance with every field set: the node defaults to the address (registries without nodes),
 * node address and datacenter to the instance's, weights to Consul's defaults.
 */
export function makeInstance(fields: InstanceFields): Instance {
  const meta = fields.Meta ?? NO_META;
  const tagged = fields.TaggedAddresses ?? NO_TAGGED;
  const datacenter = fields.Datacenter ?? '';
  return {
    ID: fields.ID,
    Name: fields.Name,
    Node: fields.Node ?? fields.Address,
    NodeID: fields.NodeID ?? '',
    NodeAddress: fields.NodeAddress ?? fields.Address,
    NodeDatacenter: fields.NodeDatacenter ?? datacenter,
    NodeMeta: fields.NodeMeta ?? NO_META,
    NodeTaggedAddresses: fields.NodeTaggedAddresses ?? NO_META,
    Address: fields.Address,
    Port: fields.Port,
    Tags: fields.Tags ?? [],
    Meta: meta,
    ServiceMeta: meta,
    TaggedAddresses: tagged,
    ServiceTaggedAddresses: tagged,
    Weights: fields.Weights ?? DEFAULT_WEIGHTS,
    Checks: fields.Checks ?? [],
    Status: fields.Status,
    Datacenter: datacenter,
    Source: fields.Source,
  };
}

/** Instance IDs are unique per node, not per cluster: this is an instance's identity in a service. */
export const instanceKey = (i: Instance): string => `${i.Node}/${i.ID}`;

/** Any JSON value as a template string (objects as JSON). */
export function metaText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
