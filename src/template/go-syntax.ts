/**
 * What to tell someone whose template does not parse. consul-template's templates are Go
 * text/template; ctmpl's are Handlebars, and a Go template fed to ctmpl fails with a parser message
 * about tokens. When the template looks like Go, the error says so and shows the Handlebars form
 * of the construct it hit; the hint about nginx braces is given only where braces are the problem.
 */

export const MIGRATION_GUIDE = 'docs/migrating-from-consul-template.md';

/** A Go construct found in a template, and how it is written in Handlebars. */
export interface GoConstruct {
  /** 1-based line of the template where it is. */
  readonly line: number;
  /** The Go action as written (`{{ range service "web" }}`). */
  readonly go: string;
  /** Its Handlebars form, or what to do instead. */
  readonly handlebars: string;
}

export interface ParseErrorAdvice {
  /** Added to the error message: why the parse failed, in the user's terms. */
  readonly note: string | undefined;
  readonly hint: string;
}

/** `.Address.Port` → `Address.Port`, `$s` → `s`, `.` → `this`: Go paths as Handlebars reads them. */
function hbsPath(expr: string): string {
  return expr
    .replace(/(^|[\s(])\.(?=[A-Za-z_])/g, '$1')
    .replace(/(^|[\s(])\.(?=$|[\s)])/g, '$1this')
    .replace(/\$([A-Za-z_]\w*)/g, '$1');
}

/** A Go pipeline as a Handlebars value: a lone path as is, a call in parentheses, `x | f` as `(f x)`. */
function hbsValue(expr: string): string {
  const parts = expr.split('|').map((p) => hbsPath(p.trim()));
  const value = parts.reduce((acc, fn, i) => (i === 0 ? acc : `${fn} ${/\s/.test(acc) && !acc.startsWith('(') ? `(${acc})` : acc}`), parts[0] ?? '');
  return /\s/.test(value) && !/^\(.*\)$/.test(value) ? `(${value})` : value;
}

/** The inside of a Go action, without delimiters and trim markers. */
const inside = (action: string): string => action.replace(/^\{\{-?\s*/, '').replace(/\s*-?\}\}$/, '');

type Rule = { readonly test: RegExp; readonly convert: (body: string, action: string) => string };

/**
 * Go constructs, most telling first. Each recognises an action's inside (`body`) and gives its
 * Handlebars form. Handlebars also has `{{else}}`, `{{else if x}}` and plain helper calls, so
 * those are not taken as a sign of Go.
 */
const RULES: readonly Rule[] = [
  {
    test: /^range\s+\$(\w+)\s*,\s*\$(\w+)\s*:=\s*(.+)$/s,
    convert: (body) => {
      const [, index, item, expr] = /^range\s+\$(\w+)\s*,\s*\$(\w+)\s*:=\s*(.+)$/s.exec(body) as RegExpExecArray;
      return `{{#each ${hbsValue(expr as string)} as |${item} ${index}|}} … {{/each}}`;
    },
  },
  {
    test: /^range\s+\$(\w+)\s*:=\s*(.+)$/s,
    convert: (body) => {
      const [, item, expr] = /^range\s+\$(\w+)\s*:=\s*(.+)$/s.exec(body) as RegExpExecArray;
      return `{{#each ${hbsValue(expr as string)} as |${item}|}} … {{/each}}`;
    },
  },
  { test: /^range\s+(.+)$/s, convert: (body) => `{{#each ${hbsValue(body.replace(/^range\s+/, ''))}}} … {{/each}} (inside, {{Address}} is the element's field)` },
  { test: /^(if|with)\s+\$?\w*\s*:=/s, convert: (body) => `{{#with ${hbsValue(body.replace(/^\w+\s+\$?\w*\s*:=\s*/, ''))} as |${/\$(\w+)/.exec(body)?.[1] ?? 'it'}|}} … {{/with}}` },
  { test: /^(if|with)\s+(.+)$/s, convert: (body) => `{{#${body.split(/\s/)[0] as string} ${hbsValue(body.replace(/^\w+\s+/, ''))}}} … {{/${body.split(/\s/)[0] as string}}}` },
  { test: /^end$/, convert: () => '{{/each}}, {{/if}} or {{/with}}: the name of the block it closes' },
  { test: /^\$\w+\s*:?=/, convert: (body) => `there are no variables: write ${hbsValue(body.replace(/^\$\w+\s*:?=\s*/, ''))} where $${/^\$(\w+)/.exec(body)?.[1] ?? 'x'} is used, or name it in a block: {{#with ${hbsValue(body.replace(/^\$\w+\s*:?=\s*/, ''))} as |${/^\$(\w+)/.exec(body)?.[1] ?? 'x'}|}} … {{/with}}` },
  { test: /^define\s+"([^"]+)"$/, convert: (body) => `{{#*inline "${/"([^"]+)"/.exec(body)?.[1] ?? ''}"}} … {{/inline}}` },
  { test: /^(template|block)\s+"([^"]+)"/, convert: (body) => `{{> ${/"([^"]+)"/.exec(body)?.[1] ?? ''}}}` },
  { test: /^\.(\w[\w.]*)?$/, convert: (body) => `{{${hbsPath(body)}}}` },
  // A pipe; not Handlebars' block parameters (`as |x|`), nor a block, partial or comment.
  { test: /^[^#/^>!~&].*\s\|\s*[A-Za-z]/s, convert: (body) => (/\sas\s+\|/.test(body) ? '' : `{{${hbsValue(body).replace(/^\((.*)\)$/s, '$1')}}}`) },
  { test: /^\/\*.*\*\/$/s, convert: () => '{{!-- a comment --}}' },
];

/** One action: from `{{` to the first `}}`. */
const ACTION = /\{\{[^]*?\}\}/g;

/** Go's trim markers `{{- ` and ` -}}`: Handlebars writes them `{{~` and `~}}`. */
const TRIM = /\{\{-\s|\s-\}\}/;

/** The Go constructs in `text`, in order. */
export function goConstructs(text: string): GoConstruct[] {
  const found: GoConstruct[] = [];
  for (const match of text.matchAll(ACTION)) {
    const action = match[0];
    const line = text.slice(0, match.index).split('\n').length;
    const body = inside(action);
    const rule = RULES.find((r) => r.test.test(body));
    const handlebars = rule?.convert(body, action);
    if (handlebars) found.push({ line, go: action, handlebars });
    else if (TRIM.test(action)) found.push({ line, go: action, handlebars: action.replace(/^\{\{-/, '{{~').replace(/-\}\}$/, '~}}') });
  }
  return found;
}

/** Braces of the output next to a tag: nginx's `}` after `{{/each}}` reads as `}}}`. */
function bracesNear(text: string, line: number | undefined): boolean {
  const lines = text.split('\n');
  const near = line === undefined ? text : lines.slice(Math.max(0, line - 2), line + 1).join('\n');
  return /\}\}\}|\{\{\{(?!\{)[^}]*\}\}(?!\})/.test(near);
}

/**
 * Advice for a template Handlebars could not parse, the error being on `line` (1-based) when known.
 * A template that looks like Go gets the construct nearest the error in both forms.
 */
export function adviseOnParseError(text: string, line: number | undefined): ParseErrorAdvice {
  const constructs = goConstructs(text);
  if (constructs.length > 0) {
    const nearest = line === undefined ? constructs[0] : ([...constructs].sort((a, b) => Math.abs(a.line - line) - Math.abs(b.line - line) || a.line - b.line)[0] as GoConstruct);
    const { go, handlebars } = nearest as GoConstruct;
    return {
      note: `this looks like Go template syntax (consul-template's), not Handlebars: line ${(nearest as GoConstruct).line} has ${go}; in Handlebars: ${handlebars}`,
      hint: `ctmpl templates are Handlebars; convert this one as ${MIGRATION_GUIDE} shows (its Templates section lists each construct)`,
    };
  }
  if (bracesNear(text, line)) {
    return { note: undefined, hint: 'a brace of the output touches a tag ("}}}" or "{{{"): put a space or a newline between them, as in "{{/each}} }"' };
  }
  return { note: undefined, hint: 'fix the Handlebars syntax at that position (docs/templates.md)' };
}
