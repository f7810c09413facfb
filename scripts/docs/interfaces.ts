import ts from 'typescript';
import { code, table } from './markdown.js';
import { docOf, propertyName, referencedTypeNames, SourceReader } from './ts-source.js';

/** A field of an interface, as the reference shows it. */
export interface FieldDoc {
  readonly name: string;
  /** Readable: `TemplateStatus[]`, `map of string → GuardStatus`. */
  readonly type: string;
  /** Absent from the JSON when not set (`?:` or `T | undefined`). */
  readonly optional: boolean;
  readonly doc: string | undefined;
}

export interface InterfaceDoc {
  readonly name: string;
  readonly doc: string | undefined;
  readonly fields: readonly FieldDoc[];
}

export interface TreeOptions {
  /**
   * Fields whose declared type is too loose to document (`Record<string, unknown>`), by
   * `Interface.field`: the interface their values really have. Used while the type says `unknown`.
   */
  readonly looseFields?: Readonly<Record<string, { readonly path: string; readonly name: string; readonly type: string }>>;
  /** Type names shown as something readable (`HealthStatus` → `"passing" | …`). */
  readonly typeNames?: Readonly<Record<string, string>>;
}

/** `Readonly<Record<string, X>>` → `map of string → X`, `readonly X[]` → `X[]`, `T | undefined` → `T`. */
export function readableType(text: string): string {
  let out = text.replace(/\s+/g, ' ').replace(/\s*\|\s*undefined\b/g, '');
  for (;;) {
    const next = out
      .replace(/Readonly<Record<(\w+), ([^<>]+)>>/g, 'map of $1 → $2')
      .replace(/Record<(\w+), ([^<>]+)>/g, 'map of $1 → $2')
      .replace(/readonly ([\w.]+)\[\]/g, '$1[]')
      .replace(/^readonly /, '');
    if (next === out) return out;
    out = next;
  }
}

/**
 * An interface and every interface its fields reach (imports followed), in the order they are
 * first met; an inline object type becomes an entry of its own, named `Owner.field entry`.
 */
export function interfaceTree(root: string, path: string, name: string, options: TreeOptions = {}): InterfaceDoc[] {
  const reader = new SourceReader(root);
  const out: InterfaceDoc[] = [];
  const seen = new Set<string>();
  const rename = (type: string): string =>
    Object.entries(options.typeNames ?? {}).reduce((t, [from, to]) => t.replace(new RegExp(`\\b${from}\\b`, 'g'), to), type);

  const fieldsOf = (owner: string, members: ts.NodeArray<ts.TypeElement>, at: string, inline: InterfaceDoc[], next: { path: string; name: string }[]): FieldDoc[] =>
    members.flatMap((member): FieldDoc[] => {
      const field = propertyName(member.name);
      if (!ts.isPropertySignature(member) || field === undefined || !member.type) return [];
      const declared = member.type.getText();
      const optional = member.questionToken !== undefined || /\|\s*undefined\b/.test(declared);
      const loose = declared.includes('unknown') ? options.looseFields?.[`${owner}.${field}`] : undefined;
      if (loose) {
        next.push({ path: loose.path, name: loose.name });
        return [{ name: field, type: loose.type, optional, doc: docOf(member) }];
      }
      let type = declared;
      const literals: ts.TypeLiteralNode[] = [];
      const find = (n: ts.Node): void => (ts.isTypeLiteralNode(n) ? void literals.push(n) : ts.forEachChild(n, find));
      find(member.type);
      for (const literal of literals) {
        const entry = `${owner}.${field} entry`;
        type = type.replace(literal.getText(), entry);
        inline.push({ name: entry, doc: undefined, fields: fieldsOf(entry, literal.members, at, inline, next) });
      }
      for (const ref of referencedTypeNames(member.type)) {
        // A type alias of literals (`type NotCurrent = 'a' | 'b'`) is shown as its literals.
        const alias = reader.findTypeAlias(at, ref)?.node.type;
        if (alias && ts.isUnionTypeNode(alias) && alias.types.every(ts.isLiteralTypeNode)) type = type.replace(new RegExp(`\\b${ref}\\b`, 'g'), alias.getText());
        else next.push({ path: at, name: ref });
      }
      return [{ name: field, type: rename(readableType(type)), optional, doc: docOf(member) }];
    });

  const visit = (from: string, wanted: string): void => {
    if (seen.has(wanted)) return;
    const found = reader.findInterface(from, wanted);
    if (!found) return;
    seen.add(wanted);
    const next: { path: string; name: string }[] = [];
    const inline: InterfaceDoc[] = [];
    const fields = [...fieldsOf(wanted, found.node.members, found.path, inline, next), ...inherited(found.path, found.node, inline, next)];
    out.push({ name: wanted, doc: docOf(found.node), fields }, ...inline);
    for (const n of next) visit(n.path, n.name);
  };

  /** The fields an interface gets from the interfaces it extends (`interface A extends B`), after its own. */
  const inherited = (from: string, node: ts.InterfaceDeclaration, inline: InterfaceDoc[], next: { path: string; name: string }[]): FieldDoc[] =>
    (node.heritageClauses ?? []).flatMap((clause) =>
      clause.types.flatMap((base) => {
        const found = ts.isIdentifier(base.expression) ? reader.findInterface(from, base.expression.text) : undefined;
        if (!found) return [];
        return [...fieldsOf(found.node.name.text, found.node.members, found.path, inline, next), ...inherited(found.path, found.node, inline, next)];
      }),
    );
  visit(path, name);
  return out;
}

/** One `###` section per interface: its doc comment, then its fields. */
export function interfaceSections(interfaces: readonly InterfaceDoc[], notes: Readonly<Record<string, string>>): string[] {
  return interfaces.flatMap((i) => [
    `### ${i.name}`,
    i.doc ?? '',
    table(
      ['Field', 'Type', 'Meaning'],
      i.fields.map((f) => [code(f.name), `${code(f.type)}${f.optional ? ', optional' : ''}`, f.doc ?? notes[`${i.name}.${f.name}`] ?? '—']),
    ),
  ]);
}

/** Fields with neither a doc comment nor a note, and notes not needed (no such field, or it has a doc comment). */
export function noteProblems(interfaces: readonly InterfaceDoc[], notes: Readonly<Record<string, string>>): { undocumented: string[]; stale: string[] } {
  const fields = interfaces.flatMap((i) => i.fields.map((f) => ({ id: `${i.name}.${f.name}`, doc: f.doc })));
  const ids = new Set(fields.map((f) => f.id));
  return {
    undocumented: fields.filter((f) => f.doc === undefined && notes[f.id] === undefined).map((f) => f.id),
    stale: Object.keys(notes).filter((id) => !ids.has(id) || fields.some((f) => f.id === id && f.doc !== undefined)),
  };
}
