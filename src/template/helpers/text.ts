import { splitArgs, type Helper } from './args.js';
import { encodingHelpers } from './encoding.js';
import { logicHelpers } from './logic.js';
import { mathHelpers } from './math.js';
import { stringHelpers } from './strings.js';

/** Picks helpers by name from a module, so the ones ctmpl always had stay listed together here. */
function pick(from: Record<string, Helper>, names: readonly string[]): Record<string, Helper> {
  return Object.fromEntries(names.map((name) => [name, from[name] as Helper]));
}

/**
 * Everyday helpers for config work. Several now live with their kind (strings.ts, logic.ts,
 * math.ts, encoding.ts) and follow consul-template's rules; they are listed here too because
 * this has always been the set of ctmpl's text helpers (the migration tests render with it).
 */
export const textHelpers: Record<string, Helper> = {
  ...pick(stringHelpers, ['join', 'toUpper', 'toLower']),
  ...pick(encodingHelpers, ['toJSON']),
  ...pick(logicHelpers, ['contains', 'eq', 'ne', 'gt', 'lt']),
  ...pick(mathHelpers, ['add']),
  /** `(default value fallback)`: the fallback when the value is missing or empty. */
  default(...args) {
    const [value, fallback] = splitArgs(args).params;
    return value === undefined || value === null || value === '' ? fallback : value;
  },
  /** `(byTag instances)`: `{ tag: [instances…] }`, tags sorted, as consul-template's byTag. */
  byTag(...args) {
    const [list] = splitArgs(args).params;
    if (!Array.isArray(list)) throw new Error('byTag: expected a list of instances');
    const groups = new Map<string, unknown[]>();
    for (const inst of list as { Tags?: readonly string[] }[]) {
      for (const tag of inst.Tags ?? []) {
        const group = groups.get(tag) ?? [];
        group.push(inst);
        groups.set(tag, group);
      }
    }
    return Object.fromEntries([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  },
  /** `(hostPort Address Port)`: `10.0.0.1:80`, or `[2001:db8::1]:80` for IPv6 as nginx and haproxy expect. */
  hostPort(...args) {
    const [host, port] = splitArgs(args).params;
    const h = String(host ?? '');
    return `${h.includes(':') ? `[${h}]` : h}:${String(port ?? '')}`;
  },
  /** `(len x)`: items of a list, characters of a string, keys of a map. */
  len(...args) {
    const [value] = splitArgs(args).params;
    if (Array.isArray(value) || typeof value === 'string') return String(value.length);
    if (value !== null && typeof value === 'object') return String(Object.keys(value).length);
    return '0';
  },
};
