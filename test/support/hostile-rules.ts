/**
 * The oracle of the security tests, written from docs/security.md ("What reaches templates",
 * "Names in configs"), never from src/: what is refused, what passes unchanged, which spelling of
 * a name keeps it, and the config names nginxName/haproxyName give. AVOIDED says what the
 * generators never produce, and why.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { AddressValue, PortValue } from './hostile-values.js';

/** "Control characters": C0 (U+0000–U+001F, tab, newline and CR included), DEL, C1 (U+0080–U+009F). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
export const hasControlChar = (value: string): boolean => CONTROL.test(value);

/** A service name or an instance ID: any text that is not empty and holds no control character. */
export const nameOk = (value: string): boolean => value !== '' && !hasControlChar(value);
/** A node: any text without a control character (registries without nodes give none). */
export const nodeOk = (value: string): boolean => !hasControlChar(value);

/** A host name label: letters, digits, `-`, `_`; 1–63 characters; no `-` at either end. */
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/**
 * "An IP address (IPv6 without a zone index) or a syntactically valid host name; a dotted name
 * of digits only must be a valid IPv4 address (`999.1.1.1` is neither)."
 */
export function hostAddressOk(value: string): boolean {
  if (isIP(value) !== 0) return !value.includes('%');
  if (/^[0-9.]+$/.test(value)) return false;
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  return name !== '' && value.length <= 253 && name.split('.').every((label) => LABEL.test(label));
}

/** "A whole number from 0 to 65535" (0: the registry has no port for it). */
export function portOk(value: number | string | null): boolean {
  const text = typeof value === 'number' ? String(value) : value;
  return text !== null && /^(0|[1-9][0-9]{0,4})$/.test(text) && Number(text) <= 65535;
}

/** An instance as the tests generate it, whatever the way in. */
export interface InstanceFacts {
  readonly name: string;
  readonly id: string;
  readonly node: string;
  readonly address: string;
  readonly port: number | string | null;
  readonly tags: readonly string[];
  readonly meta: readonly (readonly [string, string])[];
}

/** Why the whole instance is refused (docs: "refused: the instance"), or undefined when it renders. */
export function instanceRefusal(i: InstanceFacts): string | undefined {
  if (!nameOk(i.name)) return 'service name';
  if (!nameOk(i.id)) return 'ID';
  if (!nodeOk(i.node)) return 'node';
  if (!hostAddressOk(i.address)) return 'address';
  if (!portOk(i.port)) return 'port';
  return undefined;
}

/** "Only that tag / meta entry is left out": what a rendered instance keeps. */
export const keptTags = (tags: readonly string[]): string[] => tags.filter((t) => !hasControlChar(t));
export const keptMeta = (meta: readonly (readonly [string, string])[]): (readonly [string, string])[] => meta.filter(([k, v]) => !hasControlChar(k) && !hasControlChar(v));

const capitals = (name: string): number => [...name].filter((c) => c !== c.toLowerCase()).length;

/**
 * "Names that differ only in case: the spelling seen first keeps the name. Spellings seen for the
 * first time together: the one with fewer capital letters, then the first in code-unit order."
 * For names first seen together: each name → whether it is the one kept.
 */
export function ownersAtFirstSight(names: readonly string[]): Map<string, boolean> {
  const groups = new Map<string, string[]>();
  for (const n of names) groups.set(n.toLowerCase(), [...(groups.get(n.toLowerCase()) ?? []), n]);
  const out = new Map<string, boolean>();
  for (const spellings of groups.values()) {
    const owner = [...spellings].sort((a, b) => capitals(a) - capitals(b) || (a < b ? -1 : a > b ? 1 : 0))[0];
    for (const n of spellings) out.set(n, n === owner);
  }
  return out;
}

/** The `ctmpl--` escape, one piece per character: `_` → `__`, a kept character as is, any other → `_` + hex of each UTF-8 byte. */
function escapePieces(name: string, kept: RegExp): string[] {
  return [...name].map((c) => (kept.test(c) ? c : c === '_' ? '__' : [...Buffer.from(c, 'utf8')].map((b) => `_${b.toString(16).padStart(2, '0')}`).join('')));
}

/**
 * "Names in configs": nginxName / haproxyName of a service name. Plain names stay; any other is
 * `ctmpl--` + its escape; a result over 200 characters is `ctmpl--` + the escape's first
 * characters, whole escapes only and at most 120 of them, + `_h` + the name's SHA-256 in hex.
 */
export function configNameOf(name: string, proxy: 'nginx' | 'haproxy'): string {
  const plain = (proxy === 'nginx' ? /^[A-Za-z0-9._-]+$/ : /^[A-Za-z0-9._:-]+$/).test(name) && !/^ctmpl--/i.test(name);
  const pieces = escapePieces(name, proxy === 'nginx' ? /^[A-Za-z0-9.-]$/ : /^[A-Za-z0-9.:-]$/);
  const full = plain ? name : `ctmpl--${pieces.join('')}`;
  if (full.length <= 200) return full;
  let start = '';
  for (const piece of pieces) {
    if (start.length + piece.length > 120) break;
    start += piece;
  }
  return `ctmpl--${start}_h${createHash('sha256').update(name, 'utf8').digest('hex')}`;
}

/**
 * Values the generators never produce, because docs/security.md lists them under "Limits" (the
 * rules keep them, the shipped templates or the proxies cannot use them) or because their own
 * tests cover them:
 * - port 0 (passes the rules; nginx and haproxy refuse `host:0`; pinned in fuzz-examples.test.ts),
 *   and so, in Consul answers, a port that is left out, null or empty (Consul's "no port");
 * - host names other than `localhost` (nginx -t and haproxy -c resolve them at load);
 * - a service whose name and tags make the shipped nginx template's tags comment longer than the
 *   nginx parse buffer (4 KiB per word; pinned in fuzz-examples.test.ts);
 * - numeric-looking port strings in a catalog file (`" 80"`, `"0x50"`);
 * - one (node, ID) twice in a service (Consul keys instances by node and ID);
 * - a meta key `__proto__` (a JSON object's own `__proto__` key is lost when copied into a plain
 *   object).
 */
export const AVOIDED = 'see the comment on AVOIDED in test/support/hostile-rules.ts';

/** The address and port an instance spec carries, for instanceRefusal. */
export const facts = (i: { name: string; id: string; node: string; address: AddressValue; port: PortValue; tags: readonly string[]; meta: readonly (readonly [string, string])[] }): InstanceFacts => ({
  ...i,
  address: i.address.value,
  port: i.port.value,
});
