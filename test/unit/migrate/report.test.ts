import { describe, expect, it } from 'vitest';
import { convertTemplate } from '../../../src/migrate/index.js';
import type { MigrationJob } from '../../../src/migrate/plan.js';
import { jobLines, runLines, verdictLines } from '../../../src/migrate/report.js';

const job = (text: string, output?: string): MigrationJob => ({ name: 'a.ctmpl', source: '/t/a.ctmpl', text, delimiters: {}, strict: false, configIndexes: [], result: convertTemplate('a.ctmpl', text), output });

describe('the report of ctmpl migrate', () => {
  it('names each conversion and where it went', () => {
    expect(jobLines(job('{{ key "a" }}', '/out/a.hbs'), (p) => p.replace('/out/', 'out/'))).toEqual(['converted  a.ctmpl → out/a.hbs']);
  });

  it('lists every refused construct at file:line:col with what to do', () => {
    const lines = jobLines(job('x\n{{ range service "web" }}{{ break }}{{ end }}'), (p) => p);
    expect(lines[0]).toBe('skipped    a.ctmpl: 1 construct(s) cannot be converted faithfully; nothing written for it');
    expect(lines[1]).toBe("  a.ctmpl:2:26: {{break}}: Handlebars' each cannot stop an iteration");
    expect(lines[2]).toMatch(/^ {4}to do: filter the list first/);
  });

  it('shows the first differing line of both versions as quoted text, or where one ended', () => {
    expect(verdictLines('a.ctmpl', { kind: 'identical' })).toEqual(['identical  a.ctmpl']);
    expect(verdictLines('a.ctmpl', { kind: 'different', line: 3, consulTemplate: 'server a;\t', ctmpl: undefined })).toEqual([
      'DIFFERENT  a.ctmpl: first difference at line 3',
      '  consul-template: "server a;\\t"',
      '  ctmpl:           (end of output)',
    ]);
    expect(verdictLines('a.ctmpl', { kind: 'not rendered', by: ['consul-template', 'ctmpl'] })).toEqual(['NOT RENDERED  a.ctmpl: by consul-template and ctmpl (see its output below)']);
  });

  it('says why a program rendered nothing', () => {
    expect(runLines({ program: 'ctmpl', exitCode: undefined, timedOut: true, output: 'waiting for key x' }, 5000)).toEqual([
      'ctmpl stopped after 5s (it waits for data that may not exist: a key, a service)',
      '  | waiting for key x',
    ]);
  });
});
