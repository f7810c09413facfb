import { makeInstance, metaText } from '../../catalog/instance.js';
import { HEALTH_STATUSES, type HealthStatus, type Instance } from '../../catalog/types.js';
import { isHostAddress, portText, splitHostPort } from '../../util/address.js';

/** An instance read from a registry value, or why the value was skipped. */
export type Parsed = { ok: true; instance: Instance } | { ok: false; reason: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(value)) for (const [k, v] of Object.entries(value)) out[k] = metaText(v);
  return out;
}

/**
 * An etcd registry value, in one of three shapes:
 * - etcd's endpoints manager: `{"Addr":"10.0.0.1:8080","Metadata":{…}}` (Metadata becomes Meta;
 *   a `tags` array in it becomes Tags);
 * - ctmpl's own JSON: `{"Address":"10.0.0.1","Port":8080,"Tags":[…],"Meta":{…},"Status":"passing"}`
 *   (also `Node` and `Datacenter`);
 * - a plain `host:port`.
 * Every value is checked: an address that is not an IP or host name, or a port that is not
 * 1–65535, skips the instance (a registry's data is never trusted).
 */
export function parseEtcdInstance(service: string, id: string, value: string, source: string): Parsed {
  const base = { ID: id, Name: service, Datacenter: '', Source: source };
  const text = value.trim();
  if (!text.startsWith('{')) {
    const hp = splitHostPort(text);
    if (!hp) return { ok: false, reason: 'the value is neither JSON nor host:port' };
    return { ok: true, instance: makeInstance({ ...base, Node: hp.host, Address: hp.host, Port: hp.port, Status: 'passing' }) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'the value is not valid JSON' };
  }
  if (!isRecord(json)) return { ok: false, reason: 'the JSON value is not an object' };
  if (typeof json.Addr === 'string') {
    const hp = splitHostPort(json.Addr);
    if (!hp) return { ok: false, reason: `Addr "${json.Addr.slice(0, 80)}" is not host:port` };
    const meta = stringMap(json.Metadata);
    const tags = isRecord(json.Metadata) && Array.isArray(json.Metadata.tags) ? json.Metadata.tags.map(metaText) : [];
    delete meta.tags;
    return { ok: true, instance: makeInstance({ ...base, Node: hp.host, Address: hp.host, Port: hp.port, Tags: tags, Meta: meta, Status: 'passing' }) };
  }
  const address = typeof json.Address === 'string' ? json.Address.trim() : '';
  if (!isHostAddress(address)) return { ok: false, reason: `Address "${address.slice(0, 80)}" is not an IP address or host name` };
  const port = portText(json.Port);
  if (port === undefined) return { ok: false, reason: `Port ${JSON.stringify(json.Port ?? null).slice(0, 20)} is not a port (1-65535)` };
  const status = json.Status === undefined ? 'passing' : json.Status;
  if (!(HEALTH_STATUSES as readonly unknown[]).includes(status)) return { ok: false, reason: `Status ${JSON.stringify(status).slice(0, 40)} is not one of ${HEALTH_STATUSES.join(', ')}` };
  if (json.Tags !== undefined && !Array.isArray(json.Tags)) return { ok: false, reason: 'Tags is not a list' };
  return {
    ok: true,
    instance: makeInstance({
      ...base,
      Node: typeof json.Node === 'string' && json.Node !== '' ? json.Node : address,
      Address: address,
      Port: port,
      Tags: Array.isArray(json.Tags) ? json.Tags.map(metaText) : [],
      Meta: stringMap(json.Meta),
      Status: status as HealthStatus,
      Datacenter: typeof json.Datacenter === 'string' ? json.Datacenter : '',
    }),
  };
}

/** `PREFIX/<service>/<instance-id>` → its parts; undefined for any other key under the prefix. */
export function splitServiceKey(prefix: string, key: string): { service: string; id: string } | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const rest = key.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return undefined;
  return { service: rest.slice(0, slash), id: rest.slice(slash + 1) };
}
