import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * Reads declarations and their doc comments out of the source with the TypeScript parser (no
 * type checker, no build): what the reference says about /status and the helpers comes from the
 * code's own types and comments.
 */
export class SourceReader {
  private readonly files = new Map<string, ts.SourceFile>();

  constructor(readonly root: string) {}

  /** A source file by its path from the repository root (`src/observe/status.ts`). */
  file(path: string): ts.SourceFile {
    let file = this.files.get(path);
    if (!file) {
      file = ts.createSourceFile(path, readFileSync(join(this.root, path), 'utf8'), ts.ScriptTarget.Latest, true);
      this.files.set(path, file);
    }
    return file;
  }

  /**
   * Where interface `name` is declared, seen from `path`: in that file, or in the file an import
   * of that name points to (`./x.js` → `./x.ts`).
   */
  findInterface(path: string, name: string): { path: string; node: ts.InterfaceDeclaration } | undefined {
    return this.find(path, name, ts.isInterfaceDeclaration);
  }

  /** The doc comment of a function declared in a file. */
  functionDoc(path: string, name: string): string | undefined {
    const fn = this.file(path).statements.find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === name);
    return fn ? docOf(fn) : undefined;
  }

  /** A type alias, found as `findInterface` finds interfaces. */
  findTypeAlias(path: string, name: string): { path: string; node: ts.TypeAliasDeclaration } | undefined {
    return this.find(path, name, ts.isTypeAliasDeclaration);
  }

  private find<T extends ts.InterfaceDeclaration | ts.TypeAliasDeclaration>(path: string, name: string, is: (n: ts.Node) => n is T): { path: string; node: T } | undefined {
    const file = this.file(path);
    for (const statement of file.statements) {
      if (is(statement) && statement.name.text === name) return { path, node: statement };
    }
    for (const statement of file.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const bindings = statement.importClause?.namedBindings;
      if (!bindings || !ts.isNamedImports(bindings) || !bindings.elements.some((e) => e.name.text === name)) continue;
      const target = relative(this.root, resolve(this.root, dirname(path), statement.moduleSpecifier.text.replace(/\.js$/, '.ts')));
      return this.find(target, name, is);
    }
    return undefined;
  }
}

/** The text of a node's doc comments (`/** … *\/`), lines joined; undefined when it has none. */
export function docOf(node: ts.Node): string | undefined {
  const text = ts
    .getJSDocCommentsAndTags(node)
    .filter(ts.isJSDoc)
    .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
    .join(' ')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  return text === '' ? undefined : text;
}

/** Names of the types a type node refers to (`readonly TemplateStatus[]` → `TemplateStatus`). */
export function referencedTypeNames(node: ts.Node): string[] {
  const names: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isTypeReferenceNode(n) && ts.isIdentifier(n.typeName)) names.push(n.typeName.text);
    ts.forEachChild(n, visit);
  };
  visit(node);
  return names;
}

/** A property's name as written (`foo`, `'foo'`), when it is a plain one. */
export function propertyName(name: ts.PropertyName | undefined): string | undefined {
  if (name === undefined) return undefined;
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}
