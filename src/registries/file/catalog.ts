import { isIP } from 'node:net';
import { z } from 'zod';
import { parseDataText, validateDataFile } from '../../config/data-file.js';
import { compareInstances } from '../../catalog/select.js';
import { InputError } from '../../errors.js';
import { makeInstance } from '../../catalog/instance.js';
import { HEALTH_STATUSES, deepFreeze, type Instance } from '../../catalog/types.js';

/** A static catalog: the same shapes a registry would give, read from one YAML or JSON file. */
export interface Catalog {
  readonly services: ReadonlyMap<string, readonly Instance[]>;
  readonly kv: ReadonlyMap<string, string>;
}

const NAME = /^[A-Za-z0-9_-]+$/;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/** Identifiers end up in configs (haproxy server names): keep them to a safe set. */
const IDENT = /^[A-Za-z0-9_.:-]+$/;
const ident = z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(IDENT, 'use letters, digits, ".", ":", "-" and "_"'));
const PORT_RULE = 'port must be a whole number from 1 to 65535';
const port = z
  .union([z.number(), z.string()], { error: PORT_RULE })
  .transform(Number)
  .refine((n) => Number.isInteger(n) && n >= 1 && n <= 65535, PORT_RULE);
const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const instanceSchema = z.strictObject({
  id: ident.optional(),
  address: z.string().refine((a) => isIP(a) !== 0 || HOSTNAME.test(a), 'must be an IP address or a host name'),
  port,
  tags: z.array(scalar).default([]),
  meta: z.record(z.string(), scalar).default({}),
  status: z.enum(HEALTH_STATUSES).default('passing'),
  node: ident.optional(),
  datacenter: z.string().optional(),
  /** Load-balancing weights, as Consul's (default 1 and 1). */
  weights: z.strictObject({ passing: z.number().int().min(1), warning: z.number().int().min(0).optional() }).optional(),
});

const catalogSchema = z.strictObject({
  datacenter: z.string().default('dc1'),
  services: z
    .record(z.string().regex(NAME, 'service names use letters, digits, "-" and "_"'), z.array(instanceSchema).nullable())
    .default({}),
  kv: z.record(z.string().min(1), scalar).default({}),
});

const HINT = 'see "Catalog file" in the README for the format';

/**
 * A catalog of 100,000 instances is about 10 MiB of YAML; anything far beyond is a mistake (or a
 * generated file gone wrong) that would stall every render while it parses.
 */
export const MAX_CATALOG_BYTES = 64 * 1024 * 1024;

/**
 * Parses and validates a catalog file's text. Throws InputError naming file:line:column, so a
 * broken edit can be reported precisely while the last good catalog stays in use.
 */
export function parseCatalog(path: string, text: string, sourceName: string): Catalog {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_CATALOG_BYTES) {
    throw new InputError(`the catalog file is ${Math.ceil(bytes / 1024 / 1024)} MiB, more than the ${MAX_CATALOG_BYTES / 1024 / 1024} MiB ctmpl reads`, path, 'split the catalog into several files (several --source file: URIs), or use a registry');
  }
  const file = parseDataText(path, text);
  if (file.value === null || file.value === undefined) {
    // Never read an empty file as "no services": that would empty every upstream at once.
    throw new InputError('the catalog file is empty', `${path}:1:1`, 'write `services: {}` for a catalog with no services');
  }
  const parsed = validateDataFile(file, catalogSchema, HINT);
  const services = new Map<string, Instance[]>();
  for (const [name, entries] of Object.entries(parsed.services)) {
    const seen = new Set<string>();
    const instances = (entries ?? []).map((entry, index): Instance => {
      const ID = entry.id ?? `${entry.address}:${entry.port}`;
      if (seen.has(ID)) {
        throw new InputError(
          `instance id "${ID}" appears twice in service "${name}"`,
          file.locate(['services', name, index]),
          'give each instance a unique id (the default id is address:port)',
        );
      }
      seen.add(ID);
      return makeInstance({
        ID,
        Name: name,
        Node: entry.node ?? entry.address,
        Address: entry.address,
        Port: String(entry.port),
        Tags: entry.tags,
        Meta: entry.meta,
        Status: entry.status,
        Datacenter: entry.datacenter ?? parsed.datacenter,
        ...(entry.weights ? { Weights: { Passing: String(entry.weights.passing), Warning: String(entry.weights.warning ?? 1) } } : {}),
        Source: sourceName,
      });
    });
    services.set(name, deepFreeze(instances.sort(compareInstances)));
  }
  return { services, kv: new Map(Object.entries(parsed.kv)) };
}
