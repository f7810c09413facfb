import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { render } from './fixtures.js';

const catalogWithMeta = (value: string): string => `services:\n  web:\n    - { address: 10.0.0.1, port: 80, meta: { note: ${JSON.stringify(value)} } }\n`;
const helper = (name: string, value: string): string => render(`{{#each (service "web")}}{{${name} Meta.note}}{{/each}}`, catalogWithMeta(value));

describe('escaping helpers', () => {
  it.each([
    ['plain', '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['a;b}\n{c', '"a;b} {c"'],
    ['$host', '"host"'],
  ])('nginxString %j → %s', (value, expected) => {
    expect(helper('nginxString', value)).toBe(expected);
  });

  it.each([
    ['plain', "'plain'"],
    ["it's", "'it'\\''s'"],
    ['$HOME #x\nbind', "'$HOME #x bind'"],
  ])('haproxyString %j → %s', (value, expected) => {
    expect(helper('haproxyString', value)).toBe(expected);
  });

  it.each([
    ['100%', "'100%%'"],
    ["%[env(SECRET)] it's", "'%%[env(SECRET)] it'\\''s'"],
  ])('haproxyFormatString %j → %s', (value, expected) => {
    expect(helper('haproxyFormatString', value)).toBe(expected);
  });

  it('json gives JSON text', () => {
    expect(helper('json', 'a"b\n')).toBe('"a\\"b\\n"');
  });

  it('shellQuote gives one word to /bin/sh, whatever the value', { timeout: 60_000 }, () => {
    fc.assert(
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\u0000/g, '')), (value) => {
        const word = render('{{shellQuote (key "v")}}', `kv:\n  v: ${JSON.stringify(value)}\n`);
        const echoed = execFileSync('/bin/sh', ['-c', `printf '%s' ${word}`], { encoding: 'utf8' });
        expect(echoed).toBe(value);
      }),
      { numRuns: 50 },
    );
  });
});
