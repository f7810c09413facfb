import { describe, expect, it } from 'vitest';
import { convertTemplate } from '../../../../src/migrate/index.js';

const out = (text: string): string => {
  const r = convertTemplate('t', text);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.output;
};
const problem = (text: string): string => {
  const r = convertTemplate('t', text);
  if (r.ok) throw new Error(`converted: ${r.output}`);
  return r.problems.map((p) => `${p.line}:${p.col} ${p.what}`).join('\n');
};

describe('statement conversion', () => {
  it('ranges over a map in Go key order through entries', () => {
    expect(out('{{ range $k, $v := service "web" | byTag }}{{ $k }}={{ len $v }}{{ end }}')).toBe('{{#each (entries (byTag (service "web"))) as |vEntry|}}{{vEntry.Key}}={{len vEntry.Value}}{{/each}}');
  });

  it('prints a range index through printf, never as a bare number next to another', () => {
    expect(out('{{ range $i, $s := service "web" }}{{ $i }}{{ $i }}{{ end }}')).toBe('{{#each (service "web") as |s i|}}{{printf "%d" i}}{{printf "%d" i}}{{/each}}');
  });

  it('inlines a variable where it is used, as the expression it was declared with', () => {
    expect(out('{{ $n := key "app/name" }}{{ range service $n }}{{ $n }}{{ end }}')).toBe('{{#each (service (key "app/name")) as |it|}}{{key "app/name"}}{{/each}}');
  });

  it('accepts a reassignment in the block that declared the variable', () => {
    expect(out('{{ $s := "web" }}{{ $s = "api" }}{{ $s }}')).toBe('api');
  });

  it('refuses a scratch value read after a later write', () => {
    expect(problem('{{ $v := scratch.Get "a" }}{{ scratch.Set "a" 1 }}{{ $v }}')).toMatch(/written again before this use/);
  });

  it('refuses a value read from the clock used twice', () => {
    expect(problem('{{ $t := timestamp }}{{ $t }}{{ $t }}')).toMatch(/each use would read the clock again/);
  });

  it("tests ints, maps and dynamic values with Go's truth", () => {
    expect(out('{{ range service "web" }}{{ if .Port }}p{{ end }}{{ if not .NodeMeta }}n{{ end }}{{ end }}')).toBe('{{#each (service "web") as |it|}}{{#if (ne it.Port 0)}}p{{/if}}{{#if (eq (len it.NodeMeta) 0)}}n{{/if}}{{/each}}');
    expect(out('{{ if parseJSON (key "j") }}x{{ end }}')).toBe('{{#if (not (not (parseJSON (key "j"))))}}x{{/if}}');
  });

  it('makes and/or inside a condition work on truth values', () => {
    expect(out('{{ range service "web" }}{{ if or .Port .Tags }}x{{ end }}{{ end }}')).toBe('{{#each (service "web") as |it|}}{{#if (or (ne it.Port 0) it.Tags)}}x{{/if}}{{/each}}');
    expect(problem('{{ range service "web" }}{{ or .Port 80 }}{{ end }}')).toMatch(/returns one of its arguments/);
  });

  it('refuses comparing an int with a float (Go fails), and writes float literals as strings', () => {
    expect(problem('{{ range service "web" }}{{ if eq .Weights.Passing 5.0 }}x{{ end }}{{ end }}')).toMatch(/different types \(int, float\)/);
    expect(out('{{ if lt (key "a" | parseFloat) 2.0 }}x{{ end }}{{ multiply 1.5 2 }}')).toBe('{{#if (lt (parseFloat (key "a")) "2.0")}}x{{/if}}{{multiply "1.5" 2}}');
  });

  it('maps consul-template argument orders onto ctmpl helpers', () => {
    expect(out('{{ range service "web" }}{{ .Tags | join "," }}{{ if .Tags | contains "x" }}y{{ end }}{{ end }}')).toBe('{{#each (service "web") as |it|}}{{join it.Tags ","}}{{#if (contains it.Tags "x")}}y{{/if}}{{/each}}');
    expect(out('{{ range service "web" "passing,warning" }}{{ end }}{{ range services "@dc2" }}{{ end }}')).toBe('{{#each (service "web" status="passing,warning") as |it|}}{{/each}}{{#each (services dc="dc2") as |it2|}}{{/each}}');
  });

  it('keeps ServiceTaggedAddresses (instances carry both names) and refuses fields ctmpl does not have', () => {
    expect(out('{{ range service "web" }}{{ range $k, $a := .ServiceTaggedAddresses }}{{ $a.Address }}{{ end }}{{ end }}')).toContain('(entries it.ServiceTaggedAddresses)');
    expect(problem('{{ range service "web" }}{{ .Namespace }}{{ end }}')).toMatch(/namespaces/);
  });
});
