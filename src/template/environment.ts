import { SECRET_VARIABLE } from '../util/redact.js';

/** The environment templates see: only the allowlist when one is given, else all but credentials. */
export function templateEnvironment(env: Readonly<Record<string, string | undefined>>, allow: readonly string[] | undefined): Record<string, string | undefined> {
  const names = Object.keys(env).filter((name) => (allow ? allow.includes(name) : !SECRET_VARIABLE.test(name)));
  return Object.fromEntries(names.map((name) => [name, env[name]]));
}
