import { compareInstances } from '../../catalog/select.js';
import { makeInstance, metaText } from '../../catalog/instance.js';
import type { HealthStatus, Instance } from '../../catalog/types.js';
import type { NacosHost, NacosServiceInfo } from './messages.js';

/** Nacos joins group and service name with "@@" (`DEFAULT_GROUP@@web`) in its internal names. */
export const GROUP_SEPARATOR = '@@';

/** A Nacos service: its group and its plain name. */
export interface ServiceKey {
  readonly group: string;
  readonly name: string;
}

/** `web` (in the source's group) or `GROUP@@web` (in GROUP), as a template names a service. */
export function serviceKeyOf(templateName: string, defaultGroup: string): ServiceKey {
  const at = templateName.indexOf(GROUP_SEPARATOR);
  if (at <= 0) return { group: defaultGroup, name: templateName };
  return { group: templateName.slice(0, at), name: templateName.slice(at + GROUP_SEPARATOR.length) };
}

/** `group@@name`: one subscription per grouped name. */
export function groupedName(key: ServiceKey): string {
  return `${key.group}${GROUP_SEPARATOR}${key.name}`;
}

/** The service a ServiceInfo (a push) is about: `name` may be grouped already, else `groupName` says. */
export function keyOfServiceInfo(info: { name?: string | null; groupName?: string | null }): ServiceKey | undefined {
  const name = info.name ?? '';
  if (name.includes(GROUP_SEPARATOR)) return serviceKeyOf(name, '');
  return name === '' || !info.groupName ? undefined : { group: info.groupName, name };
}

/** Meta keys ctmpl adds (they win over instance metadata of the same name). */
export const META = {
  cluster: 'nacos.cluster',
  ephemeral: 'nacos.ephemeral',
  group: 'nacos.group',
  protected: 'nacos.protected',
} as const;
/** The metadata key whose comma-separated value becomes Tags. */
export const TAGS_KEY = 'tags';

/** `enabled: false` (taken out by an operator) is maintenance; `healthy: false` is critical. */
function statusOf(host: NacosHost): HealthStatus {
  if (host.enabled === false) return 'maintenance';
  return host.healthy === false ? 'critical' : 'passing';
}

/**
 * Nacos's weight as text (`1`, `0.5`): a float in Nacos, a string in templates. Missing or not a
 * finite non-negative number reads as Nacos's default, 1.
 */
function weightText(weight: number | null | undefined): string {
  return weight !== null && weight !== undefined && Number.isFinite(weight) && weight >= 0 ? String(weight) : '1';
}

/**
 * One Nacos host as a template instance (the mapping table is in README.md). The instance ID is
 * Nacos's `instanceId`, or what Nacos's default generator builds: `ip#port#cluster#group@@name`.
 */
export function instanceOf(host: NacosHost, key: ServiceKey, protectedAnswer: boolean, source: string): Instance {
  const ip = (host.ip ?? '').trim();
  const port = host.port === null || host.port === undefined ? '0' : String(host.port).trim();
  const cluster = host.clusterName ?? 'DEFAULT';
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(host.metadata ?? {})) meta[k] = metaText(v);
  meta[META.cluster] = cluster;
  meta[META.group] = key.group;
  if (host.ephemeral !== null && host.ephemeral !== undefined) meta[META.ephemeral] = String(host.ephemeral);
  if (protectedAnswer) meta[META.protected] = 'true';
  const tags = [...new Set((meta[TAGS_KEY] ?? '').split(',').map((t) => t.trim()).filter((t) => t !== ''))];
  const weight = weightText(host.weight);
  return makeInstance({
    ID: host.instanceId || `${ip}#${port}#${cluster}#${host.serviceName || `${key.group}${GROUP_SEPARATOR}${key.name}`}`,
    Name: key.name,
    Node: ip,
    Address: ip,
    Port: port,
    Tags: tags,
    Meta: meta,
    Weights: { Passing: weight, Warning: weight },
    Status: statusOf(host),
    Datacenter: cluster,
    Source: source,
  });
}

/**
 * Every instance of a ServiceInfo, sorted, keeping only `clusters` when the source names some
 * (servers differ in whether a subscription honours them, so they are applied here as well).
 */
export function instancesOf(info: NacosServiceInfo, key: ServiceKey, clusters: readonly string[], source: string): Instance[] {
  const keep = clusters.length === 0 ? undefined : new Set(clusters);
  return info.hosts
    .filter((host) => keep === undefined || keep.has(host.clusterName ?? 'DEFAULT'))
    .map((host) => instanceOf(host, key, info.reachProtectionThreshold === true, source))
    .sort(compareInstances);
}
