import { isIP } from 'node:net';
import type { Instance, KeyPair, ServiceSummary } from '../catalog/types.js';

/**
 * Catalog data is untrusted: anyone who may register a service controls its name, tags, meta and
 * address, and ctmpl pastes them into configs that run as root. By default every instance is
 * checked at the edge, before guards and templates see it; one that breaks a rule is dropped and
 * reported (with control characters made visible), never rendered.
 */
const RULES = {
  /** Service names, as Consul's DNS-compatible names (a leading "_" for DNS SRV names such as `_http._tcp.web`). */
  name: /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/,
  /** Instance IDs and node names (they become haproxy server names: no "@"). */
  id: /^[A-Za-z0-9._:-]{1,255}$/,
  /** Tags: common tag styles (`v1`, `version=1.2`, `traefik.http.routers.x.rule`, `a/b`, `x:y`). */
  tag: /^[A-Za-z0-9._:=/@+-]{1,255}$/,
  /** Meta keys, as Consul allows them. */
  metaKey: /^[A-Za-z0-9_-]{1,128}$/,
  /** Datacenter names. */
  dc: /^[A-Za-z0-9._-]{0,64}$/,
};

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;
/** Meta and KV values may hold any text but control characters (other than tab). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const MAX_META_VALUE = 4096;

/** Shows a value in a log line safely: control characters escaped, length bounded. */
export function visible(value: string): string {
  const shown = JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…` : value).slice(1, -1);
  // JSON escapes C0 controls; DEL and the C1 controls are escaped here too.
  return shown.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An IP (an IPv6 zone index such as `%eth0` means nothing off this host) or a host name. */
export function isAddress(value: string): boolean {
  return (isIP(value) !== 0 && !value.includes('%')) || HOSTNAME.test(value);
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

export function isPort(value: string): boolean {
  return /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65535;
}

/** Why an instance is refused, or undefined when it passes. */
export function instanceProblem(i: Instance): string | undefined {
  if (!RULES.name.test(i.Name)) return `service name "${visible(i.Name)}" has characters outside [A-Za-z0-9._-]`;
  if (!RULES.id.test(i.ID)) return `ID "${visible(i.ID)}" has characters outside [A-Za-z0-9._:-]`;
  if (!RULES.id.test(i.Node)) return `node "${visible(i.Node)}" has characters outside [A-Za-z0-9._:-]`;
  if (!isAddress(i.Address)) return `address "${visible(i.Address)}" is not an IP address or a host name`;
  if (!isPort(i.Port)) return `port "${visible(i.Port)}" is not a whole number from 1 to 65535`;
  if (!RULES.dc.test(i.Datacenter)) return `datacenter "${visible(i.Datacenter)}" has characters outside [A-Za-z0-9._-]`;
  const tag = i.Tags.find((t) => !RULES.tag.test(t));
  if (tag !== undefined) return `tag "${visible(tag)}" has characters outside [A-Za-z0-9._:=/@+-]`;
  for (const [key, value] of Object.entries(i.Meta)) {
    if (!RULES.metaKey.test(key)) return `meta key "${visible(key)}" has characters outside [A-Za-z0-9_-]`;
    if (CONTROL.test(value) || value.length > MAX_META_VALUE) return `meta ${key} holds control characters or is longer than ${MAX_META_VALUE}`;
  }
  return undefined;
}

export function servicesProblem(s: ServiceSummary): string | undefined {
  return RULES.name.test(s.Name) ? undefined : `service name "${visible(s.Name)}" has characters outside [A-Za-z0-9._-]`;
}

/** A service listing's tags are the union of its instances' tags: one bad tag is left out alone. */
export function tagProblem(serviceName: string, tag: string): string | undefined {
  return RULES.tag.test(tag) ? undefined : `tag "${visible(tag)}" of ${serviceName} has characters outside [A-Za-z0-9._:=/@+-]`;
}

export function keyPairProblem(p: KeyPair): string | undefined {
  if (CONTROL.test(p.Key)) return `key "${visible(p.Key)}" holds control characters`;
  return undefined;
}
