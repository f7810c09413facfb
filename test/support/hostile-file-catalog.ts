/**
 * Static catalog files built from hostile values (hostile-values.ts), and what docs/security.md
 * says of them: whether the file is refused as a whole, and what the shipped templates must show.
 */
import fc from 'fast-check';
import { hostPort } from './catalog.js';
import { hasControlChar, hostAddressOk, nameOk, ownersAtFirstSight, portOk } from './hostile-rules.js';
import { addressArb, identArb, metaArb, ownMap, portArb, portText, serviceNameArb, tagArb, validAddressArb, validPortArb, weighted, type AddressValue, type PortValue } from './hostile-values.js';

/** docs/registries/file.md: the statuses an instance may have. */
const FILE_STATUSES = ['passing', 'warning', 'critical', 'maintenance'] as const;

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

/** Mostly valid by the file's rules; now and then (weight `hostileWeight`) refused. */
const fileText = (valid: fc.Arbitrary<string>, hostileWeight: number): fc.Arbitrary<string> =>
  weighted({ weight: 12, arbitrary: valid.filter((v) => nameOk(v)) }, { weight: hostileWeight, arbitrary: valid });

const fileStatus = (hostileWeight: number): fc.Arbitrary<string | undefined> =>
  weighted<string | undefined>(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 6, arbitrary: fc.constantFrom(...FILE_STATUSES, 'passing', 'passing', 'passing') },
    { weight: hostileWeight, arbitrary: fc.constantFrom('PASSING', 'passing;', '', 'ok', 'passing\n') },
  );

function fileInstance(attack: boolean): fc.Arbitrary<FileInstanceSpec> {
  // In an attack on the file's schema, the fields it checks are hostile now and then; otherwise
  // they come from valid pools, and only the fields left to the edge validation are hostile.
  const w = attack ? 1 : 0;
  return fc.record({
    id: fc.option(fileText(identArb, w), { nil: undefined }),
    node: fc.option(fileText(identArb, w), { nil: undefined }),
    address: attack ? fc.oneof({ weight: 6, arbitrary: validAddressArb }, { weight: 1, arbitrary: addressArb }) : validAddressArb,
    port: attack ? fc.oneof({ weight: 8, arbitrary: validPortArb }, { weight: 1, arbitrary: portArb }) : validPortArb,
    tags: fc.array(attack ? tagArb : tagArb.filter((t) => !hasControlChar(t)), { maxLength: 2 }),
    // Meta keys with a control character pass the file and are screened like a registry's.
    meta: attack ? metaArb : metaArb.map((entries) => entries.filter(([, v]) => !hasControlChar(v))),
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
      services: fc.uniqueArray(fc.tuple(fileText(serviceNameArb, attack ? 1 : 0), fc.option(fc.array(fileInstance(attack), { maxLength: 6 }), { nil: null, freq: 10 })), {
        minLength: 1,
        maxLength: 5,
        selector: ([name]) => name,
      }),
    }),
  )
  // See AVOIDED: the tags comment of the shipped nginx template stays within nginx's 4 KiB.
  .filter((spec) => spec.services.every(([name, instances]) => commentLength(name, (instances ?? []).flatMap((i) => i.tags)) < 3500));

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

/** Why the file is refused as a whole (docs/security.md, "Static catalog files"), or undefined. */
export function fileRefusal(spec: FileCatalogSpec): string | undefined {
  for (const [name, instances] of spec.services) {
    if (!nameOk(name)) return 'service name';
    const ids = new Set<string>();
    for (const i of instances ?? []) {
      if (!hostAddressOk(i.address.value)) return 'address';
      if (!portOk(i.port.value)) return 'port';
      if (i.id !== undefined && !nameOk(i.id)) return 'id';
      if (i.node !== undefined && !nameOk(i.node)) return 'node';
      if (i.tags.some(hasControlChar)) return 'tags';
      if (i.meta.some(([, v]) => hasControlChar(v))) return 'meta';
      if (i.status !== undefined && !(FILE_STATUSES as readonly string[]).includes(i.status)) return 'status';
      const id = i.id ?? `${i.address.value}:${portText(i.port)}`;
      if (ids.has(id)) return 'duplicate id';
      ids.add(id);
    }
  }
  return undefined;
}

/** Of names that differ only in case, the one kept (all are new at the first render). */
const keptNames = (spec: FileCatalogSpec): Map<string, boolean> => ownersAtFirstSight(spec.services.map(([name]) => name));

/** What the shipped templates must show for an accepted file: service → sorted `host:port` of its passing instances. */
export function expectedFromFile(spec: FileCatalogSpec): Map<string, string[]> {
  const kept = keptNames(spec);
  const out = new Map<string, string[]>();
  for (const [name, instances] of spec.services) {
    if (kept.get(name) !== true) continue;
    const shown = (instances ?? []).filter((i) => (i.status ?? 'passing') === 'passing');
    out.set(name, shown.map((i) => hostPort(i.address.value, portText(i.port))).sort());
  }
  return out;
}

/** Verdicts for every instance of an accepted file, for the statistics. */
export function fileVerdicts(spec: FileCatalogSpec): string[] {
  const kept = keptNames(spec);
  return spec.services.flatMap(([name, instances]) =>
    (instances ?? []).map((i) => {
      if (kept.get(name) !== true) return 'case variant';
      if ((i.status ?? 'passing') !== 'passing') return 'not passing';
      if (i.meta.some(([k]) => hasControlChar(k))) return 'rendered, a meta entry dropped';
      return OLD_TAG_RULE.test(name) && i.tags.every((t) => OLD_TAG_RULE.test(t)) ? 'rendered' : 'rendered, refused by the old rules';
    }),
  );
}

/** The character set tags and names had to keep to before issue 17: what now renders and did not. */
const OLD_TAG_RULE = /^[A-Za-z0-9._:=/@+-]+$/;

/** Length of the `# service "NAME", tags "T1,T2"` comment line the shipped nginx template writes (an upper bound). */
export function commentLength(name: string, tags: readonly string[]): number {
  return 2 * Buffer.byteLength(`${name}${[...new Set(tags)].join(',')}`) + 40;
}
