import { makeInstance, metaText } from '../../catalog/instance.js';
import type { Parsed } from '../etcd/normalize.js';
import { isHostAddress, portText, splitHostPort } from '../../util/address.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A Curator service-discovery instance: the znode `/ROOT/<service>/<id>` holds
 * `{"name":"web","id":"…","address":"10.0.0.1","port":8080,"sslPort":null,"payload":…,
 * "serviceType":"DYNAMIC","enabled":true}`. `port` (else `sslPort`) is the port; an object payload
 * becomes Meta (a `tags` list in it becomes Tags); `enabled: false` reads as maintenance.
 */
export function parseCurator(service: string, id: string, data: Buffer, source: string): Parsed {
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch {
    return { ok: false, reason: 'the node data is not JSON' };
  }
  if (!isRecord(json)) return { ok: false, reason: 'the node data is not a JSON object' };
  const address = typeof json.address === 'string' ? json.address.trim() : '';
  if (!isHostAddress(address)) return { ok: false, reason: `address "${address.slice(0, 80)}" is not an IP address or host name` };
  const port = portText(json.port) ?? portText(json.sslPort);
  if (port === undefined) return { ok: false, reason: `port ${JSON.stringify(json.port ?? null).slice(0, 20)} is not a port (1-65535)` };
  const meta: Record<string, string> = {};
  let tags: string[] = [];
  if (isRecord(json.payload)) {
    for (const [k, v] of Object.entries(json.payload)) {
      if (k === '@class') continue;
      if (k === 'tags' && Array.isArray(v)) tags = v.map(metaText);
      else meta[k] = metaText(v);
    }
  } else if (json.payload !== null && json.payload !== undefined) {
    meta.payload = metaText(json.payload);
  }
  if (typeof json.serviceType === 'string') meta.serviceType = json.serviceType;
  if (json.sslPort !== null && json.sslPort !== undefined && portText(json.sslPort)) meta.sslPort = String(portText(json.sslPort));
  const instance = makeInstance({
    ID: typeof json.id === 'string' && json.id !== '' ? json.id : id,
    Name: service,
    Node: address,
    Address: address,
    Port: port,
    Tags: tags,
    Meta: meta,
    Status: json.enabled === false ? 'maintenance' : 'passing',
    Datacenter: '',
    Source: source,
  });
  return { ok: true, instance };
}

/**
 * A Dubbo provider: the znode name under `/ROOT/<interface>/providers/` is the URL-encoded
 * provider URL, `dubbo://10.0.0.1:20880/com.example.Greeter?application=demo&version=1.0.0&…`.
 * The URL's parameters become Meta (with `protocol`), the protocol is the one tag, and
 * `enabled=false` or `disabled=true` reads as maintenance.
 */
export function parseDubbo(service: string, child: string, source: string): Parsed {
  let url: string;
  try {
    url = decodeURIComponent(child);
  } catch {
    return { ok: false, reason: 'the node name is not URL-encoded' };
  }
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?]+)(?:\/[^?]*)?(?:\?(.*))?$/s.exec(url);
  if (!match) return { ok: false, reason: 'the node name is not a provider URL' };
  const [, protocol = '', hostPort = '', query = ''] = match;
  const hp = splitHostPort(hostPort);
  if (!hp) return { ok: false, reason: `"${hostPort.slice(0, 80)}" is not host:port` };
  const meta: Record<string, string> = { protocol };
  for (const [k, v] of new URLSearchParams(query)) meta[k] = v;
  const disabled = meta.enabled === 'false' || meta.disabled === 'true';
  return {
    ok: true,
    instance: makeInstance({
      ID: `${hp.host}:${hp.port}`,
      Name: service,
      Node: hp.host,
      Address: hp.host,
      Port: hp.port,
      Tags: [protocol],
      Meta: meta,
      Status: disabled ? 'maintenance' : 'passing',
      Datacenter: '',
      Source: source,
    }),
  };
}
