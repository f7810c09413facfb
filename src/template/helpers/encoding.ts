/**
 * consul-template's encoding functions: JSON and YAML as Go writes them, parseJSON, base64 (as
 * strict as Go's decoder: padding required, only \r and \n ignored), and hashes as hex.
 */
import { createHash, createHmac } from 'node:crypto';
import { splitArgs, type Helper } from './args.js';
import { goJSON } from './go-json.js';
import { describe } from './go-values.js';
import { goYAML } from './go-yaml.js';

function one(helper: string, args: unknown[]): unknown {
  const { params } = splitArgs(args);
  if (params.length !== 1) throw new Error(`${helper}: expected 1 argument, got ${params.length}`);
  return params[0];
}

function text(helper: string, value: unknown, what = 'a string'): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') throw new Error(`${helper}: expected ${what}, got ${describe(value)}`);
  return String(value);
}

/** Go's base64 decoders: \r and \n skipped, the alphabet checked, padding required. */
function decodeBase64(helper: string, input: string, url: boolean): string {
  const alphabet = url ? /[A-Za-z0-9_-]/ : /[A-Za-z0-9+/]/;
  let data = '';
  let padding = 0;
  for (let i = 0; i < input.length; i++) {
    const ch = input[i] as string;
    if (ch === '\r' || ch === '\n') continue;
    const ok = ch === '=' ? data.length % 4 >= 2 : padding === 0 && alphabet.test(ch);
    if (!ok) throw new Error(`${helper}: illegal base64 data at input byte ${i}`);
    if (ch === '=') padding++;
    data += ch;
  }
  if (data.length % 4 !== 0 || padding > 2) throw new Error(`${helper}: illegal base64 data at input byte ${input.length}`);
  return Buffer.from(data, url ? 'base64url' : 'base64').toString('utf8');
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** JSON.parse as Go's json.Unmarshal reads it: a lone surrogate escape becomes U+FFFD, 1e400 is an error. */
function parseJSONText(source: string): unknown {
  return JSON.parse(source, (_key, value: unknown) => {
    if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\ufffd');
    // Go cannot hold 1e400 in a float64 and refuses it; JSON.parse would give Infinity.
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('a number is out of range for a 64-bit float');
    return value;
  });
}

export const encodingHelpers: Record<string, Helper> = {
  /** `(toJSON v)`: compact JSON, map keys sorted, `<` `>` `&` escaped (Go's json.Marshal). */
  toJSON: (...args) => goJSON(one('toJSON', args), 'toJSON'),
  /** `(toJSONPretty v)`: the same, indented by two spaces. */
  toJSONPretty: (...args) => goJSON(one('toJSONPretty', args), 'toJSONPretty', '  '),
  /** `(toUnescapedJSON v)`: compact JSON without the HTML escapes. */
  toUnescapedJSON: (...args) => goJSON(one('toUnescapedJSON', args), 'toUnescapedJSON', '', false),
  /** `(toUnescapedJSONPretty v)`: indented JSON without the HTML escapes. */
  toUnescapedJSONPretty: (...args) => goJSON(one('toUnescapedJSONPretty', args), 'toUnescapedJSONPretty', '  ', false),
  /** `(toYAML v)`: YAML as consul-template writes it (gopkg.in/yaml.v2), trimmed. */
  toYAML: (...args) => goYAML(one('toYAML', args)),
  /** `(parseJSON s)`: the value of a JSON text; "" gives an empty map. Numbers stay numbers. */
  parseJSON(...args) {
    const source = text('parseJSON', one('parseJSON', args));
    if (source === '') return {};
    try {
      return parseJSONText(source);
    } catch (err) {
      throw new Error(`parseJSON: ${(err as Error).message}`);
    }
  },
  base64Encode: (...args) => Buffer.from(text('base64Encode', one('base64Encode', args)), 'utf8').toString('base64'),
  base64Decode: (...args) => decodeBase64('base64Decode', text('base64Decode', one('base64Decode', args)), false),
  /** URL-safe alphabet (- and _), with padding, as Go's base64.URLEncoding. */
  base64URLEncode: (...args) => Buffer.from(text('base64URLEncode', one('base64URLEncode', args)), 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_'),
  base64URLDecode: (...args) => decodeBase64('base64URLDecode', text('base64URLDecode', one('base64URLDecode', args)), true),
  /** `(sha256Hex s)`: the SHA-256 of s's UTF-8 bytes, in lower-case hex. */
  sha256Hex: (...args) => createHash('sha256').update(text('sha256Hex', one('sha256Hex', args)), 'utf8').digest('hex'),
  /** `(md5sum s)`: the MD5 of s's UTF-8 bytes, in lower-case hex. */
  md5sum: (...args) => createHash('md5').update(text('md5sum', one('md5sum', args)), 'utf8').digest('hex'),
  /** `(hmacSHA256Hex message key)`: the HMAC-SHA256 of message with key, in lower-case hex. */
  hmacSHA256Hex(...args) {
    const { params } = splitArgs(args);
    if (params.length !== 2) throw new Error(`hmacSHA256Hex: expected 2 arguments (a message, a key), got ${params.length}`);
    return createHmac('sha256', text('hmacSHA256Hex', params[1], 'a key')).update(text('hmacSHA256Hex', params[0], 'a message'), 'utf8').digest('hex');
  },
};
