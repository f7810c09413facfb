/**
 * fast-check generators of hostile catalog values: strings that try to break out of a config line
 * (newlines, `;`, braces, `#`, quotes, NUL, `$`, backslashes, unicode, very long values), tags, meta,
 * addresses and ports, each mostly valid and sometimes not, as the rules in hostile-rules.ts judge
 * them (see AVOIDED there for what is never generated).
 */
import fc from 'fast-check';
import { EDGE_RULES, MAX_META_VALUE } from './hostile-rules.js';

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
export function clarify(rule: RegExp, value: string, options: { noAt?: boolean; noDot?: boolean } = {}): string {
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
