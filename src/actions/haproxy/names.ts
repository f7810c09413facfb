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

/** One component, escaped (see the module comment). */
export function escapeNamePart(value: string): string {
  let out = '';
  for (const char of value) {
    if (KEPT.test(char)) out += char;
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
