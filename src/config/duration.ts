import { InputError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a Go-style duration as operators write them for consul-template: `500ms`, `2s`, `1m30s`.
 * A bare number means seconds (consul-template's `-wait 5` means five seconds).
 */
export function parseDuration(text: string, what: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < trimmed.length) {
    part.lastIndex = pos;
    const match = part.exec(trimmed);
    if (!match) break;
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    pos = part.lastIndex;
  }
  if (trimmed === '' || pos !== trimmed.length) {
    throw new InputError(
      `${what}: "${text}" is not a duration`,
      undefined,
      'write a number of seconds or a duration such as 500ms, 2s, 1m30s',
    );
  }
  return Math.round(total);
}

export interface WaitSpec {
  minMs: number;
  maxMs: number;
}

/**
 * Parses a quiescence setting `min[:max]`. `0` turns waiting off. When only `min` is given,
 * `max` is four times `min`, as consul-template does.
 */
export function parseWait(text: string, what: string): WaitSpec {
  const [minText, maxText, extra] = text.split(':');
  if (extra !== undefined || minText === undefined) {
    throw new InputError(`${what}: "${text}" is not min[:max]`, undefined, 'for example --wait 1s:5s, or 0 to turn waiting off');
  }
  const minMs = parseDuration(minText, what);
  const maxMs = maxText === undefined ? minMs * 4 : parseDuration(maxText, what);
  if (maxMs < minMs) {
    throw new InputError(`${what}: max (${maxText}) is shorter than min (${minText})`, undefined, 'give a max at least as long as the min, e.g. 1s:5s');
  }
  return { minMs, maxMs };
}
