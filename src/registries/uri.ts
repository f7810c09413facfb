import { resolve } from 'node:path';
import { parseDuration } from '../config/duration.js';
import { InputError } from '../errors.js';
import { splitHostPort } from '../util/address.js';
import { redactCredentials } from '../util/redact.js';

/**
 * The parts of a registry URI `scheme://[user@]host:port,host:port/path?option=value&…`, checked.
 * `rest` is what follows `scheme:`.
 */
export interface RegistryUri {
  readonly user: string | undefined;
  /** host:port, in the order given. */
  readonly hosts: readonly string[];
  /** The path after the first "/" (may be empty). */
  readonly path: string;
  readonly options: ReadonlyMap<string, string>;
}

export function parseRegistryUri(rest: string, what: string, example: string, options: readonly string[], defaultPort?: number): RegistryUri {
  const match = /^\/\/(?:([^@/?]*)@)?([^/?]*)(\/[^?]*)?(?:\?(.*))?$/s.exec(rest);
  if (!match) throw new InputError(`${what}: "${redactCredentials(rest)}" is not //HOST:PORT[,HOST:PORT…][/PATH]`, undefined, `for example ${example}`);
  const [, user, hostList = '', path = '', query = ''] = match;
  if (user !== undefined && (user === '' || user.includes(':'))) {
    throw new InputError(`${what}: put only a user name before "@", never a password`, undefined, 'give the password in a file instead: password_file=PATH (etcd also reads ETCDCTL_PASSWORD)');
  }
  const hosts = hostList === '' ? [] : hostList.split(',');
  for (const host of hosts) {
    const withPort = defaultPort !== undefined && !/:\d+$/.test(host) ? `${host}:${defaultPort}` : host;
    if (!splitHostPort(withPort)) {
      // A host that is not one may be the start of a misplaced `user:password@` ("u:p/w@h"): not shown then.
      const which = rest.includes('@') ? 'a server' : `"${host}"`;
      throw new InputError(`${what}: ${which} is not HOST:PORT`, undefined, `for example ${example}`);
    }
  }
  const params = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(query)) {
    if (!options.includes(key)) {
      throw new InputError(`${what}: unknown option "${redactCredentials(key)}"`, undefined, options.length > 0 ? `known options: ${options.join(', ')}` : 'this source takes no options');
    }
    params.set(key, value);
  }
  return {
    user: user === undefined ? undefined : decodeURIComponent(user),
    hosts: hosts.map((h) => (defaultPort !== undefined && !/:\d+$/.test(h) ? `${h}:${defaultPort}` : h)),
    path: path.replace(/^\//, ''),
    options: params,
  };
}

/** A duration option (`?timeout=2s`), or the default. */
export function durationOption(uri: RegistryUri, key: string, fallbackMs: number, what: string): number {
  const text = uri.options.get(key);
  return text === undefined ? fallbackMs : parseDuration(text, `${what} option ${key}`);
}

/** A file path option, resolved against the directory the URI was written in. */
export function pathOption(uri: RegistryUri, key: string, baseDir: string): string | undefined {
  const text = uri.options.get(key);
  return text === undefined || text === '' ? undefined : resolve(baseDir, text);
}
