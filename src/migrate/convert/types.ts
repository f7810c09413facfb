/**
 * The static types the converter tracks for Go values. Go decides truth, printing and comparison
 * by type (an int 0 is false, a map prints as `map[k:v]`), while ctmpl hands every number to
 * templates as a string; knowing the Go type of each expression is what lets the converter emit
 * Handlebars that behaves the same, or refuse.
 */
export type GoType =
  | { readonly k: 'string' }
  | { readonly k: 'int' }
  | { readonly k: 'float' }
  | { readonly k: 'bool' }
  | { readonly k: 'nil' }
  | { readonly k: 'list'; readonly of: GoType }
  | { readonly k: 'map'; readonly of: GoType }
  | { readonly k: 'struct'; readonly name: StructName }
  /** A value whose Go type is only known at run time (parseJSON, scratch): interface{}. */
  | { readonly k: 'any' };

export const STRING: GoType = { k: 'string' };
export const INT: GoType = { k: 'int' };
export const FLOAT: GoType = { k: 'float' };
export const BOOL: GoType = { k: 'bool' };
export const NIL: GoType = { k: 'nil' };
export const ANY: GoType = { k: 'any' };
export const listOf = (of: GoType): GoType => ({ k: 'list', of });
export const mapOf = (of: GoType): GoType => ({ k: 'map', of });
export const struct = (name: StructName): GoType => ({ k: 'struct', name });

export type StructName = 'HealthService' | 'AgentWeights' | 'ServiceAddress' | 'HealthCheck' | 'CatalogSnippet' | 'KeyPair' | 'Node' | 'CatalogNode' | 'CatalogNodeService';

/** A field of a consul-template structure: its name in ctmpl's data (or why it has none). */
type FieldSpec = { readonly type: GoType; readonly ctmpl: string } | { readonly missing: string };

const same = (type: GoType): FieldSpec => ({ type, ctmpl: '' });
const STRINGS = listOf(STRING);
const STRING_MAP = mapOf(STRING);

/** consul-template's structures (dependency/*.go, Consul's api types) and ctmpl's names for them. */
export const STRUCTS: Readonly<Record<StructName, Readonly<Record<string, FieldSpec>>>> = {
  HealthService: {
    Node: same(STRING),
    NodeID: same(STRING),
    NodeAddress: same(STRING),
    NodeTaggedAddresses: same(STRING_MAP),
    NodeMeta: same(STRING_MAP),
    ServiceMeta: same(STRING_MAP),
    Address: same(STRING),
    ServiceTaggedAddresses: same(mapOf(struct('ServiceAddress'))),
    ID: same(STRING),
    Name: same(STRING),
    Tags: same(STRINGS),
    Checks: same(listOf(struct('HealthCheck'))),
    Status: same(STRING),
    Port: same(INT),
    Weights: same(struct('AgentWeights')),
    Kind: { missing: 'ctmpl has no service Kind (connect proxies are not modelled)' },
    Namespace: { missing: 'ctmpl has no Consul Enterprise namespaces' },
    Partition: { missing: 'ctmpl has no Consul Enterprise partitions' },
  },
  AgentWeights: { Passing: same(INT), Warning: same(INT) },
  ServiceAddress: { Address: same(STRING), Port: same(INT) },
  HealthCheck: {
    Node: same(STRING),
    CheckID: same(STRING),
    Name: same(STRING),
    Status: same(STRING),
    Notes: same(STRING),
    Output: same(STRING),
    ServiceID: same(STRING),
    ServiceName: same(STRING),
    ServiceTags: same(STRINGS),
    Type: same(STRING),
  },
  CatalogSnippet: { Name: same(STRING), Tags: same(STRINGS) },
  KeyPair: {
    Key: same(STRING),
    Value: same(STRING),
    Path: same(STRING),
    CreateIndex: { missing: 'ctmpl does not expose Consul KV indexes' },
    ModifyIndex: { missing: 'ctmpl does not expose Consul KV indexes' },
    LockIndex: { missing: 'ctmpl does not expose Consul KV indexes' },
    Flags: { missing: 'ctmpl does not expose Consul KV flags' },
    Session: { missing: 'ctmpl does not expose Consul KV sessions' },
  },
  Node: { ID: same(STRING), Node: same(STRING), Address: same(STRING), Datacenter: same(STRING), TaggedAddresses: same(STRING_MAP), Meta: same(STRING_MAP) },
  CatalogNode: { Node: same(struct('Node')), Services: same(listOf(struct('CatalogNodeService'))) },
  CatalogNodeService: { ID: same(STRING), Service: same(STRING), Tags: same(STRINGS), Meta: same(STRING_MAP), Port: same(INT), Address: same(STRING) },
};

/** The type and ctmpl name of a field, or the reason it cannot be read. */
export function fieldOf(name: StructName, field: string): { type: GoType; ctmpl: string } | { missing: string } {
  const spec = STRUCTS[name][field];
  if (spec === undefined) return { missing: `${name} has no field ${field}` };
  if ('missing' in spec) return spec;
  return { type: spec.type, ctmpl: spec.ctmpl || field };
}

export function describeType(t: GoType): string {
  switch (t.k) {
    case 'list':
      return `[]${describeType(t.of)}`;
    case 'map':
      return `map[string]${describeType(t.of)}`;
    case 'struct':
      return t.name;
    case 'any':
      return 'interface{}';
    default:
      return t.k;
  }
}

export function sameType(a: GoType, b: GoType): boolean {
  return describeType(a) === describeType(b);
}

/** The values whose Go printing ctmpl reproduces with plain `{{x}}`. */
export function printsPlainly(t: GoType): boolean {
  return t.k === 'string' || t.k === 'int' || t.k === 'bool';
}

/** Go's `%v` of this type is reproducible (no pointers, no structs inside). */
export function printableWithV(t: GoType): boolean {
  if (t.k === 'struct' || t.k === 'nil') return false;
  if (t.k === 'list' || t.k === 'map') return printableWithV(t.of);
  return true;
}
