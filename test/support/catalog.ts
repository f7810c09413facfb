import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

/** A catalog instance as written in a catalog file (see templates/examples/catalog.yaml). */
export interface CatalogInstance {
  id?: string;
  address: string;
  port: number;
  tags?: string[];
  meta?: Record<string, string>;
  status?: 'passing' | 'warning' | 'critical' | 'maintenance';
  node?: string;
}

export interface CatalogData {
  datacenter?: string;
  services: Record<string, CatalogInstance[] | null>;
  kv?: Record<string, string>;
}

export async function readCatalog(path: string): Promise<CatalogData> {
  return parse(await readFile(path, 'utf8')) as CatalogData;
}

/** `host:port`, or `[v6]:port`, as the shipped templates write addresses. */
/** `host:port` as ctmpl renders it: IPv6 bracketed and in canonical form (README "Security"). */
export function hostPort(address: string, port: number | string): string {
  return address.includes(':') ? `[${new URL(`http://[${address}]/`).hostname.slice(1, -1)}]:${port}` : `${address}:${port}`;
}

/** Service name → sorted `host:port` of its passing instances (status defaults to passing). */
export function passingByService(catalog: CatalogData): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, instances] of Object.entries(catalog.services)) {
    const passing = (instances ?? []).filter((i) => (i.status ?? 'passing') === 'passing').map((i) => hostPort(i.address, i.port));
    out.set(name, passing.sort());
  }
  return out;
}

/** A deterministic pseudo-random sequence (mulberry32), so a generated catalog is the same every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `services` × `instances` with a mix of IPv4 and IPv6 addresses, of health statuses, of explicit
 * and default ids (an IPv6 default id is `2001:db8::…:port`), and some services with no passing
 * instance at all.
 */
export function generateCatalog(services = 50, instances = 20, seed = 42): CatalogData {
  const next = random(seed);
  const out: CatalogData = { datacenter: 'dc1', services: {} };
  const statuses = ['passing', 'passing', 'passing', 'warning', 'critical', 'maintenance'] as const;
  for (let s = 0; s < services; s++) {
    const name = `svc-${String(s).padStart(2, '0')}`;
    const list: CatalogInstance[] = [];
    for (let i = 0; i < instances; i++) {
      const v6 = (s + i) % 3 === 0;
      // IPv6 in canonical form (ctmpl renders canonical IPv6: 2001:db8:0::7 would become 2001:db8::7).
      const address = v6 ? `2001:db8:${(s + 1).toString(16)}::${(i + 1).toString(16)}` : `10.${s}.${Math.floor(i / 250)}.${(i % 250) + 1}`;
      // Every 7th service has nothing passing; the rest get a random mix.
      const status = s % 7 === 3 ? 'critical' : (statuses[Math.floor(next() * statuses.length)] ?? 'passing');
      const instance: CatalogInstance = { address, port: 8000 + Math.floor(next() * 1000), tags: [`t${i % 3}`], node: `node-${i}` };
      if (i % 2 === 0) instance.id = `${name}-${i}`;
      if (status !== 'passing' || next() < 0.5) instance.status = status;
      list.push(instance);
    }
    out.services[name] = list;
  }
  return out;
}

export interface NginxUpstream {
  /** `server ADDRESS …;` lines other than the `down` placeholder, by address. */
  readonly servers: string[];
  /** Placeholder `server … down;` lines (a service with nothing healthy). */
  readonly placeholders: number;
}

/** Upstream name → its server lines, parsed from a rendered nginx include. */
export function parseNginxUpstreams(text: string): Map<string, NginxUpstream> {
  const out = new Map<string, NginxUpstream>();
  for (const match of text.matchAll(/^upstream (\S+) \{\n([\s\S]*?)^\}/gm)) {
    const [, name, body] = match;
    if (name === undefined || body === undefined) continue;
    if (out.has(name)) throw new Error(`upstream ${name} appears twice`);
    const servers: string[] = [];
    let placeholders = 0;
    for (const line of body.split('\n')) {
      const server = /^\s*server\s+(\S+)(.*);\s*$/.exec(line);
      if (!server) continue;
      if (/\bdown\b/.test(server[2] ?? '')) placeholders++;
      else servers.push(server[1] as string);
    }
    out.set(name, { servers: servers.sort(), placeholders });
  }
  return out;
}

/** Backend name → `server` addresses, parsed from a rendered haproxy file; also the server names. */
export function parseHaproxyBackends(text: string): Map<string, { servers: string[]; names: string[] }> {
  const out = new Map<string, { servers: string[]; names: string[] }>();
  let current: { servers: string[]; names: string[] } | undefined;
  for (const line of text.split('\n')) {
    const backend = /^backend\s+(\S+)\s*$/.exec(line);
    if (backend) {
      const name = backend[1] as string;
      if (out.has(name)) throw new Error(`backend ${name} appears twice`);
      current = { servers: [], names: [] };
      out.set(name, current);
      continue;
    }
    const server = /^\s+server\s+(\S+)\s+(\S+)/.exec(line);
    if (server) {
      if (!current) throw new Error(`server line outside a backend: ${line}`);
      current.names.push(server[1] as string);
      current.servers.push(server[2] as string);
    }
  }
  for (const entry of out.values()) entry.servers.sort();
  return out;
}

export interface FileSdGroup {
  targets: string[];
  labels: Record<string, string>;
}

function isFileSd(value: unknown): value is FileSdGroup[] {
  return (
    Array.isArray(value) &&
    value.every(
      (g: unknown) =>
        typeof g === 'object' &&
        g !== null &&
        Array.isArray((g as { targets?: unknown }).targets) &&
        (g as { targets: unknown[] }).targets.every((t) => typeof t === 'string') &&
        typeof (g as { labels?: unknown }).labels === 'object',
    )
  );
}

/** Job label → sorted targets, from a rendered Prometheus file_sd JSON (JSON.parse must accept it). */
export function parseFileSd(text: string): Map<string, string[]> {
  const value: unknown = JSON.parse(text);
  if (!isFileSd(value)) throw new Error('not a Prometheus file_sd list of {targets, labels}');
  const out = new Map<string, string[]>();
  for (const group of value) {
    const job = group.labels.job;
    if (job === undefined) throw new Error('a target group has no job label');
    if (out.has(job)) throw new Error(`job ${job} appears twice`);
    out.set(job, [...group.targets].sort());
  }
  return out;
}
