import { describe, expect, it } from 'vitest';
import { convertTemplate, EMITTED_HELPERS } from '../../../src/migrate/index.js';
import { HELPER_NAMES } from '../../../src/template/engine.js';
import { corpus } from './corpus.js';

const fixtures = corpus();

describe('convertTemplate on the corpus', () => {
  it('has at least 40 templates it converts and a set it refuses', () => {
    expect(fixtures.filter((f) => f.expected !== undefined).length).toBeGreaterThanOrEqual(40);
    expect(fixtures.filter((f) => f.problems !== undefined).length).toBeGreaterThanOrEqual(10);
  });

  for (const f of fixtures.filter((x) => x.expected !== undefined)) {
    it(`converts ${f.name}`, () => {
      const result = convertTemplate(`${f.name}/template.ctmpl`, f.template);
      expect(result).toMatchObject({ ok: true });
      expect(result.ok && result.output).toBe(f.expected);
    });
  }

  for (const f of fixtures.filter((x) => x.problems !== undefined)) {
    it(`refuses ${f.name} as a whole, saying where and why`, () => {
      const result = convertTemplate(`${f.name}/template.ctmpl`, f.template);
      expect(result).toEqual({ ok: false, problems: f.problems });
    });
  }
});

describe('convertTemplate', () => {
  it('lists the helpers the output calls, block helpers included', () => {
    const result = convertTemplate('t', '{{ range service "web" }}{{ if .Port }}{{ printf "%d" .Port }}{{ end }}{{ end }}');
    expect(result).toEqual({
      ok: true,
      output: '{{#each (service "web") as |it|}}{{#if (ne it.Port 0)}}{{printf "%d" it.Port}}{{/if}}{{/each}}',
      helpersUsed: ['each', 'if', 'ne', 'printf', 'service'],
    });
  });

  it('never returns half a template: one refusal refuses it all, every problem listed', () => {
    const result = convertTemplate('t', 'ok {{ key "a" }}\n{{ range service "web" }}{{ break }}{{ end }}\n{{ explode "x" }}');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map((p) => `${p.line}:${p.col} ${p.construct}`)).toEqual(['2:26 {{break}}', '3:4 explode']);
  });

  it('reports a Go syntax error with its line and column', () => {
    const result = convertTemplate('x.ctmpl', 'a\n  {{ if }}');
    expect(result).toMatchObject({ ok: false, problems: [{ line: 2, col: 9, construct: 'syntax' }] });
  });

  it('emits a define once per type of data it is called with', () => {
    const result = convertTemplate('t', '{{ define "p" }}[{{ . }}]{{ end }}{{ template "p" "a" }}{{ range service "web" }}{{ template "p" .ID }}{{ template "p" .Port }}{{ end }}');
    expect(result.ok && result.output).toBe('{{#*inline "p"}}[{{this}}]{{/inline}}{{#*inline "p~2"}}[{{this}}]{{/inline}}{{> "p" "a"}}{{#each (service "web") as |it|}}{{> "p" it.ID}}{{> "p~2" it.Port}}{{/each}}');
  });

  it("reads a template written with its own delimiters and writes Handlebars' braces, escaping literal ones", () => {
    const result = convertTemplate('t', '[[ range service "web" ]]{{x}} [[- .Address ]][[ end ]]', { delimiters: { left: '[[', right: ']]' } });
    expect(result).toMatchObject({ ok: true, output: '{{#each (service "web") as |it|}}\\{{x}}{{it.Address}}{{/each}}' });
    expect(convertTemplate('t', '{{ key "a" }}', { delimiters: { left: '', right: '' } })).toMatchObject({ ok: true, output: '{{key "a"}}' });
  });

  it('leaves a define that is never called out', () => {
    expect(convertTemplate('t', '{{ define "unused" }}{{ explode "x" }}{{ end }}x')).toMatchObject({ ok: true, output: 'x' });
  });

  it("emits only helpers ctmpl's engine has", () => {
    expect(EMITTED_HELPERS.filter((h) => !HELPER_NAMES.includes(h))).toEqual([]);
  });
});
