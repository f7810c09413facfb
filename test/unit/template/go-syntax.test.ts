import { describe, expect, it } from 'vitest';
import { adviseOnParseError, goConstructs, MIGRATION_GUIDE } from '../../../src/template/go-syntax.js';
import { compileTemplate } from '../../../src/template/engine.js';
import { inputErrorOf } from '../../support/input-error.js';

describe('goConstructs: Go template actions and their Handlebars form', () => {
  it.each([
    ['{{ range service "web" }}', '{{#each (service "web")}} … {{/each}} (inside, {{Address}} is the element\'s field)'],
    ['{{ range $i, $s := service "web" }}', '{{#each (service "web") as |s i|}} … {{/each}}'],
    ['{{ range $s := services }}', '{{#each services as |s|}} … {{/each}}'],
    ['{{ range .Tags }}', '{{#each Tags}} … {{/each}} (inside, {{Address}} is the element\'s field)'],
    ['{{ .Address }}', '{{Address}}'],
    ['{{ .Node.Address }}', '{{Node.Address}}'],
    ['{{ . }}', '{{this}}'],
    ['{{ end }}', '{{/each}}, {{/if}} or {{/with}}: the name of the block it closes'],
    ['{{ if eq .Name "web" }}', '{{#if (eq Name "web")}} … {{/if}}'],
    ['{{ with key "app/x" }}', '{{#with (key "app/x")}} … {{/with}}'],
    ['{{ with $v := key "app/x" }}', '{{#with (key "app/x") as |v|}} … {{/with}}'],
    ['{{ $x := key "a" }}', 'there are no variables: write (key "a") where $x is used, or name it in a block: {{#with (key "a") as |x|}} … {{/with}}'],
    ['{{ define "upstream" }}', '{{#*inline "upstream"}} … {{/inline}}'],
    ['{{ template "upstream" . }}', '{{> upstream}}'],
    ['{{ .Name | toUpper }}', '{{toUpper Name}}'],
    ['{{- key "a" -}}', '{{~ key "a" ~}}'],
    ['{{/* a comment */}}', '{{!-- a comment --}}'],
  ])('%s → %s', (go, handlebars) => {
    expect(goConstructs(`x\n${go}\n`)).toEqual([{ line: 2, go, handlebars }]);
  });

  it.each([
    '{{#each (service "web") as |s|}}{{s.Address}}{{/each}}',
    '{{#if x}}a{{else if y}}b{{else}}c{{/if}}',
    '{{> partial}}{{!-- a | b --}}{{key "a"}}{{~x~}}',
    'server {{Address}}:{{Port}};',
  ])('finds nothing Go-like in Handlebars: %s', (text) => {
    expect(goConstructs(text)).toEqual([]);
  });
});

describe('adviseOnParseError', () => {
  it('names the Go construct nearest the error line', () => {
    const text = '{{ range service "web" }}\nserver {{ .Address }};\n{{ end }}\n';
    const advice = adviseOnParseError(text, 3);
    expect(advice.note).toBe("this looks like Go template syntax (consul-template's), not Handlebars: line 3 has {{ end }}; in Handlebars: {{/each}}, {{/if}} or {{/with}}: the name of the block it closes");
    expect(advice.hint).toContain(MIGRATION_GUIDE);
    expect(advice.hint).not.toMatch(/brace/);
  });

  it('gives the nginx braces hint only where a brace touches a tag', () => {
    expect(adviseOnParseError('upstream web {\n{{#each (service "web")}}server {{Address}};{{/each}}}\n', 2).hint).toMatch(/brace of the output touches a tag/);
    expect(adviseOnParseError('{{#if x}}a', 1)).toEqual({ note: undefined, hint: 'fix the Handlebars syntax at that position (docs/templates.md)' });
  });
});

describe('compileTemplate on a template that does not parse', () => {
  it('says a Go template is one, with the Handlebars form of what it hit and the migration guide', () => {
    const err = inputErrorOf(() => compileTemplate('up.ctmpl', '{{ range service "web" }}\nserver {{ .Address }}:{{ .Port }};\n{{ end }}\n'));
    expect(err.where).toBe('up.ctmpl:2:11');
    expect(err.message).toMatch(/^template syntax error: Expecting .*; this looks like Go template syntax \(consul-template's\), not Handlebars: line 2 has \{\{ \.Address \}\}; in Handlebars: \{\{Address\}\}$/);
    expect(err.hint).toContain(MIGRATION_GUIDE);
  });

  it('keeps the nginx braces hint for braces, and nothing about Go', () => {
    const err = inputErrorOf(() => compileTemplate('up.hbs', 'upstream web {\n{{#each (service "web")}}server {{Address}};{{/each}}}\n'));
    expect(err.message).toBe("template syntax error: Expecting 'CLOSE', got 'CLOSE_UNESCAPED'");
    expect(err.hint).toMatch(/put a space or a newline between them/);
  });
});
