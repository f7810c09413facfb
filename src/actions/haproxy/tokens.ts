/**
 * Splits one haproxy configuration line into words, as haproxy's own parser does: `#` starts a
 * comment, blanks separate words, `'…'` is literal, `"…"` and bare words take backslash escapes,
 * and `$VAR` / `${VAR}` are environment variables haproxy expands at load time.
 *
 * A word is `plain` when it was written without quotes, escapes or variables: only plain words
 * can be repeated on the Runtime API, which has no quoting and expands nothing, and mean the same.
 */
export interface Word {
  /** The word as haproxy reads it (quotes and escapes removed; variables left as written). */
  readonly text: string;
  /** The word as written in the file. */
  readonly raw: string;
  readonly plain: boolean;
}

const BLANK = /[ \t]/;
const ESCAPES: Readonly<Record<string, string>> = { ' ': ' ', '#': '#', '\\': '\\', "'": "'", '"': '"', $: '$', r: '\r', n: '\n', t: '\t' };

/** The words of `line` (without its comment). */
export function splitWords(line: string): Word[] {
  const words: Word[] = [];
  let text = '';
  let raw = '';
  let plain = true;
  let inWord = false;
  let quote: "'" | '"' | undefined;
  const end = (): void => {
    if (inWord) words.push({ text, raw, plain });
    text = '';
    raw = '';
    plain = true;
    inWord = false;
  };
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i] as string;
    if (quote === "'") {
      raw += char;
      if (char === "'") quote = undefined;
      else text += char;
      continue;
    }
    if (quote === undefined && BLANK.test(char)) {
      end();
      continue;
    }
    if (quote === undefined && char === '#') break;
    inWord = true;
    raw += char;
    if (char === '\\') {
      const next = line[i + 1];
      plain = false;
      if (next === 'x' && /^[0-9A-Fa-f]{2}$/.test(line.slice(i + 2, i + 4))) {
        text += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
        raw += line.slice(i + 1, i + 4);
        i += 3;
      } else if (next !== undefined && ESCAPES[next] !== undefined) {
        text += ESCAPES[next];
        raw += next;
        i += 1;
      } else {
        text += char;
      }
      continue;
    }
    if (char === "'" || char === '"') {
      plain = false;
      if (quote === char) quote = undefined;
      else if (quote === undefined) quote = char;
      else text += char;
      continue;
    }
    if (char === '$') plain = false;
    text += char;
  }
  end();
  return words;
}
