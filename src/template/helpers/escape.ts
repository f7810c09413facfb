import { configName, haproxyServerName } from '../../actions/haproxy/names.js';
import { shellQuote } from '../../actions/shell.js';
import { splitArgs, type Helper } from './args.js';

/** Control characters (newline included) never survive into a config line. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/g;

const text = (args: unknown[]): string => {
  const [value] = splitArgs(args).params;
  return value === undefined || value === null ? '' : String(value);
};

/**
 * Output-aware escaping for values that must go into a config verbatim (meta values, tags,
 * anything from the catalog): each gives one quoted word that cannot end the line, the
 * statement or the block it is in.
 */
export const escapeHelpers: Record<string, Helper> = {
  /** nginx: a double-quoted string; `"` and `\` escaped; `$` dropped (nginx has no escape for it). */
  nginxString(...args) {
    return `"${text(args).replace(CONTROL, ' ').replace(/\$/g, '').replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  },
  /** haproxy: single-quoted (no variable expansion), a `'` written as '\'' as in a shell. */
  haproxyString(...args) {
    return `'${text(args).replace(CONTROL, ' ').replace(/'/g, `'\\''`)}'`;
  },
  /**
   * haproxy, for arguments haproxy reads as a log-format string (`http-request set-header`,
   * `http-response set-header`, `log-format`, `return … lf-string`…): quoting does not stop
   * `%[…]` from running a sample fetch there (`%[env(SECRET)]` would read haproxy's environment),
   * so `%` is doubled as well.
   */
  haproxyFormatString(...args) {
    return `'${text(args).replace(CONTROL, ' ').replace(/%/g, '%%').replace(/'/g, `'\\''`)}'`;
  },
  /**
   * haproxy: a server name for an instance, the same every time and never shared by two
   * instances (`{{Node}}_{{ID}}` is: node `a_b`/ID `c` and node `a`/ID `b_c`): `_` is written
   * `__`, a character haproxy refuses `_` + hex, and node and ID are joined by `_-`.
   */
  haproxyServerName(...args) {
    const [node, id] = splitArgs(args).params;
    return haproxyServerName(String(node ?? ''), String(id ?? ''));
  },
  /**
   * nginx: a service name as an upstream name (`upstream {{nginxName Name}}`, and the same in
   * `proxy_pass http://…`): plain names unchanged, any other one escaped so that two services
   * never share an upstream and nothing in a name ends the statement.
   */
  nginxName(...args) {
    return configName(text(args), 'nginx');
  },
  /** haproxy: a service name as a backend name (the same rule as nginxName, `:` kept). */
  haproxyName(...args) {
    return configName(text(args), 'haproxy');
  },
  /** /bin/sh: one single-quoted word. */
  shellQuote(...args) {
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    return shellQuote(text(args).replace(/\u0000/g, ''));
  },
  /** JSON: any value as JSON text (strings quoted and escaped). */
  json(...args) {
    const [value] = splitArgs(args).params;
    return JSON.stringify(value ?? null);
  },
};
