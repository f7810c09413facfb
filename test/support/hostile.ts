/**
 * Hostile catalog data for the security tests: fast-check generators of strings that try to break
 * out of a config line (newlines, `;`, braces, `#`, quotes, NUL, `$`, backslashes, unicode, very
 * long values), catalogs built from them for the static catalog file and for a Consul-shaped
 * source, and an oracle that says what should be rendered.
 *
 * The oracle is written from the README, never from src/: "Security" (the rules applied at the
 * source edge) and "Catalog file" (the static catalog's own schema). Where the README leaves a
 * value's fate open, the generators do not produce that value (see AVOIDED below), so every
 * expectation here follows from a documented rule.
 */
import fc from 'fast-check';
import { hostPort } from './catalog.js';

// ---------------------------------------------------------------------------------------------
// The documented rules
// ---------------------------------------------------------------------------------------------

/** README "Security": the character sets of the edge validation. */
export const EDGE_RULES = {
  name: /^[A-Za-z0-9._-]+$/,
  id: /^[A-Za-z0-9._:-]+$/,
  tag: /^[A-Za-z0-9._:=/@+-]+$/,
  metaKey: /^[A-Za-z0-9_-]+$/,
} as const;

/** README "Security": meta values without control characters, up to 4 KiB. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
export const MAX_META_VALUE = 4096;
export const metaValueOk = (value: string): boolean => !CONTROL.test(value) && value.length <= MAX_META_VALUE;

/** README "Catalog file": the file's own schema, checked before the edge rules. */
export const FILE_RULES = {
  /** "Service names use letters, digits, - and _". */
  name: /^[A-Za-z0-9_-]+$/,
  /** `id` and `node`: "letters, digits, . : - _". */
  ident: /^[A-Za-z0-9.:_-]+$/,
  statuses: ['passing', 'warning', 'critical', 'maintenance'],
} as const;

/**
 * Values the generators never produce, because the README does not say what happens to them or
 * because they are covered by their own focused tests (test/integration/fuzz.test.ts, "valid data
 * the proxies refuse"):
 * - names not starting with a letter or digit, and identifiers longer than 64 characters (the
 *   README gives character sets, not a first character or a length);
 * - a tab or a C1 control character (U+0080–U+009F) in a meta value ("control characters" is not
 *   defined), and meta values near 4 KiB that are not ASCII (characters or bytes?);
 * - host names other than `localhost` (nginx -t and haproxy -c resolve them); IPv6 addresses
 *   with a zone index (`fe80::1%eth0`: an IP address by the README, refused by nginx and haproxy)
 *   and IPv6 addresses whose trailing `::` stands for a single zero group (`1:2:3:4:5:6:7::`,
 *   valid by RFC 4291 and for Node, refused by nginx 1.22);
 * - numeric-looking port strings (`" 80"`, `"0x50"`, `"1e3"`: the file's "whole number" is open);
 * - `@` in an ID or node that is otherwise valid (allowed by the README, refused by haproxy in a
 *   server name), the same ID twice in one Consul service, and service names equal but for case
 *   (nginx upstream names are case-insensitive);
 * - dots in Consul service names (`(service "a.b")` reads as tag `a` of service `b`);
 * - a meta key `__proto__` (a JSON object's own `__proto__` key is lost when copied into a plain
 *   object, so its value is neither validated nor rendered).
 */
export const AVOIDED = 'see the comment on AVOIDED in test/support/hostile.ts';

// ---------------------------------------------------------------------------------------------
// Hostile strings
// ---------------------------------------------------------------------------------------------

/** Pieces that try to end a value, a statement, a block or a line, or to expand in a config. */
export const HOSTILE_PIECES: readonly string[] = [
  '\n', '\r', '\r\n', '\t', '\u0000', '\u0007', '\u001b[31m', '\u007f', '\u0085', '\u2028', '\u2029', '\ufeff', '\u202e',
  ';', '{', '}', '#', '"', "'", '`', '\\', '\\n', '$', '${HOME}', '$(id)', '$host', '%', '%n', '&', '|', '<', '>', '*', '?', '!',
  ',', '(', ')', '[', ']', '~', '^', ' ', '\u00a0', '../', '/', '@', ':', '=', '+', '.', '-', '_',
  'é', 'ß', '漢字', '🙂', 'ﬀ', 'İ',
  ';\n  server 6.6.6.6:80;\n}\nupstream evil {\n',
  "'\n    server evil 6.6.6.6:80 check\n",
  '"},{"targets":["6.6.6.6:80"],"labels":{"job":"evil"}}',
  '{{', '}}', '{{constructor}}', '__proto__', 'constructor', 'include /etc/shadow;',
];

const word = fc.stringMatching(/^[A-Za-z0-9]{1,6}$/);

/** A string of ordinary words and hostile pieces (possibly all ordinary: the oracle decides). */
export const hostileText: fc.Arbitrary<string> = fc
  .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HOSTILE_PIECES) }, { weight: 2, arbitrary: word }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) }), {
    minLength: 1,
    maxLength: 6,
  })
  .map((parts) => parts.join(''));

/** A very long value that breaks every character set (a space and a newline in it). */
export const veryLong: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 300, max: 5000 }), fc.constantFrom(...HOSTILE_PIECES))
  .map(([length, piece]) => `${'a'.repeat(length)} ${piece}\n`);

const startsOk = /^[A-Za-z0-9]/;

/**
 * Makes a value unambiguous for a rule: a value inside the character set is kept only if it also
 * starts with a letter or digit and is at most 64 characters long (see AVOIDED); one outside the
 * set is kept as it is (it is invalid whatever its first character or length).
 */
function clarify(rule: RegExp, value: string, options: { noAt?: boolean; noDot?: boolean } = {}): string {
  if (!rule.test(value)) return value;
  let v = value;
  if (options.noAt) v = v.replace(/@/g, '-');
  if (options.noDot) v = v.replace(/\./g, '-');
  if (!startsOk.test(v)) v = `x${v}`;
  return v.slice(0, 64);
}

/** A field value: mostly valid (from `valid`), sometimes hostile. */
function field(valid: fc.Arbitrary<string>, rule: RegExp, hostileWeight: number, options: { noAt?: boolean; noDot?: boolean } = {}): fc.Arbitrary<string> {
  return fc
    .oneof({ weight: 24, arbitrary: valid }, { weight: hostileWeight, arbitrary: hostileText }, { weight: 1, arbitrary: veryLong }, { weight: 1, arbitrary: fc.constant('') })
    .map((v) => clarify(rule, v, options));
}

export const tagArb = field(fc.stringMatching(/^[a-z0-9][A-Za-z0-9._:=/@+-]{0,10}$/), EDGE_RULES.tag, 4);
/** `constructor` and `toString` as keys: own properties, never the prototype's (`__proto__` is left out, see AVOIDED). */
export const metaKeyArb = field(fc.oneof(fc.stringMatching(/^[a-z][A-Za-z0-9_-]{0,8}$/), fc.constantFrom('constructor', 'toString', 'hasOwnProperty')), EDGE_RULES.metaKey, 4);
export const metaValueArb: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 12, arbitrary: fc.string({ maxLength: 20 }) },
    { weight: 3, arbitrary: hostileText },
    { weight: 1, arbitrary: fc.constantFrom('x'.repeat(MAX_META_VALUE), 'x'.repeat(MAX_META_VALUE + 1), 'y'.repeat(20_000), '漢'.repeat(1000)) },
  )
  // See AVOIDED: no tab, no C1 control character.
  .map((v) => v.replace(/[\t\u0080-\u009f]/g, '\n'));

/** Unique by key, so a generated map never has one key twice. */
export const metaArb: fc.Arbitrary<[string, string][]> = fc.uniqueArray(fc.tuple(metaKeyArb, metaValueArb), { maxLength: 2, selector: ([k]) => k });

// ---------------------------------------------------------------------------------------------
// Addresses and ports
// ---------------------------------------------------------------------------------------------

/** An address with what the README says of it: an IP address or a host name, or neither. */
export interface AddressValue {
  readonly value: string;
  readonly valid: boolean;
}

const badAddresses = fc.oneof(
  fc.constantFrom('', ' ', '10.0.0.1;', '10.0.0.1 down', '10.0.0.1:80', '[::1]', '10.0.0.1\nserver 6.6.6.6:80', '-bad.example', 'a..b', 'x'.repeat(300), '10.0.0.1 backup', '::1;'),
  // A hostile piece that no IP address and no host name holds.
  fc.tuple(fc.option(fc.ipV4(), { nil: '' }), fc.constantFrom(...HOSTILE_PIECES.filter((p) => /[^A-Za-z0-9.:_%-]/.test(p)))).map(([ip, piece]) => `${ip}${piece}`),
);

export const addressArb: fc.Arbitrary<AddressValue> = fc.oneof(
  { weight: 10, arbitrary: fc.ipV4().map((value) => ({ value, valid: true })) },
  // See AVOIDED: not the `1:2:3:4:5:6:7::` form.
  { weight: 4, arbitrary: fc.ipV6().filter((a) => !/^([0-9a-f]{1,4}:){7}:$/i.test(a)).map((value) => ({ value, valid: true })) },
  { weight: 2, arbitrary: fc.constant({ value: 'localhost', valid: true }) },
  { weight: 2, arbitrary: badAddresses.map((value) => ({ value, valid: false })) },
);

/** Valid addresses only (for the catalogs whose file must be accepted). */
export const validAddressArb: fc.Arbitrary<AddressValue> = addressArb.filter((a) => a.valid);

/** A port as a catalog holds it (JSON number or string), with whether it is a whole number 1–65535. */
export interface PortValue {
  readonly value: number | string | null;
  readonly valid: boolean;
}

export const portArb: fc.Arbitrary<PortValue> = fc.oneof(
  { weight: 16, arbitrary: fc.integer({ min: 1, max: 65535 }).map((value) => ({ value, valid: true })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<PortValue['value']>(0, -1, 65536, 70000, 1.5, 1e21, null, '', '80;', '80 down', '8080\nserver 6.6.6.6:80', 'http', '80}').map((value) => ({ value, valid: false })),
  },
);

export const validPortArb: fc.Arbitrary<PortValue> = portArb.filter((p) => p.valid);

/** The port as ctmpl writes it (a whole number printed in decimal). */
const portText = (port: PortValue): string => String(port.value);

// ---------------------------------------------------------------------------------------------
// Static catalog files
// ---------------------------------------------------------------------------------------------

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

/** fc.oneof without the entries of weight 0. */
function weighted<T>(...entries: { weight: number; arbitrary: fc.Arbitrary<T> }[]): fc.Arbitrary<T> {
  return fc.oneof(...entries.filter((e) => e.weight > 0));
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

/** A map with own properties only (`__proto__` included), for JSON.stringify. */
function ownMap(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

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

/** Why the edge validation drops an instance (README "Security"), or undefined when it renders. */
export function edgeProblem(instance: { name: string; id: string; node: string; address: AddressValue; port: PortValue; tags: readonly string[]; meta: readonly (readonly [string, string])[] }): string | undefined {
  if (!EDGE_RULES.name.test(instance.name)) return 'service name';
  if (!EDGE_RULES.id.test(instance.id)) return 'id';
  if (!EDGE_RULES.id.test(instance.node)) return 'node';
  if (!instance.address.valid) return 'address';
  if (!instance.port.valid) return 'port';
  if (!instance.tags.every((t) => EDGE_RULES.tag.test(t))) return 'tag';
  if (!instance.meta.every(([k]) => EDGE_RULES.metaKey.test(k))) return 'meta key';
  if (!instance.meta.every(([, v]) => metaValueOk(v))) return 'meta value';
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

// ---------------------------------------------------------------------------------------------
// Consul-shaped catalogs (for the scripted fake Consul)
// ---------------------------------------------------------------------------------------------

export interface ConsulInstanceSpec {
  /** Service.ID, Service.Service, Node.Node. */
  readonly id: string;
  readonly service: string;
  readonly node: string;
  /** Service.Address ('' means "the node's address", as Consul documents). */
  readonly serviceAddress: AddressValue;
  readonly nodeAddress: AddressValue;
  readonly port: PortValue;
  readonly tags: readonly string[];
  readonly meta: readonly (readonly [string, string])[];
  readonly status: 'passing' | 'warning' | 'critical';
}

export interface ConsulServiceSpec {
  /** The name /v1/catalog/services lists. */
  readonly name: string;
  readonly instances: readonly ConsulInstanceSpec[];
}

export interface ConsulCatalogSpec {
  readonly services: readonly ConsulServiceSpec[];
}

const consulName = fc
  .oneof({ weight: 12, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/) }, { weight: 3, arbitrary: hostileText }, { weight: 1, arbitrary: veryLong })
  .map((v) => clarify(EDGE_RULES.name, v, { noDot: true }));
const consulIdent = fc
  .oneof({ weight: 24, arbitrary: fc.stringMatching(/^[a-z0-9][A-Za-z0-9._:-]{0,12}$/) }, { weight: 3, arbitrary: hostileText }, { weight: 1, arbitrary: veryLong }, { weight: 1, arbitrary: fc.constant('') })
  .map((v) => clarify(EDGE_RULES.id, v, { noAt: true }));
const EMPTY_ADDRESS: AddressValue = { value: '', valid: false };

function consulInstance(service: string): fc.Arbitrary<ConsulInstanceSpec> {
  return fc.record({
    id: consulIdent,
    // Mostly the service's own name; sometimes a hostile one in the health entry itself.
    service: fc.oneof({ weight: 16, arbitrary: fc.constant(service) }, { weight: 1, arbitrary: consulName }),
    node: consulIdent,
    serviceAddress: fc.oneof({ weight: 8, arbitrary: addressArb }, { weight: 1, arbitrary: fc.constant(EMPTY_ADDRESS) }),
    nodeAddress: addressArb,
    port: portArb,
    tags: fc.array(tagArb, { maxLength: 2 }),
    meta: metaArb,
    status: fc.constantFrom('passing', 'passing', 'passing', 'passing', 'warning', 'critical'),
  });
}

/** Up to 5 services (names valid or hostile) with up to 6 instances each; IDs unique within a service (see AVOIDED). */
export const consulCatalogArb: fc.Arbitrary<ConsulCatalogSpec> = fc
  .uniqueArray(consulName, { minLength: 1, maxLength: 5, selector: (n) => n.toLowerCase() })
  .chain((names) =>
    fc.tuple(...names.map((name) => fc.uniqueArray(consulInstance(name), { maxLength: 6, selector: (i) => i.id }).map((instances) => ({ name, instances })))),
  )
  .map((services) => ({ services }));

/** The address ctmpl uses: the service's, or the node's when the service has none. */
export const effectiveAddress = (i: ConsulInstanceSpec): AddressValue => (i.serviceAddress.value === '' ? i.nodeAddress : i.serviceAddress);

/** /v1/health/service/NAME entries as Consul sends them. */
export function consulHealthBody(service: ConsulServiceSpec): unknown[] {
  return service.instances.map((i) => ({
    Node: { ID: '00000000-0000-0000-0000-000000000001', Node: i.node, Address: i.nodeAddress.value, Datacenter: 'dc1', Meta: {} },
    Service: { ID: i.id, Service: i.service, Address: i.serviceAddress.value, Port: i.port.value, Tags: i.tags, Meta: ownMap(i.meta) },
    Checks: [
      { Node: i.node, CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing', ServiceID: '', ServiceName: '' },
      { Node: i.node, CheckID: `service:${i.id}`, Name: 'check', Status: i.status, ServiceID: i.id, ServiceName: i.service },
    ],
  }));
}

/** /v1/catalog/services: every name with the union of its instances' tags, as Consul sends it. */
export function consulCatalogBody(spec: ConsulCatalogSpec): Record<string, string[]> {
  return ownMap(spec.services.map((s) => [s.name, [...new Set(s.instances.flatMap((i) => i.tags))].sort()])) as Record<string, string[]>;
}

const consulProblem = (i: ConsulInstanceSpec): string | undefined =>
  edgeProblem({ name: i.service, id: i.id, node: i.node, address: effectiveAddress(i), port: i.port, tags: i.tags, meta: i.meta });

/** Service → sorted `host:port` the shipped templates must show: valid names, valid passing instances. */
export function expectedFromConsul(spec: ConsulCatalogSpec): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of spec.services) {
    if (!EDGE_RULES.name.test(s.name)) continue;
    const shown = s.instances.filter((i) => i.status === 'passing' && consulProblem(i) === undefined);
    out.set(s.name, shown.map((i) => hostPort(effectiveAddress(i).value, portText(i.port))).sort());
  }
  return out;
}

/** Edge-validation verdicts for the statistics (instances of listed names only: the others are never asked for). */
export function consulVerdicts(spec: ConsulCatalogSpec): string[] {
  return spec.services.flatMap((s) =>
    !EDGE_RULES.name.test(s.name) ? ['service name (catalog)'] : s.instances.map((i) => (i.status !== 'passing' ? 'not passing' : (consulProblem(i) ?? 'rendered'))),
  );
}

// ---------------------------------------------------------------------------------------------
// The shape of the shipped templates' output
// ---------------------------------------------------------------------------------------------

/** Text without control characters (a line cannot end inside it). */
const TEXT = '[^\\u0000-\\u001f\\u007f]*';
const HOSTPORT = '(?:[0-9.]+|\\[[0-9A-Fa-f:.]+\\]|localhost):[0-9]{1,5}';
const NAME = '[A-Za-z0-9._-]+';

/** Every line a rendered templates/nginx-upstream.hbs may have. */
const NGINX_LINES = [
  new RegExp(`^#${TEXT}$`),
  new RegExp(`^upstream ${NAME} \\{$`),
  new RegExp(`^    server ${HOSTPORT} max_fails=3 fail_timeout=10s;$`),
  new RegExp(`^    #${TEXT}$`),
  /^ {4}server 127\.0\.0\.1:9 down;$/,
  /^\}$/,
  /^$/,
];

/** Every line a rendered templates/haproxy-backend.hbs may have. */
const HAPROXY_LINES = [
  new RegExp(`^#${TEXT}$`),
  new RegExp(`^backend ${NAME}$`),
  // One single-quoted word; a quote inside is written '\'' (haproxyString).
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /^ {4}description '(?:[^'\u0000-\u001f\u007f]|'\\'')*'$/,
  /^ {4}balance roundrobin$/,
  new RegExp(`^    server [A-Za-z0-9._:-]+ ${HOSTPORT} check$`),
  /^$/,
];

/** The lines of `text` that are none of the template's own line shapes (an injection would be one). */
function foreignLines(text: string, shapes: readonly RegExp[]): string[] {
  return text.split('\n').filter((line) => !shapes.some((shape) => shape.test(line)));
}

export const foreignNginxLines = (text: string): string[] => foreignLines(text, NGINX_LINES);
export const foreignHaproxyLines = (text: string): string[] => foreignLines(text, HAPROXY_LINES);

/** The nginx `# service NAME, tags "…"` comment must hold one double-quoted nginx string. */
export function nginxTagCommentsOk(text: string): boolean {
  return text
    .split('\n')
    .filter((l) => l.startsWith('# service '))
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    .every((l) => /^# service [A-Za-z0-9._-]+, tags "(?:[^"\\$\u0000-\u001f\u007f]|\\["\\])*"$/.test(l));
}

/** Long strings abbreviated, so a counterexample stays readable (the seed and path replay it exactly). */
function abbreviated(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' && v.length > 60 ? `${v.slice(0, 30)}…[${v.length} chars]…${v.slice(-10)}` : v));
}

/** Attaches a compact printout to a generated spec, used by fast-check in counterexamples. */
export function printable<T extends object>(spec: T): T {
  return Object.defineProperty({ ...spec }, fc.toStringMethod, { value: () => abbreviated(spec), enumerable: false });
}

/** Counts of a list of reasons, for the report. */
export function tally(into: Map<string, number>, reasons: readonly string[]): void {
  for (const r of reasons) into.set(r, (into.get(r) ?? 0) + 1);
}
