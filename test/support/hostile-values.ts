/**
 * fast-check generators of catalog values: real-world ones that earlier rules refused (Fabio and
 * Traefik tags, names with spaces, `=`, `/`, backticks, parentheses, dots, unicode) and hostile
 * ones that try to break out of a config line (newlines, `;`, braces, `#`, quotes, NUL, `$`,
 * backslashes). Whether a value is refused is for the oracle (hostile-rules.ts) to say; see
 * AVOIDED there for what is never generated.
 */
import fc from 'fast-check';
import { hostAddressOk, portOk } from './hostile-rules.js';

/** Pieces that try to end a value, a statement, a block or a line, or to expand in a config. */
export const HOSTILE_PIECES: readonly string[] = [
  '\n', '\r', '\r\n', '\t', '\u0000', '\u0007', '\u001b[31m', '\u007f', '\u0085', '\u009b', '\u2028', '\u2029', '\ufeff', '\u202e',
  ';', '{', '}', '#', '"', "'", '`', '\\', '\\n', '$', '${HOME}', '$(id)', '$host', '%', '%n', '%[env(HOME)]', '&', '|', '<', '>', '*', '?', '!',
  ',', '(', ')', '[', ']', '~', '^', ' ', '\u00a0', '../', '/', '@', ':', '=', '+', '.', '-', '_',
  'é', 'ß', '漢字', '🙂', 'ﬀ', 'İ', 'ctmpl--',
  ';\n  server 6.6.6.6:80;\n}\nupstream evil {\n',
  "'\n    server evil 6.6.6.6:80 check\n",
  '"},{"targets":["6.6.6.6:80"],"labels":{"job":"evil"}}',
  '{{', '}}', '{{constructor}}', '__proto__', 'constructor', 'include /etc/shadow;',
];

/** Tags real catalogs carry (Fabio, Traefik, Prometheus-style key=value, paths, unicode). */
export const REAL_WORLD_TAGS: readonly string[] = [
  'urlprefix-/app strip=/app',
  'urlprefix-app.example.com/ proto=https',
  'traefik.enable=true',
  'traefik.http.routers.app.rule=Host(`app.example.com`)',
  'traefik.http.routers.app.rule=Host(`a.example.com`) && PathPrefix(`/api`)',
  'traefik.http.services.app.loadbalancer.server.port=8080',
  'version=1.2.3',
  'team=payments (eu)',
  '/health',
  'zone eu-west-1a',
  'café',
  '漢字',
  '🙂',
  'v1',
];

/** Service names real or unusual registrations use, each a trap for a naive template. */
export const ODD_NAMES: readonly string[] = [
  'a b', 'x.', '.x', 'v1.api', 'api.v1.internal', 'x|y', 'a@b', 'a~b', 'a/b', '(x)', '`x`', 'k=v', 'café', '漢字', '🙂 svc',
  'ctmpl--web', 'CTMPL--x', '-dash', '_srv._tcp', 'a_20b', '10.0.0.1', 'web:8080', "o'neil", 'a"b', 'a;b', 'a$b', '%[env(HOME)]',
];

const word = fc.stringMatching(/^[A-Za-z0-9]{1,6}$/);

/** A string of ordinary words and hostile pieces (possibly all ordinary: the oracle decides). */
export const hostileText: fc.Arbitrary<string> = fc
  .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...HOSTILE_PIECES) }, { weight: 2, arbitrary: word }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) }), {
    minLength: 1,
    maxLength: 6,
  })
  .map((parts) => parts.join(''));

/** A very long value with a control character in it (refused wherever it stands). */
export const veryLong: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 300, max: 5000 }), fc.constantFrom(...HOSTILE_PIECES))
  .map(([length, piece]) => `${'a'.repeat(length)} ${piece}\n`);

/** A service name: mostly plain, often odd (ODD_NAMES), now and then a case variant of `web`, hostile or empty. */
export const serviceNameArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/) },
  { weight: 5, arbitrary: fc.constantFrom(...ODD_NAMES) },
  { weight: 2, arbitrary: fc.constantFrom('web', 'Web', 'WEB', 'wEb') },
  { weight: 3, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.oneof(veryLong, fc.constant('')) },
);

/** An instance ID or node: mostly plain, sometimes odd or hostile, now and then empty. */
export const identArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 20, arbitrary: fc.stringMatching(/^[a-z0-9][A-Za-z0-9._:-]{0,12}$/) },
  { weight: 3, arbitrary: fc.constantFrom('a_b', 'b_c', 'a', 'c', 'n@x', 'a b', 'é', 'ctmpl--x', 'x_-y') },
  { weight: 3, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.oneof(veryLong, fc.constant('')) },
);

export const tagArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: fc.stringMatching(/^[a-z0-9][A-Za-z0-9._:=/@+-]{0,10}$/) },
  { weight: 6, arbitrary: fc.constantFrom(...REAL_WORLD_TAGS) },
  { weight: 4, arbitrary: hostileText },
  { weight: 1, arbitrary: veryLong },
);

/** `constructor` and `toString` as keys: own properties, never the prototype's (`__proto__` is left out, see AVOIDED). */
export const metaKeyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.stringMatching(/^[a-z][A-Za-z0-9_-]{0,8}$/) },
  { weight: 2, arbitrary: fc.constantFrom('constructor', 'toString', 'hasOwnProperty', 'a b', 'k=v', 'é') },
  { weight: 3, arbitrary: hostileText.filter((k) => k !== '__proto__') },
);
export const metaValueArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 3, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(4096), 'y'.repeat(20_000), '漢'.repeat(1000), 'tab\there', 'c1\u0085here') },
);

/** Unique by key, so a generated map never has one key twice. */
export const metaArb: fc.Arbitrary<[string, string][]> = fc.uniqueArray(fc.tuple(metaKeyArb, metaValueArb), { maxLength: 2, selector: ([k]) => k });

// ---------------------------------------------------------------------------------------------
// Addresses and ports
// ---------------------------------------------------------------------------------------------

/** An address with the oracle's verdict (hostAddressOk). */
export interface AddressValue {
  readonly value: string;
  readonly valid: boolean;
}

const badAddresses = fc.oneof(
  fc.constantFrom(
    '', ' ', '999.1.1.1', '256.0.0.1', '1.2.3', '10.0.0.1.5', 'fe80::1%eth0', '10.0.0.1;', '10.0.0.1 down', '10.0.0.1:80', '[::1]',
    '10.0.0.1\nserver 6.6.6.6:80', '-bad.example', 'a..b', 'x'.repeat(300), '10.0.0.1 backup', '::1;', 'unix:/run/app.sock',
  ),
  // A hostile piece that no IP address and no host name holds.
  fc.tuple(fc.option(fc.ipV4(), { nil: '' }), fc.constantFrom(...HOSTILE_PIECES.filter((p) => /[^A-Za-z0-9.:_%-]/.test(p)))).map(([ip, piece]) => `${ip}${piece}`),
);

const judged = (value: string): AddressValue => ({ value, valid: hostAddressOk(value) });

export const addressArb: fc.Arbitrary<AddressValue> = fc.oneof(
  { weight: 10, arbitrary: fc.ipV4().map(judged) },
  { weight: 4, arbitrary: fc.ipV6().map(judged) },
  { weight: 2, arbitrary: fc.constant(judged('localhost')) },
  { weight: 2, arbitrary: badAddresses.map(judged) },
);

/** Valid addresses only (for the catalogs whose file must be accepted). */
export const validAddressArb: fc.Arbitrary<AddressValue> = addressArb.filter((a) => a.valid);

/** A port as a catalog holds it (JSON number or string), with the oracle's verdict (portOk). */
export interface PortValue {
  readonly value: number | string | null;
  readonly valid: boolean;
}

export const portArb: fc.Arbitrary<PortValue> = fc.oneof(
  { weight: 16, arbitrary: fc.integer({ min: 1, max: 65535 }) },
  // Port 0 passes the rules but no proxy takes it (see AVOIDED).
  { weight: 1, arbitrary: fc.constantFrom<PortValue['value']>(-1, 65536, 70000, 1.5, 1e21, null, '', '80;', '80 down', '8080\nserver 6.6.6.6:80', 'http', '80}') },
).map((value) => ({ value, valid: portOk(value) }));

export const validPortArb: fc.Arbitrary<PortValue> = portArb.filter((p) => p.valid);

/** The port as ctmpl writes it (a whole number printed in decimal). */
export const portText = (port: PortValue): string => String(port.value);

// ---------------------------------------------------------------------------------------------
// Building blocks of the catalogs
// ---------------------------------------------------------------------------------------------

/** fc.oneof without the entries of weight 0. */
export function weighted<T>(...entries: { weight: number; arbitrary: fc.Arbitrary<T> }[]): fc.Arbitrary<T> {
  return fc.oneof(...entries.filter((e) => e.weight > 0));
}

/** A map with own properties only (`__proto__` included), for JSON.stringify. */
export function ownMap(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}
