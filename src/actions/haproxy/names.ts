import { createHash } from 'node:crypto';

/**
 * haproxy server names for catalog instances. A server keeps its name across renders (so the
 * Runtime API can find it again) and two instances never share one. `{{Node}}_{{ID}}` is not
 * enough: node `a_b` with ID `c` and node `a` with ID `b_c` both give `a_b_c`.
 *
 * The name is `escape(node) + "_-" + escape(id)`, where escape keeps letters, digits, `.`, `:` and
 * `-`, writes `_` as `__` and any other byte of the UTF-8 text as `_` + two lowercase hex digits.
 * After an `_` comes `_`, `-` or a hex digit, never two of them at once, so the name reads back one
 * way only (see decodeServerName): the mapping is injective, and every name uses only characters
 * haproxy takes in a server name ([A-Za-z0-9._:-]).
 */

const KEPT = /^[A-Za-z0-9.:-]$/;
const SEPARATOR = '_-';

/** One component, escaped (see the module comment); `kept` narrows the characters kept as is. */
export function escapeNamePart(value: string, kept: RegExp = KEPT): string {
  let out = '';
  for (const char of value) {
    if (kept.test(char)) out += char;
    else if (char === '_') out += '__';
    else for (const byte of Buffer.from(char, 'utf8')) out += `_${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** The server name of instance `id` on node `node`: stable, unique per (node, id), haproxy-valid. */
export function haproxyServerName(node: string, id: string): string {
  return `${escapeNamePart(node)}${SEPARATOR}${escapeNamePart(id)}`;
}

/** The (node, id) a name came from, or undefined when haproxyServerName cannot have made it. */
export function decodeServerName(name: string): { node: string; id: string } | undefined {
  const parts: string[] = [];
  let bytes: number[] = [];
  for (let i = 0; i < name.length; i += 1) {
    const char = name[i] as string;
    if (char !== '_') {
      if (!KEPT.test(char)) return undefined;
      bytes.push(...Buffer.from(char, 'utf8'));
      continue;
    }
    const next = name[i + 1];
    if (next === '_') {
      bytes.push(0x5f);
      i += 1;
    } else if (next === '-') {
      parts.push(Buffer.from(bytes).toString('utf8'));
      bytes = [];
      i += 1;
    } else {
      const hex = name.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    }
  }
  parts.push(Buffer.from(bytes).toString('utf8'));
  if (parts.length !== 2) return undefined;
  const [node, id] = parts as [string, string];
  // Only the canonical spelling counts (a hex escape of a kept character is not one).
  return haproxyServerName(node, id) === name ? { node, id } : undefined;
}

/** What nginx takes in an upstream name that proxy_pass can name as a host. */
const NGINX_KEPT = /^[A-Za-z0-9.-]$/;
const PLAIN = { nginx: /^[A-Za-z0-9._-]+$/, haproxy: /^[A-Za-z0-9._:-]+$/ };
/** Marks an escaped name; a plain name that starts with it is escaped too, so none collide. */
const ESCAPED = 'ctmpl--';
/**
 * The longest name configName gives. nginx refuses a word longer than its 4 KiB parse buffer
 * ("too long parameter"), and registries bound no name's length: a longer name is shortened.
 */
export const MAX_CONFIG_NAME = 200;
/** How much escaped text a shortened name keeps for a reader, before its digest. */
const SHORTENED_PREFIX = 120;

/**
 * A service name as an nginx upstream or haproxy backend name. A name made of the characters
 * the proxy takes (letters, digits, `.`, `-`, `_`, and `:` for haproxy) stays as it is — so
 * templates ported from consul-template keep their names; any other name (spaces, `/`,
 * unicode…) becomes `ctmpl--` and its escaped text, which no plain name can equal. A result
 * longer than MAX_CONFIG_NAME becomes `ctmpl--` + the start of the escaped text (whole escapes
 * only) + `_h` + the SHA-256 of the name in hex: `_h` never occurs in an escaped text (after `_`
 * comes `_` or a hex digit), so a shortened name equals no other kind, and two equal shortened
 * names would need a SHA-256 collision.
 */
export function configName(name: string, proxy: 'nginx' | 'haproxy'): string {
  const plain = PLAIN[proxy].test(name) && !name.toLowerCase().startsWith(ESCAPED);
  const escaped = plain ? name : `${ESCAPED}${escapeNamePart(name, proxy === 'nginx' ? NGINX_KEPT : KEPT)}`;
  if (escaped.length <= MAX_CONFIG_NAME) return escaped;
  const start = escapeNamePart(name, proxy === 'nginx' ? NGINX_KEPT : KEPT);
  // Cut where an escape begins or a kept character stands, never inside `_xx` or `__`.
  let cut = Math.min(SHORTENED_PREFIX, start.length);
  while (cut > 0 && endsInsideEscape(start, cut)) cut -= 1;
  return `${ESCAPED}${start.slice(0, cut)}_h${createHash('sha256').update(name, 'utf8').digest('hex')}`;
}

/** True when `text.slice(0, cut)` ends in the middle of an `_xx` or `__` escape. */
function endsInsideEscape(text: string, cut: number): boolean {
  let i = 0;
  while (i < cut) i += text[i] !== '_' ? 1 : text[i + 1] === '_' ? 2 : 3;
  return i !== cut;
}
