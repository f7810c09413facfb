import { InputError } from '../errors.js';
import type { DataFile } from './data-file.js';

/** A config-file key: `['templates', 0, 'wait']`. */
export type KeyPath = readonly (string | number)[];

/** Where a value came from: a flag as typed (`--source "file:x"`), or a config key. */
export type Origin = string | KeyPath;

/** `templates[0].wait`, as operators read it. */
export function keyName(path: KeyPath): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

/**
 * Where a setting came from, for its errors. Checks after the schema (a duration's syntax, a
 * CIDR, a file that must exist…) are written once, against a name; this puts the name first —
 * the flag as typed, or the config key — and, for a key, its file:line:column.
 */
export class SettingOrigins {
  constructor(private readonly file: DataFile | undefined) {}

  /** `file:line:column` of the config key at `path` (its name when there is no file). */
  where(path: KeyPath): string {
    return this.file === undefined ? keyName(path) : this.file.locate(path);
  }

  /** Runs `check` for the config key at `path`; an InputError it raises points at the key. */
  key<T>(path: KeyPath, check: (name: string) => T): T {
    try {
      return check(keyName(path));
    } catch (err) {
      throw this.placeAtKey(err, path);
    }
  }

  /**
   * A check that waits (a file on disk) for a value given by a flag or at a config key, to run
   * later; an InputError it raises names that origin.
   */
  later(origin: Origin, check: (name: string) => Promise<void>): () => Promise<void> {
    const name = typeof origin === 'string' ? origin : keyName(origin);
    return () => check(name).catch((err: unknown) => Promise.reject(this.place(err, origin)));
  }

  /**
   * A setting given by `flag` (which wins) or by the config key at `path`, parsed by `parse`;
   * undefined when neither gives it.
   */
  pick<V, T>(flagValue: V | undefined, flag: string, fileValue: V | undefined, path: KeyPath, parse: (value: V, name: string) => T): T | undefined {
    if (flagValue !== undefined) return named(flag, () => parse(flagValue, flag));
    return fileValue === undefined ? undefined : this.key(path, (name) => parse(fileValue, name));
  }

  /** An InputError re-issued naming its origin (and, for a key, at the key's position). */
  place(err: unknown, origin: Origin): unknown {
    return typeof origin === 'string' ? placeAtFlag(err, origin) : this.placeAtKey(err, origin);
  }

  /** An InputError re-issued at the key's position, its message led by the key's name. */
  placeAtKey(err: unknown, path: KeyPath): unknown {
    if (!(err instanceof InputError) || this.file === undefined) return err;
    return new InputError(lead(keyName(path), err), this.file.locate(path), err.hint);
  }
}

/** Runs `check` for a flag; an InputError that does not name the flag is made to. */
export function named<T>(flag: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw placeAtFlag(err, flag);
  }
}

/** An InputError re-issued with the flag leading its message (unless it already does). */
function placeAtFlag(err: unknown, flag: string): unknown {
  if (!(err instanceof InputError) || err.message.startsWith(flag)) return err;
  return new InputError(lead(flag, err), undefined, err.hint);
}

/** `NAME: [where: ]message`, without repeating a name the message already starts with. */
function lead(name: string, err: InputError): string {
  const own = err.message.startsWith(name) ? err.message.slice(name.length).replace(/^:?\s*/, '') : err.message;
  return [name, err.where, own].filter((part) => part !== undefined && part !== '').join(': ');
}
