/**
 * The oracle of the security tests, written from the README, never from src/: "Security" (the
 * rules applied at the source edge) and "Catalog file" (the static catalog's own schema), and what
 * the generators never produce because the README leaves it open (AVOIDED).
 */
import type { AddressValue, PortValue } from './hostile-values.js';

/** README "Security": the character sets of the edge validation. */
export const EDGE_RULES = {
  name: /^[A-Za-z0-9._-]+$/,
  id: /^[A-Za-z0-9._:-]+$/,
  tag: /^[A-Za-z0-9._:=/@+-]+$/,
  metaKey: /^[A-Za-z0-9_-]+$/,
} as const;

/** README "Security": meta values without control characters, up to 4 KiB. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
export const MAX_META_VALUE = 4096;
export const metaValueOk = (value: string): boolean => !CONTROL.test(value) && value.length <= MAX_META_VALUE;

/** README "Catalog file": the file's own schema, checked before the edge rules. */
export const FILE_RULES = {
  /** "Service names use letters, digits, - and _". */
  name: /^[A-Za-z0-9_-]+$/,
  /** `id` and `node`: "letters, digits, . : - _". */
  ident: /^[A-Za-z0-9.:_-]+$/,
  statuses: ['passing', 'warning', 'critical', 'maintenance'],
} as const;

/**
 * Values the generators never produce, because the README does not say what happens to them or
 * because they are covered by their own focused tests (test/integration/fuzz.test.ts, "valid data
 * the proxies refuse"):
 * - names not starting with a letter or digit, and identifiers longer than 64 characters (the
 *   README gives character sets, not a first character or a length);
 * - a tab or a C1 control character (U+0080–U+009F) in a meta value ("control characters" is not
 *   defined), and meta values near 4 KiB that are not ASCII (characters or bytes?);
 * - host names other than `localhost` (nginx -t and haproxy -c resolve them); IPv6 addresses
 *   with a zone index (`fe80::1%eth0`: an IP address by the README, refused by nginx and haproxy)
 *   and IPv6 addresses whose trailing `::` stands for a single zero group (`1:2:3:4:5:6:7::`,
 *   valid by RFC 4291 and for Node, refused by nginx 1.22);
 * - numeric-looking port strings (`" 80"`, `"0x50"`, `"1e3"`: the file's "whole number" is open);
 * - `@` in an ID or node that is otherwise valid (allowed by the README, refused by haproxy in a
 *   server name), the same ID twice in one Consul service, and service names equal but for case
 *   (nginx upstream names are case-insensitive);
 * - dots in Consul service names (`(service "a.b")` reads as tag `a` of service `b`);
 * - a meta key `__proto__` (a JSON object's own `__proto__` key is lost when copied into a plain
 *   object, so its value is neither validated nor rendered).
 */
export const AVOIDED = 'see the comment on AVOIDED in test/support/hostile-rules.ts';

/** Why the edge validation drops an instance (README "Security"), or undefined when it renders. */
export function edgeProblem(instance: { name: string; id: string; node: string; address: AddressValue; port: PortValue; tags: readonly string[]; meta: readonly (readonly [string, string])[] }): string | undefined {
  if (!EDGE_RULES.name.test(instance.name)) return 'service name';
  if (!EDGE_RULES.id.test(instance.id)) return 'id';
  if (!EDGE_RULES.id.test(instance.node)) return 'node';
  if (!instance.address.valid) return 'address';
  if (!instance.port.valid) return 'port';
  if (!instance.tags.every((t) => EDGE_RULES.tag.test(t))) return 'tag';
  if (!instance.meta.every(([k]) => EDGE_RULES.metaKey.test(k))) return 'meta key';
  if (!instance.meta.every(([, v]) => metaValueOk(v))) return 'meta value';
  return undefined;
}
