import type { Instance, KeyPair, ServiceSummary } from '../catalog/types.js';
import { isHostAddress, portText } from '../util/address.js';

/**
 * Catalog data is untrusted (anyone who may register a service controls its name, tags, meta and
 * address), but it reaches templates as the registry holds it: safety comes from escaping in
 * context (the escaping helpers of the shipped templates), not from dropping data. What is
 * refused is only what cannot be used — an instance whose address is neither an IP nor a host
 * name, or whose name, ID or node holds a control character — and, value by value, a tag, a meta
 * entry or a datacenter that holds one (the rest of the instance stays). Port 0 passes: a
 * template decides what an instance without a port means.
 */

/** Control characters: C0 (tab and newline included), DEL, and C1 (U+009B is an 8-bit CSI to a terminal). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export const hasControl = (value: string): boolean => CONTROL.test(value);

/** Shows a value in a log line safely: control characters escaped, length bounded. */
export function visible(value: string): string {
  const shown = JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…` : value).slice(1, -1);
  // JSON escapes C0 controls; DEL and the C1 controls are escaped here too.
  return shown.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Why an instance cannot be used at all, or undefined when it can. `anyAddress` (a relaxed
 * source) lets an address through that is not an IP or a host name, as long as it holds no
 * control character.
 */
export function instanceProblem(i: Instance, anyAddress = false): string | undefined {
  for (const [field, value] of [['service name', i.Name], ['ID', i.ID], ['node', i.Node]] as const) {
    if (value === '' && field !== 'node') return `${field} is empty`;
    if (hasControl(value)) return `${field} "${visible(value)}" holds a control character`;
  }
  if (anyAddress ? i.Address === '' || hasControl(i.Address) : !isHostAddress(i.Address)) return `address "${visible(i.Address)}" is not an IP address or a host name`;
  if (portText(i.Port, true) !== i.Port) return `port "${visible(i.Port)}" is not a whole number from 0 to 65535`;
  return undefined;
}

/**
 * The instance without the values that hold a control character (tags, meta entries, the
 * datacenter), each told to `refuse`; the same object when nothing had to go.
 */
export function withoutControlValues(i: Instance, refuse: (why: string) => void): Instance {
  const tags = i.Tags.filter((t) => !hasControl(t) || (refuse(`tag "${visible(t)}" of ${visible(i.Name)} holds a control character`), false));
  const metaEntries = Object.entries(i.Meta);
  const meta = metaEntries.filter(([k, v]) => !(hasControl(k) || hasControl(v)) || (refuse(`meta ${visible(k)} of ${visible(i.Name)} holds a control character`), false));
  const dcBad = hasControl(i.Datacenter);
  if (dcBad) refuse(`datacenter "${visible(i.Datacenter)}" of ${visible(i.Name)} holds a control character`);
  if (tags.length === i.Tags.length && meta.length === metaEntries.length && !dcBad) return i;
  const kept = Object.fromEntries(meta);
  return { ...i, Tags: tags, Meta: kept, ServiceMeta: kept, ...(dcBad ? { Datacenter: '' } : {}) };
}

export function servicesProblem(s: ServiceSummary): string | undefined {
  if (s.Name === '') return 'a service name is empty';
  return hasControl(s.Name) ? `service name "${visible(s.Name)}" holds a control character` : undefined;
}

/** A service listing's tags are the union of its instances' tags: one bad tag is left out alone. */
export function tagProblem(serviceName: string, tag: string): string | undefined {
  return hasControl(tag) ? `tag "${visible(tag)}" of ${visible(serviceName)} holds a control character` : undefined;
}

export function keyPairProblem(p: KeyPair): string | undefined {
  return hasControl(p.Key) ? `key "${visible(p.Key)}" holds a control character` : undefined;
}
