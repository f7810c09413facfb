/**
 * Go's rules for template values that the helpers share: truth, map key order, comparison,
 * equality, and which objects are structures (field order kept) rather than maps (keys sorted).
 */
import type { Check, Instance } from '../../catalog/types.js';
import { parseGoInt } from './go-number.js';

/** Go's truth (text/template's `if`, `and`, `or`, `not`): false, 0, nil, "", empty list or map are false. */
export function goTruth(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return false;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Go's unicode.IsSpace, used by strings.TrimSpace and bytes.TrimSpace: U+0085 is a space, U+FEFF is not. */
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const TRIM_SPACE = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');

export const trimGoSpace = (s: string): string => s.replace(TRIM_SPACE, '');

const utf8 = new TextEncoder();

/** Go's order of strings (map keys, sort.Strings): by UTF-8 bytes, not UTF-16 code units. */
export function goKeyOrder(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(utf8.encode(a), utf8.encode(b));
}

const isNumeric = (v: unknown): boolean => (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '')) && !Number.isNaN(Number(v));

/**
 * ctmpl's ordering for gt/lt/ge/le: as numbers when both sides look like numbers (ports, weights
 * arrive as strings), otherwise as Go orders strings.
 */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') {
    const ia = parseIntQuietly(a);
    const ib = parseIntQuietly(b);
    if (ia !== undefined && ib !== undefined) return ia < ib ? -1 : ia > ib ? 1 : 0;
  }
  if (isNumeric(a) && isNumeric(b)) return Number(a) - Number(b);
  return goKeyOrder(String(a), String(b));
}

function parseIntQuietly(text: string): bigint | undefined {
  try {
    return parseGoInt(text, 'compare');
  } catch {
    return undefined;
  }
}

/** ctmpl's equality: identical, or two plain values with the same text (80 equals "80"). */
export function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (a !== null && b !== null && a !== undefined && b !== undefined && typeof a !== 'object' && typeof b !== 'object' && String(a) === String(b));
}

// ---------------------------------------------------------------------------------------------
// Structures and maps. Go encodes and prints a struct's fields in declaration order and a map's
// keys sorted. In JavaScript both are objects; ctmpl's catalog records (an instance, a check, the
// serviceStatus answer) keep their field order, every other object is a map.

const INSTANCE_FIELDS = ['ID', 'Name', 'Node', 'Address', 'Port', 'Tags', 'Checks', 'Status', 'Source'] as const satisfies readonly (keyof Instance)[];
const CHECK_FIELDS = ['CheckID', 'ServiceID', 'ServiceName', 'Output', 'Notes'] as const satisfies readonly (keyof Check)[];
const STATUS_FIELDS = ['Healthy', 'Held', 'Filtered', 'Damped'] as const;

const hasAll = (o: object, fields: readonly string[]): boolean => fields.every((f) => Object.hasOwn(o, f));

/** True for ctmpl's catalog records, whose fields keep their order like a Go struct's. */
export function isRecord(value: object): boolean {
  return hasAll(value, INSTANCE_FIELDS) || hasAll(value, CHECK_FIELDS) || (hasAll(value, STATUS_FIELDS) && Object.keys(value).length === STATUS_FIELDS.length);
}

/** An object's keys in the order Go would walk them: field order for records, sorted for maps. */
export function goKeys(value: object): string[] {
  const keys = Object.keys(value);
  return isRecord(value) ? keys : keys.sort(goKeyOrder);
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return String(value);
}
