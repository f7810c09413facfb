import { whereOf, type Place } from './source.js';

/**
 * A config value that remembers where each part was written: `at` is the value (a block's "{", a
 * list's "["), `keyAt` the key naming it (for a template block, its `template` word). Nodes from
 * several files can sit in one tree (a config directory), each keeping its own file.
 */
export type Node = ScalarNode | ListNode | ObjectNode;

export interface ScalarNode {
  readonly kind: 'scalar';
  readonly value: string | number | boolean | null;
  /** The literal as written (`0644`, `"x"`), for warnings about how a value was written. */
  readonly raw: string;
  readonly at: Place;
  readonly keyAt: Place;
}

export interface ListNode {
  readonly kind: 'list';
  readonly items: Node[];
  readonly at: Place;
  readonly keyAt: Place;
}

export interface ObjectNode {
  readonly kind: 'object';
  readonly entries: Map<string, Node>;
  readonly at: Place;
  readonly keyAt: Place;
}

export const objectNode = (at: Place, keyAt: Place = at, entries = new Map<string, Node>()): ObjectNode => ({ kind: 'object', entries, at, keyAt });

/** The plain JSON value ctmpl validates (objects built with fromEntries, so "__proto__" is a plain key). */
export function toPlain(node: Node): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'list':
      return node.items.map(toPlain);
    case 'object':
      return Object.fromEntries([...node.entries].map(([key, child]) => [key, toPlain(child)]));
  }
}

export function childOf(node: Node, key: PropertyKey): Node | undefined {
  if (node.kind === 'object') return node.entries.get(String(key));
  if (node.kind === 'list' && /^\d+$/.test(String(key))) return node.items[Number(key)];
  return undefined;
}

export function nodeAt(root: Node, path: readonly PropertyKey[]): Node | undefined {
  let node: Node | undefined = root;
  for (const key of path) node = node && childOf(node, key);
  return node;
}

/**
 * `file:line:column` of the value at `path` (of its key with `atKey`), or of its nearest existing
 * parent, as DataFile.locate promises. `whole` names the whole input, for a path of which nothing
 * exists (a directory has no line and column).
 */
export function locateIn(root: Node, whole: string, path: readonly PropertyKey[], atKey = false): string {
  let node: Node = root;
  let found = 0;
  for (const key of path) {
    const child = childOf(node, key);
    if (!child) break;
    node = child;
    found++;
  }
  if (found === 0) return whole;
  return whereOf(atKey && found === path.length ? node.keyAt : node.at);
}
