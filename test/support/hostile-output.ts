/**
 * Checkers of the shipped templates' output: every line a rendered template may have, so a line of
 * any other shape (an injection would be one) is found.
 */

/** Text without control characters (a line cannot end inside it). */
const TEXT = '[^\\u0000-\\u001f\\u007f]*';
const HOSTPORT = '(?:[0-9.]+|\\[[0-9A-Fa-f:.]+\\]|localhost):[0-9]{1,5}';
/** nginxName / haproxyName: plain or `ctmpl--` + escaped text (docs/security.md, "Names in configs"). */
const NAME = '[A-Za-z0-9._-]+';
const HAPROXY_NAME = '[A-Za-z0-9._:-]+';
/** One nginxString: double-quoted, `"` and `\\` escaped, no `$`, no control character. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NGINX_STRING = /"(?:[^"\\$\u0000-\u001f\u007f]|\\["\\])*"/.source;

/** Every line a rendered templates/nginx-upstream.hbs may have. */
const NGINX_LINES = [
  new RegExp(`^#${TEXT}$`),
  new RegExp(`^upstream ${NAME} \\{$`),
  new RegExp(`^    server ${HOSTPORT} max_fails=3 fail_timeout=10s;$`),
  new RegExp(`^    #${TEXT}$`),
  /^ {4}server 127\.0\.0\.1:9 down;$/,
  /^\}$/,
  /^$/,
];

/** Every line a rendered templates/haproxy-backend.hbs may have. */
const HAPROXY_LINES = [
  new RegExp(`^#${TEXT}$`),
  new RegExp(`^backend ${HAPROXY_NAME}$`),
  // One single-quoted word; a quote inside is written '\'' (haproxyString).
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /^ {4}description '(?:[^'\u0000-\u001f\u007f]|'\\'')*'$/,
  /^ {4}balance roundrobin$/,
  new RegExp(`^    server [A-Za-z0-9._:-]+ ${HOSTPORT} check$`),
  /^$/,
];

/** The lines of `text` that are none of the template's own line shapes (an injection would be one). */
function foreignLines(text: string, shapes: readonly RegExp[]): string[] {
  return text.split('\n').filter((line) => !shapes.some((shape) => shape.test(line)));
}

export const foreignNginxLines = (text: string): string[] => foreignLines(text, NGINX_LINES);
export const foreignHaproxyLines = (text: string): string[] => foreignLines(text, HAPROXY_LINES);

/** The nginx `# service NAME, tags "…"` comment must hold two double-quoted nginx strings. */
export function nginxTagCommentsOk(text: string): boolean {
  const shape = new RegExp(`^# service ${NGINX_STRING}, tags ${NGINX_STRING}$`);
  return text
    .split('\n')
    .filter((l) => l.startsWith('# service '))
    .every((l) => shape.test(l));
}
