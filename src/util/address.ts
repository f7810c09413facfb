import { isIP } from 'node:net';

/**
 * The one set of address rules, for what operators type (server lists in URIs, --listen) and for
 * what registries send (instance addresses, which are untrusted).
 */

/** A syntactically valid host name: labels of letters, digits, "-" and "_", 253 characters at most. */
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/**
 * An IP address or a host name. All-numeric dotted names must be valid IPv4 (`999.1.1.1` is
 * neither: a resolver would refuse it and a proxy config would not load). An IPv6 zone index
 * (`%eth0`) means nothing off this host and is refused.
 */
export function isHostAddress(value: string): boolean {
  if (isIP(value) !== 0) return !value.includes('%');
  if (/^[0-9.]+$/.test(value)) return false;
  return HOSTNAME.test(value);
}

/** IPv6 in its canonical text (`1:2:3:4:5:6:7::` → `1:2:3:4:5:6:7:0`), which every proxy parses. */
export function canonicalAddress(value: string): string {
  if (isIP(value) !== 6) return value;
  try {
    return new URL(`http://[${value}]/`).hostname.slice(1, -1);
  } catch {
    return value;
  }
}

/** A TCP port 1–65535 as text, or undefined. `allowZero` accepts 0 (registries allow "no port"). */
export function portText(value: unknown, allowZero = false): string | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 && (n >= 1 || (allowZero && n === 0)) ? String(n) : undefined;
}

/** Splits `host:port` or `[v6]:port`, both checked; undefined when it is neither. */
export function splitHostPort(text: string): { host: string; port: string } | undefined {
  const trimmed = text.trim();
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(trimmed);
  const plain = v6 ? undefined : /^([^:\s[\]]+):(\d+)$/.exec(trimmed);
  const host = v6?.[1] ?? plain?.[1];
  const port = portText(v6?.[2] ?? plain?.[2]);
  if (host === undefined || port === undefined || !isHostAddress(host)) return undefined;
  return { host, port };
}

/** `host:port` with IPv6 in brackets, as URLs, nginx and haproxy want it. */
export function joinHostPort(host: string, port: string | number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${String(port)}`;
}
