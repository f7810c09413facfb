import { makeInstance, metaText } from '../../catalog/instance.js';
import { deepFreeze, type HealthStatus, type Instance, type TaggedAddress } from '../../catalog/types.js';
import { readPort, type EurekaInstanceRecord, type EurekaStatus } from './wire.js';

/** The metadata key whose comma-separated value becomes an instance's Tags (Eureka has no tags). */
export const TAGS_KEY = 'tags';
/** The metadata key Spring Cloud sets to an instance's zone (`eureka.instance.metadata-map.zone`). */
export const ZONE_KEY = 'zone';

/**
 * Eureka's status as a health status: UP is passing; STARTING and OUT_OF_SERVICE are alive but
 * not to be sent traffic (warning); DOWN and UNKNOWN are critical. The raw status stays in
 * `NodeMeta.status`.
 */
export function healthOf(status: EurekaStatus): HealthStatus {
  switch (status) {
    case 'UP':
      return 'passing';
    case 'STARTING':
    case 'OUT_OF_SERVICE':
      return 'warning';
    case 'DOWN':
    case 'UNKNOWN':
      return 'critical';
  }
}

/** The metadata map without Jackson's `@class` marker (`java.util.Collections$EmptyMap`). */
function metadataOf(record: EurekaInstanceRecord): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [key, value] of Object.entries(record.json.metadata ?? {})) if (key !== '@class') meta[key] = metaText(value);
  return meta;
}

/** `tags` metadata: comma-separated, blanks dropped, each tag once, in the order given. */
function tagsOf(meta: Readonly<Record<string, string>>): string[] {
  const text = meta[TAGS_KEY];
  if (text === undefined) return [];
  return [...new Set(text.split(',').map((t) => t.trim()).filter((t) => t !== ''))];
}

/**
 * Maps one Eureka instance to ctmpl's instance:
 * - `Name` the application as Eureka reports it, `ID` Eureka's instance id, `Node` the hostName;
 * - `Address` the ipAddr (the hostName when there is none);
 * - `Port` the port when it is enabled, else the securePort when that is (Eureka's own defaults:
 *   port enabled, securePort not); "0" when neither is (no usable port: never rendered).
 *   `TaggedAddresses.http` and `.https` hold each enabled port, so a template can pick one;
 * - `Status` from Eureka's status (healthOf), `Meta` the metadata, `Tags` from its `tags` key;
 * - `Datacenter` the `zone` metadata (Spring Cloud), else the AWS availability-zone of an Amazon
 *   dataCenterInfo, else "";
 * - `NodeMeta` Eureka's own facts: status, vipAddress, secureVipAddress and the dataCenterInfo
 *   name (`MyOwn`, `Amazon`), each when present.
 */
export function toInstance(record: EurekaInstanceRecord, source: string): Instance {
  const { json } = record;
  const hostName = json.hostName ?? '';
  const address = json.ipAddr || hostName;
  const plain = readPort(json.port);
  const secure = readPort(json.securePort);
  const plainEnabled = plain.enabled ?? true;
  const secureEnabled = secure.enabled ?? false;
  const port = plainEnabled && plain.port ? plain.port : secureEnabled && secure.port ? secure.port : '0';
  const tagged: Record<string, TaggedAddress> = {};
  if (plainEnabled && plain.port) tagged.http = { Address: address, Port: plain.port };
  if (secureEnabled && secure.port) tagged.https = { Address: address, Port: secure.port };
  const meta = metadataOf(record);
  const dataCenter = json.dataCenterInfo?.name ?? '';
  const awsZone = dataCenter === 'Amazon' ? metaText(json.dataCenterInfo?.metadata?.['availability-zone']) : '';
  const nodeMeta: Record<string, string> = { status: record.status };
  if (json.vipAddress) nodeMeta.vipAddress = json.vipAddress;
  if (json.secureVipAddress) nodeMeta.secureVipAddress = json.secureVipAddress;
  if (dataCenter !== '') nodeMeta.dataCenterInfo = dataCenter;
  return deepFreeze(
    makeInstance({
      ID: record.id,
      Name: record.app,
      Node: hostName || address,
      Address: address,
      Port: port,
      Status: healthOf(record.status),
      Tags: tagsOf(meta),
      Meta: meta,
      Datacenter: meta[ZONE_KEY] ?? awsZone,
      NodeMeta: nodeMeta,
      TaggedAddresses: tagged,
      Source: source,
    }),
  );
}

/** The VIP addresses an instance answers to (`vipAddress` may list several, comma-separated). */
export function vipAddressesOf(record: EurekaInstanceRecord, secure: boolean): string[] {
  const text = (secure ? record.json.secureVipAddress : record.json.vipAddress) ?? '';
  return text.split(',').map((v) => v.trim()).filter((v) => v !== '');
}
