/**
 * JSON exactly as Go's encoding/json writes it for consul-template's toJSON and toJSONPretty:
 * map keys sorted by their UTF-8 bytes (ctmpl's catalog records keep their field order, as Go
 * structs do), `<` `>` `&` U+2028 U+2029 escaped as \u003c…, a lone surrogate as \ufffd, -0 as
 * -0, and an error for NaN, infinities and cycles instead of `null`.
 */
import { goKeys } from './go-values.js';

const hex4 = (cp: number): string => `\\u${cp.toString(16).padStart(4, '0')}`;

const SHORT: Readonly<Record<string, string>> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** A JSON string literal with Go's escaping (HTML-safe unless escapeHTML is false). */
export function goJSONString(text: string, escapeHTML = true): string {
  let out = '"';
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    const short = SHORT[ch];
    if (short) out += short;
    else if (cp < 0x20 || cp === 0x2028 || cp === 0x2029 || (escapeHTML && (ch === '<' || ch === '>' || ch === '&'))) out += hex4(cp);
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return `${out}"`;
}

function number(n: number, helper: string): string {
  if (!Number.isFinite(n)) throw new Error(`${helper}: unsupported value ${String(n)} (JSON has no NaN or infinity)`);
  // JavaScript and Go print the same shortest digits and switch to exponents at the same places.
  return Object.is(n, -0) ? '-0' : JSON.stringify(n);
}

/** json.Marshal (indent "") or json.MarshalIndent(v, "", indent); escapeHTML false as Encoder.SetEscapeHTML(false). */
export function goJSON(value: unknown, helper: string, indent = '', escapeHTML = true): string {
  const seen = new Set<object>();
  const encode = (v: unknown, depth: number): string => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'string') return goJSONString(v, escapeHTML);
    if (typeof v === 'boolean') return String(v);
    if (typeof v === 'number') return number(v, helper);
    if (typeof v === 'bigint') return v.toString();
    if (typeof v !== 'object') throw new Error(`${helper}: cannot encode a ${typeof v}`);
    if (seen.has(v)) throw new Error(`${helper}: the value contains itself (a cycle)`);
    seen.add(v);
    const inner = indent === '' ? '' : `\n${indent.repeat(depth + 1)}`;
    const outer = indent === '' ? '' : `\n${indent.repeat(depth)}`;
    const colon = indent === '' ? ':' : ': ';
    let body: string[];
    let open: string;
    let close: string;
    if (Array.isArray(v)) {
      body = v.map((item) => encode(item, depth + 1));
      [open, close] = ['[', ']'];
    } else {
      const o = v as Record<string, unknown>;
      body = goKeys(o).map((k) => `${goJSONString(k, escapeHTML)}${colon}${encode(o[k], depth + 1)}`);
      [open, close] = ['{', '}'];
    }
    seen.delete(v);
    if (body.length === 0) return open + close;
    return `${open}${inner}${body.join(`,${inner}`)}${outer}${close}`;
  };
  return encode(value, 0);
}
