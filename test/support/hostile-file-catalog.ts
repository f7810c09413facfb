/**
 * Static catalog files built from hostile values (hostile-values.ts), and what the README says of
 * them: whether the file is refused as a whole, and what the shipped templates must show.
 */
import fc from 'fast-check';
import { hostPort } from './catalog.js';
import { edgeProblem, FILE_RULES } from './hostile-rules.js';
import { addressArb, clarify, hostileText, metaArb, ownMap, portArb, portText, tagArb, validAddressArb, validPortArb, veryLong, weighted, type AddressValue, type PortValue } from './hostile-values.js';

export interface FileInstanceSpec {
  readonly id: string | undefined;
  readonly node: string | undefined;
  readonly address: AddressValue;
  readonly port: PortValue;
  readonly tags: readonly string[];
  readonly meta: readonly (readonly [string, string])[];
  readonly status: string | undefined;
}

export interface FileCatalogSpec {
  readonly services: readonly (readonly [string, readonly FileInstanceSpec[] | null])[];
}

const fileServiceName = (hostileWeight: number): fc.Arbitrary<string> =>
  weighted(
    { weight: 8, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/) },
    { weight: hostileWeight, arbitrary: hostileText },
    { weight: hostileWeight, arbitrary: veryLong },
  ).map((v) => clarify(FILE_RULES.name, v));

const fileIdent = (hostileWeight: number): fc.Arbitrary<string> =>
  weighted({ weight: 8, arbitrary: fc.stringMatching(/^[a-z0-9][A-Za-z0-9.:_-]{0,12}$/) }, { weight: hostileWeight, arbitrary: hostileText }).map((v) => clarify(FILE_RULES.ident, v));

const fileStatus = (hostileWeight: number): fc.Arbitrary<string | undefined> =>
  weighted<string | undefined>(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 6, arbitrary: fc.constantFrom(...FILE_RULES.statuses, 'passing', 'passing', 'passing') },
    { weight: hostileWeight, arbitrary: fc.constantFrom('PASSING', 'passing;', '', 'ok', 'passing\n') },
  );

function fileInstance(attack: boolean): fc.Arbitrary<FileInstanceSpec> {
  // In an attack on the file's schema, the fields it checks are hostile now and then; otherwise
  // they come from valid pools, and only the fields left to the edge validation are hostile.
  const w = attack ? 1 : 0;
  return fc.record({
    id: fc.option(fileIdent(w), { nil: undefined }),
    node: fc.option(fileIdent(w), { nil: undefined }),
    address: attack ? fc.oneof({ weight: 6, arbitrary: validAddressArb }, { weight: 1, arbitrary: addressArb }) : validAddressArb,
    port: attack ? fc.oneof({ weight: 8, arbitrary: validPortArb }, { weight: 1, arbitrary: portArb }) : validPortArb,
    tags: fc.array(tagArb, { maxLength: 2 }),
    meta: metaArb,
    status: fileStatus(w),
  });
}

/**
 * A static catalog of up to 5 services with up to 6 instances each. About a third of the catalogs
 * attack the file's own schema (a bad address, port, id, node, status or service name now and
 * then); the others are schema-clean and hostile only where the edge validation protects.
 */
export const fileCatalogArb: fc.Arbitrary<FileCatalogSpec> = fc
  .oneof({ weight: 2, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) })
  .chain((attack) =>
    fc.record({
      services: fc.uniqueArray(fc.tuple(fileServiceName(attack ? 1 : 0), fc.option(fc.array(fileInstance(attack), { maxLength: 6 }), { nil: null, freq: 10 })), {
        minLength: 1,
        maxLength: 5,
        // Unique ignoring case (see AVOIDED).
        selector: ([name]) => name.toLowerCase(),
      }),
    }),
  );

/** The catalog file's JSON text. */
export function fileCatalogJson(spec: FileCatalogSpec): string {
  const services = ownMap(
    spec.services.map(([name, instances]) => [
      name,
      instances === null
        ? null
        : instances.map((i) => ({
            ...(i.id === undefined ? {} : { id: i.id }),
            ...(i.node === undefined ? {} : { node: i.node }),
            address: i.address.value,
            port: i.port.value,
            tags: i.tags,
            meta: ownMap(i.meta),
            ...(i.status === undefined ? {} : { status: i.status }),
          })),
    ]),
  );
  return `${JSON.stringify({ datacenter: 'dc1', services }, null, 2)}\n`;
}

/** Why the README's "Catalog file" table refuses the whole file, or undefined. */
export function fileRefusal(spec: FileCatalogSpec): string | undefined {
  for (const [name, instances] of spec.services) {
    if (!FILE_RULES.name.test(name)) return 'service name';
    const ids = new Set<string>();
    for (const i of instances ?? []) {
      if (!i.address.valid) return 'address';
      if (!i.port.valid) return 'port';
      if (i.id !== undefined && !FILE_RULES.ident.test(i.id)) return 'id';
      if (i.node !== undefined && !FILE_RULES.ident.test(i.node)) return 'node';
      if (i.status !== undefined && !(FILE_RULES.statuses as readonly string[]).includes(i.status)) return 'status';
      const id = i.id ?? `${i.address.value}:${portText(i.port)}`;
      if (ids.has(id)) return 'duplicate id';
      ids.add(id);
    }
  }
  return undefined;
}

/** What the shipped templates must show for an accepted file: service → sorted `host:port` of its rendered instances. */
export function expectedFromFile(spec: FileCatalogSpec): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, instances] of spec.services) {
    const shown = (instances ?? []).filter(
      (i) =>
        (i.status ?? 'passing') === 'passing' &&
        edgeProblem({ name, id: i.id ?? `${i.address.value}:${portText(i.port)}`, node: i.node ?? i.address.value, address: i.address, port: i.port, tags: i.tags, meta: i.meta }) === undefined,
    );
    out.set(name, shown.map((i) => hostPort(i.address.value, portText(i.port))).sort());
  }
  return out;
}

/** Edge-validation verdicts for every instance of an accepted file, for the statistics. */
export function fileVerdicts(spec: FileCatalogSpec): string[] {
  return spec.services.flatMap(([name, instances]) =>
    (instances ?? []).map(
      (i) =>
        edgeProblem({ name, id: i.id ?? `${i.address.value}:${portText(i.port)}`, node: i.node ?? i.address.value, address: i.address, port: i.port, tags: i.tags, meta: i.meta }) ??
        ((i.status ?? 'passing') === 'passing' ? 'rendered' : 'not passing'),
    ),
  );
}
