import { describe, expect, it } from 'vitest';
import type { Node } from '../../../../src/migrate/gotemplate/ast.js';
import { GoSyntaxError } from '../../../../src/migrate/gotemplate/errors.js';
import { parseGoTemplate } from '../../../../src/migrate/gotemplate/parser.js';

const errorOf = (text: string): string => {
  try {
    parseGoTemplate(text);
  } catch (err) {
    if (err instanceof GoSyntaxError) return err.message;
    throw err;
  }
  return 'parsed';
};

describe('Go template parser', () => {
  it('gives every node its line and column', () => {
    const t = parseGoTemplate('line one\n  {{ range $i, $s := service "web" | byTag }}{{ $s }}{{ end }}');
    const range = t.root[1] as Extract<Node, { kind: 'range' }>;
    expect(range.pos).toMatchObject({ line: 2, col: 3 });
    expect(range.pipe.decl.map((d) => [d.name, d.pos.line, d.pos.col])).toEqual([['$i', 2, 12], ['$s', 2, 16]]);
    expect(range.pipe.cmds.map((c) => [c.args[0]?.kind, c.pos.col])).toEqual([['identifier', 22], ['identifier', 38]]);
  });

  it('reads else-if chains as Go does: an if nested in the else list', () => {
    const t = parseGoTemplate('{{ if .A }}a{{ else if .B }}b{{ else }}c{{ end }}');
    const outer = t.root[0] as Extract<Node, { kind: 'if' }>;
    expect(outer.elseChain).toBe(true);
    expect(outer.elseList?.[0]).toMatchObject({ kind: 'if', elseList: [{ kind: 'text', text: 'c' }] });
  });

  it('collects define and block bodies, leaving a template call where a block stands', () => {
    const t = parseGoTemplate('{{ define "a" }}A{{ end }}x{{ block "b" . }}B{{ end }}');
    expect([...t.definitions.keys()]).toEqual(['a', 'b']);
    expect(t.root.map((n) => n.kind)).toEqual(['text', 'template']);
  });

  it('reads numbers the way Go does', () => {
    const t = parseGoTemplate("{{ 0x10 }}{{ 1e3 }}{{ 'a' }}{{ 017 }}{{ 1_000 }}");
    const values = t.root.map((n) => (n.kind === 'action' && n.pipe.cmds[0]?.args[0]?.kind === 'number' ? n.pipe.cmds[0].args[0].value : undefined));
    expect(values.map((v) => [v?.int, v?.floatSyntax])).toEqual([[16n, false], [1000n, true], [97n, false], [15n, false], [1000n, false]]);
  });

  it('refuses what Go refuses', () => {
    expect(errorOf('{{ $x }}')).toBe('undefined variable "$x"');
    expect(errorOf('{{ break }}')).toBe('{{break}} outside {{range}}');
    expect(errorOf('{{ if .A }}')).toBe('unexpected EOF');
    expect(errorOf('{{ end }}')).toBe('unexpected {{end}}');
    expect(errorOf('{{ .A | "x" }}')).toBe('non executable command in pipeline stage 2');
    expect(errorOf('{{ define "a" }}1{{ end }}{{ define "a" }}2{{ end }}')).toBe('template: multiple definition of template "a"');
    expect(errorOf('{{ "x".Y }}')).toBe('unexpected . after term "\\"x\\""');
    expect(errorOf('{{ if $x := 1 }}{{ end }}{{ $x }}')).toBe('undefined variable "$x"');
    // A comment must follow the delimiter directly; otherwise it is a stray "/" in a command.
    expect(errorOf('{{ /* x */ }}')).toBe('unexpected "/" in command');
  });

  it('keeps variables declared in an action until the end of the enclosing block', () => {
    expect(errorOf('{{ if true }}{{ $x := 1 }}{{ end }}{{ $x }}')).toBe('undefined variable "$x"');
    expect(errorOf('{{ $x := 1 }}{{ if true }}{{ $x }}{{ end }}{{ $x }}')).toBe('parsed');
  });
});
