/**
 * The one redactor for text someone typed that may hold a credential (a URI with
 * `user:password@`, even a malformed one with "/", "?" or "@" in the password): everything from the
 * start of the authority up to the last "@" is replaced by "…", unless it is a plain user name
 * (`zk://ctmpl@host`), which is no secret and tells which login is used. Text without an
 * authority has everything up to its last "@" replaced.
 */
export function redactCredentials(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return text;
  const slashes = text.indexOf('//');
  // Outside an authority (a fragment of a malformed URI) there is no telling a user from a password.
  if (slashes < 0 || slashes > at) return `…${text.slice(at)}`;
  const start = slashes + 2;
  return /^[A-Za-z0-9._-]*$/.test(text.slice(start, at)) ? text : `${text.slice(0, start)}…${text.slice(at)}`;
}

/** Field names whose values never reach a log line (pino's redact paths are built from these). */
export const SECRET_FIELDS = ['token', 'password', 'secret', 'authorization', 'auth'] as const;

/** pino redact paths for the secret fields, at the top level and two levels down. */
export const SECRET_LOG_PATHS: readonly string[] = [...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]), 'headers["x-consul-token"]', '*.headers["x-consul-token"]'];

/** Environment variable names that hold credentials (the `env` helper withholds them). */
export const SECRET_VARIABLE = /(^CONSUL_HTTP_(TOKEN|AUTH)$)|TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE_KEY|API_KEY|CREDENTIAL/i;
