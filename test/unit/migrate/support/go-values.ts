/**
 * Go's rules for values that reach templates as JavaScript values: truth, `%v` printing, printf
 * verbs and encoding/json output. Used by the reference helpers the converted templates call.
 */

/** Go's `if`: false, 0, nil, "", and empty lists and maps are false ("0" is a non-empty string). */
export function goTruth(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** Map keys in Go's order: by UTF-8 bytes. */
export function goKeyOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Go's `%v` of a float64 (shortest digits; exponent form below 1e-4 and from 1e21 down to 1e6). */
export function goFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [m, e] = f.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= 6) return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(f);
}

/** Go's `%v`: JSON numbers are float64, lists `[a b]`, maps `map[k:v]` in key order, nil `<nil>`. */
export function goV(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') return goFloat(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goV).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o)
      .sort(goKeyOrder)
      .map((k) => `${k}:${goV(o[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

function pad(text: string, width: number | undefined, flags: string, numeric: boolean): string {
  if (width === undefined || text.length >= width) return text;
  if (flags.includes('-')) return text.padEnd(width, ' ');
  if (numeric && flags.includes('0')) {
    const sign = /^[+-]/.test(text) ? (text[0] as string) : '';
    return sign + text.slice(sign.length).padStart(width - sign.length, '0');
  }
  return text.padStart(width, ' ');
}

function integer(v: unknown): bigint {
  const text = String(v);
  if (!/^[+-]?\d+$/.test(text)) throw new Error(`printf: %d of ${JSON.stringify(v)}`);
  return BigInt(text);
}

/** Go's printf for the verbs ctmpl supports: %s %q %d %f %x %X %v with flags, width, precision. */
export function goSprintf(format: string, args: readonly unknown[]): string {
  let i = 0;
  return format.replace(/%([-+# 0]*)(\d*)(?:\.(\d*))?([%sqdfxXv])/g, (_m, flags: string, w: string, p: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    const v = args[i++];
    const width = w === '' ? undefined : Number(w);
    const prec = p === undefined ? undefined : Number(p || '0');
    switch (verb) {
      case 's': {
        const s = typeof v === 'string' ? v : goV(v);
        return pad(prec === undefined ? s : [...s].slice(0, prec).join(''), width, flags, false);
      }
      case 'q':
        return pad(JSON.stringify(String(v)), width, flags, false);
      case 'd': {
        const n = integer(v);
        return pad(`${flags.includes('+') && n >= 0n ? '+' : ''}${n}`, width, flags, true);
      }
      case 'f': {
        const n = Number(v);
        return pad(`${flags.includes('+') && n >= 0 ? '+' : ''}${n.toFixed(prec ?? 6)}`, width, flags, true);
      }
      case 'x':
      case 'X': {
        const hex = typeof v === 'string' && !/^-?\d+$/.test(v) ? Buffer.from(v, 'utf8').toString('hex') : integer(v).toString(16);
        return pad(verb === 'X' ? hex.toUpperCase() : hex, width, flags, true);
      }
      default:
        return pad(goV(v), width, flags, false);
    }
  });
}

/** encoding/json: map keys sorted, `<` `>` `&` U+2028 U+2029 escaped, optional indent. */
export function goJSON(value: unknown, indent = ''): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(o)
          .sort(goKeyOrder)
          .map((k) => [k, sortKeys(o[k])]),
      );
    }
    return v;
  };
  return (JSON.stringify(sortKeys(value ?? null), null, indent || undefined) ?? 'null').replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
