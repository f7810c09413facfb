import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { HELPER_NAMES } from '../../src/template/engine.js';
import { banner, code, page, table } from './markdown.js';
import { docOf, propertyName, SourceReader } from './ts-source.js';

const HELPERS_DIR = 'src/template/helpers';

/** Handlebars' own block helpers: ctmpl registers them by name only. */
const BUILTINS: Readonly<Record<string, string>> = {
  if: '`{{#if x}}…{{else}}…{{/if}}`: Handlebars\' own; false for `false`, `undefined`, `null`, `""`, `0` and `[]` (so `"0"` is true: compare with `eq`)',
  unless: '`{{#unless x}}…{{/unless}}`: Handlebars\' own; the opposite of `if`',
  each: '`{{#each list}}…{{else}}…{{/each}}`: Handlebars\' own; `{{@index}}`, `{{@key}}`, `{{@first}}`, `{{@last}}` inside',
  with: '`{{#with x}}…{{else}}…{{/with}}`: Handlebars\' own; changes the context to x, or runs the else part when x is empty',
  lookup: '`(lookup obj key)`: Handlebars\' own; a field or list item by a computed name',
  log: '`{{log x}}`: Handlebars\' own; writes to ctmpl\'s log at debug level',
};

/**
 * For helpers whose definition has no doc comment yet. The reference test fails when a helper has
 * neither, or when a note names a helper the engine no longer registers.
 */
export const HELPER_NOTES: Readonly<Record<string, string>> = {
  base64Encode: "`(base64Encode s)`: s's UTF-8 bytes in standard base64, with padding (Go's base64.StdEncoding)",
  base64Decode: '`(base64Decode s)`: the text of standard base64 (padding required; newlines skipped); invalid input is a render error',
  base64URLDecode: '`(base64URLDecode s)`: the same for the URL-safe alphabet (`-` and `_`)',
  ne: '`(ne a b)`: not `eq`: 80 equals "80"',
  lt: '`(lt a b)`: a < b, see `gt`',
  ge: '`(ge a b)`: a ≥ b, see `gt`',
  le: '`(le a b)`: a ≤ b, see `gt`',
};

/** The group a helper module's helpers are listed under, by file name. */
const GROUPS: readonly (readonly [file: string, title: string])[] = [
  ['catalog.ts', 'Catalog data'],
  ['kv.ts', 'Keys and values'],
  ['nodes.ts', 'Catalog nodes'],
  ['text.ts', 'Everyday'],
  ['escape.ts', 'Escaping for config files'],
  ['strings.ts', 'Strings'],
  ['logic.ts', 'Logic and comparison'],
  ['math.ts', 'Numbers'],
  ['format.ts', 'Formatting'],
  ['encoding.ts', 'Encoding'],
  ['collections.ts', 'Lists and maps'],
  ['scratch.ts', 'Scratch pad'],
  ['time.ts', 'Time'],
  ['system.ts', 'Environment and files'],
];
const BUILTIN_GROUP = 'Handlebars built-ins';
const OTHER_GROUP = 'Other';

export interface HelperDoc {
  readonly name: string;
  readonly group: string;
  readonly doc: string | undefined;
}

/** Whether an object literal is a helper table: `export const xHelpers = {…}` or returned by `function xHelpers()`. */
function isHelperTable(node: ts.ObjectLiteralExpression): boolean {
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text.endsWith('Helpers');
  if (ts.isReturnStatement(parent)) {
    let fn: ts.Node | undefined = parent.parent;
    while (fn && !ts.isFunctionDeclaration(fn)) fn = fn.parent;
    return fn?.name?.text.endsWith('Helpers') ?? false;
  }
  return false;
}

/** Every helper defined in the helper modules: name → the module it is in and its doc comment. */
function definitions(root: string): Map<string, { file: string; doc: string | undefined }> {
  const reader = new SourceReader(root);
  const found = new Map<string, { file: string; doc: string | undefined }>();
  for (const file of readdirSync(join(root, HELPERS_DIR)).filter((f) => f.endsWith('.ts')).sort()) {
    const visit = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node) && isHelperTable(node)) {
        for (const property of node.properties) {
          const name = propertyName(property.name);
          if (name === undefined) continue;
          const doc = docOf(property);
          const known = found.get(name);
          if (!known || (known.doc === undefined && doc !== undefined)) found.set(name, { file, doc });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(reader.file(`${HELPERS_DIR}/${file}`));
  }
  return found;
}

/** Every helper a template may call (HELPER_NAMES of the engine), with its group and description. */
export function helperDocs(root: string): HelperDoc[] {
  const defs = definitions(root);
  const titles = new Map(GROUPS);
  return HELPER_NAMES.map((name) => {
    if (Object.hasOwn(BUILTINS, name)) return { name, group: BUILTIN_GROUP, doc: BUILTINS[name] };
    const def = defs.get(name);
    return { name, group: (def && titles.get(def.file)) ?? OTHER_GROUP, doc: def?.doc ?? HELPER_NOTES[name] };
  });
}

export function helpersPage(root: string): string {
  const docs = helperDocs(root);
  const order = [...GROUPS.map(([, title]) => title), OTHER_GROUP, BUILTIN_GROUP];
  return page([
    banner('Template helpers', ['the helpers the template engine registers (HELPER_NAMES in src/template/engine.ts)', `their doc comments in ${HELPERS_DIR}/`]),
    [
      'Every helper a template may call; calling any other name is an error when the template loads,',
      'with its `line:column`. Numbers reach templates as strings and helpers return strings for',
      'numbers too. How templates see catalog data, with examples: [templates.md](../templates.md).',
    ].join('\n'),
    ...order.flatMap((group) => {
      const rows = docs.filter((d) => d.group === group);
      return rows.length === 0 ? [] : [`## ${group}`, table(['Helper', 'What it gives'], rows.map((d) => [code(d.name), d.doc ?? '—']))];
    }),
  ]);
}
