import * as z from 'zod';
import { parseDataText, validateDataFile } from '../../config/data-file.js';
import { compareInstances } from '../../catalog/select.js';
import { InputError } from '../../errors.js';
import { makeInstance } from '../../catalog/instance.js';
import { HEALTH_STATUSES, deepFreeze, type Instance } from '../../catalog/types.js';
import { hasControl } from '../../feed/validate.js';
import { isHostAddress, portText } from '../../util/address.js';

/** A static catalog: the same shapes a registry would give, read from one YAML or JSON file. */
export interface Catalog {
  readonly services: ReadonlyMap<string, readonly Instance[]>;
  readonly kv: ReadonlyMap<string, string>;
}

/**
 * The same rules as for a registry's data (see feed/validate.ts): any text but control
 * characters, as the templates' escaping helpers make any name safe in a config.
 */
const NO_CONTROL = 'must not be empty or hold a control character (tab, newline…)';
const text = z.string().refine((v) => v !== '' && !hasControl(v), NO_CONTROL);
const ident = z.union([z.string(), z.number()]).transform(String).pipe(text);
const PORT_RULE = 'port must be a whole number from 0 to 65535 (0: no port)';
const port = z.union([z.number(), z.string()], { error: PORT_RULE }).refine((p) => portText(p, true) !== undefined, PORT_RULE).transform((p) => portText(p, true) as string);
const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);
/** Tags and meta as registries' are screened: a value with a control character cannot be used. */
const plain = scalar.refine((v) => !hasControl(v), 'must not hold a control character (tab, newline…)');

const instanceSchema = z.strictObject({
  id: ident.optional(),
  address: z.string().refine(isHostAddress, 'must be an IP address or a host name (a dotted number must be a valid IPv4 address)'),
  port,
  tags: z.array(plain).default([]),
  meta: z.record(z.string(), plain).default({}),
  status: z.enum(HEALTH_STATUSES).default('passing'),
  node: ident.optional(),
  datacenter: z.string().optional(),
  /** Load-balancing weights, as Consul's (default 1 and 1). */
  weights: z.strictObject({ passing: z.number().int().min(1), warning: z.number().int().min(0).optional() }).optional(),
});

const catalogSchema = z.strictObject({
  datacenter: z.string().default('dc1'),
  services: z
    .record(z.string().refine((v) => v !== '' && !hasControl(v), `service names ${NO_CONTROL}`), z.array(instanceSchema).nullable())
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
        Port: entry.port,
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
