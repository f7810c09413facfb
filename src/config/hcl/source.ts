import { InputError } from '../../errors.js';

/**
 * One config file's text with its line starts, so any offset becomes `file:line:column`. Columns
 * count UTF-16 code units from 1, as the YAML reader's do, so both readers place errors alike.
 */
export class SourceText {
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly path: string,
    readonly text: string,
  ) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  position(offset: number): { line: number; col: number } {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, col: offset - (this.lineStarts[low] as number) + 1 };
  }

  where(offset: number): string {
    const { line, col } = this.position(offset);
    return `${this.path}:${line}:${col}`;
  }

  /** A syntax error at `offset`: the position first, then what is wrong and how to fix it. */
  error(offset: number, message: string, hint: string): InputError {
    return new InputError(message, this.where(offset), hint);
  }
}

/** A place in a config file: the file and an offset in its text. */
export interface Place {
  readonly source: SourceText;
  readonly offset: number;
}

export const whereOf = (place: Place): string => place.source.where(place.offset);
