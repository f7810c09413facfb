import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';

/**
 * The one reader of credential files (tokens, passwords): read at load and again at each new
 * session, so a rotated secret is picked up on SIGHUP. One trailing newline is dropped (editors add
 * one); surrounding whitespace is dropped for tokens. An unreadable or empty file is an InputError
 * that names the file and `what` it should hold — never its content.
 */
export function readSecretFile(path: string, what: string, hint: string, options: { trim?: 'newline' | 'whitespace' } = {}): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the ${what} file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, path, hint);
  }
  const secret = options.trim === 'whitespace' ? text.trim() : text.replace(/\r?\n$/, '');
  if (secret === '') throw new InputError(`the ${what} file is empty`, path, `write the ${what} into it`);
  return secret;
}
