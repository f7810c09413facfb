/**
 * `path:line:column` of the `nth` occurrence of `needle` in `text` (columns from 1): expected
 * positions are found in the fixture text rather than counted by hand.
 */
export function positionOf(path: string, text: string, needle: string, nth = 0): string {
  let offset = -1;
  for (let i = 0; i <= nth; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset === -1) throw new Error(`${JSON.stringify(needle)} occurs fewer than ${nth + 1} times`);
  }
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `${path}:${line}:${offset - before.lastIndexOf('\n')}`;
}

/** Like positionOf, for the first `needle` at or after the first `marker`. */
export function positionAfter(path: string, text: string, marker: string, needle: string): string {
  const start = text.indexOf(marker);
  if (start === -1) throw new Error(`${JSON.stringify(marker)} does not occur`);
  const offset = text.indexOf(needle, start);
  const before = text.slice(0, offset);
  return `${path}:${before.split('\n').length}:${offset - before.lastIndexOf('\n')}`;
}
