import { parseDuration } from '../duration.js';
import { objectNode, type ListNode, type Node, type ObjectNode, type ScalarNode } from './tree.js';

/**
 * Lists that consul-template appends when it merges two configs (EnvConfig.Merge); every other
 * list, and every value, is replaced by the later one. Paths in consul-template's names.
 */
const APPENDED_LISTS = new Set(['template', ...['custom', 'allowlist', 'whitelist', 'denylist', 'blacklist'].map((key) => `exec.env.${key}`)]);

/**
 * Merges two configs as consul-template's Config.Merge does (files of a directory, in order):
 * templates are appended, blocks merged key by key, any other value replaced by the later one.
 * Nodes keep their own positions, so a merged value still points at the file it came from.
 */
export function mergeConfigNodes(earlier: Node, later: Node, path = ''): Node {
  if (earlier.kind === 'list' && later.kind === 'list' && APPENDED_LISTS.has(path)) {
    return { ...earlier, items: [...earlier.items, ...later.items] } satisfies ListNode;
  }
  const [a, b] = isWait(path) ? [waitAsBlock(earlier, later), waitAsBlock(later, earlier)] : [earlier, later];
  if (a.kind !== 'object' || b.kind !== 'object') return b;
  const merged: ObjectNode = objectNode(a.at, a.keyAt, new Map(a.entries));
  for (const [key, value] of b.entries) {
    const previous = merged.entries.get(key);
    merged.entries.set(key, previous ? mergeConfigNodes(previous, value, path ? `${path}.${key}` : key) : value);
  }
  return merged;
}

const isWait = (path: string): boolean => path === 'wait' || path.endsWith('.wait');

/**
 * consul-template merges `wait = "2s:10s"` in one file with `wait { min = "5s" }` in another
 * (its decoder turns the text into min and max first); so does this. "5s" alone means max 4 × min.
 */
function waitAsBlock(node: Node, other: Node): Node {
  if (node.kind !== 'scalar' || typeof node.value !== 'string' || other.kind !== 'object') return node;
  const [min, max, extra] = node.value.split(':').map((part) => part.trim());
  if (!min || extra !== undefined) return node;
  let maxText = max;
  if (maxText === undefined) {
    try {
      maxText = `${parseDuration(min, 'wait') * 4}ms`;
    } catch {
      return node; // not a duration: the later value wins, and validation reports it
    }
  }
  const scalar = (value: string): ScalarNode => ({ ...node, value, raw: node.raw });
  return objectNode(node.at, node.keyAt, new Map<string, Node>([['min', scalar(min)], ['max', scalar(maxText)]]));
}
