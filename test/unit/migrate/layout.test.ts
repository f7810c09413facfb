import { describe, expect, it } from 'vitest';
import { commonDirectory, hbsName, templateOutputs } from '../../../src/migrate/layout.js';

describe('where converted templates are written', () => {
  it('replaces a Go template extension with .hbs and adds .hbs to any other name', () => {
    expect(['nginx.conf.ctmpl', 'x.tmpl', 'y.TPL', 'z.gotmpl', 'upstream', 'a.conf'].map(hbsName)).toEqual(['nginx.conf.hbs', 'x.hbs', 'y.hbs', 'z.hbs', 'upstream.hbs', 'a.conf.hbs']);
  });

  it('keeps the templates\' layout below the directory they share', () => {
    expect(commonDirectory(['/etc/ct/a/x.ctmpl', '/etc/ct/b/y.ctmpl'])).toBe('/etc/ct');
    expect(commonDirectory(['/a/x.ctmpl', '/b/y.ctmpl'])).toBe('/');
    expect([...templateOutputs(['/etc/ct/a/x.ctmpl', '/etc/ct/b/x.ctmpl'], '/out').values()]).toEqual(['/out/a/x.hbs', '/out/b/x.hbs']);
  });

  it('never gives two templates one output', () => {
    expect([...templateOutputs(['/t/x.ctmpl', '/t/x.tmpl', '/t/x.tpl'], '/out').values()]).toEqual(['/out/x.hbs', '/out/x-2.hbs', '/out/x-3.hbs']);
  });
});
