import { readFileSync } from 'node:fs';
import { InputError } from '../errors.js';

/** Looks a user or group up in /etc/passwd or /etc/group; a number is taken as an id. */
function lookup(name: string, file: '/etc/passwd' | '/etc/group', what: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // fall through to the error below
  }
  for (const line of text.split('\n')) {
    const [entry, , id] = line.split(':');
    if (entry === name && id !== undefined && /^\d+$/.test(id)) return Number(id);
  }
  throw new InputError(`${what} "${name}" does not exist on this machine`, undefined, `give a ${what} name from ${file} or a numeric id`);
}

export const resolveUser = (name: string): number => lookup(name, '/etc/passwd', 'user');
export const resolveGroup = (name: string): number => lookup(name, '/etc/group', 'group');
