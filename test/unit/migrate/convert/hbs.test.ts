import fc from 'fast-check';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { joinSegments, pathSegment, stringLiteral, type Segment } from '../../../../src/migrate/convert/hbs.js';

const render = (template: string, context: Record<string, unknown> = {}): string =>
  Handlebars.create().compile(template, { noEscape: true, ignoreStandalone: true } as CompileOptions)(context);

describe('Handlebars text the converter writes', () => {
  it('reads back as the same text, whatever braces and backslashes it holds, next to any tag', () => {
    const piece = fc.stringMatching(/^[{}\\ a\n]{0,6}$/);
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 5 }), (texts) => {
        const segments: Segment[] = texts.flatMap((text, i) => [{ text }, ...(i < texts.length - 1 ? [{ tag: '{{v}}' }] : [])]);
        expect(render(joinSegments(segments), { v: '|' })).toBe(texts.join('|'));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps a `{` before a block tag and a `}` after one without making {{{ or }}}', () => {
    const out = joinSegments([{ text: 'upstream x {' }, { tag: '{{#each l as |e|}}' }, { text: 'e' }, { tag: '{{/each}}' }, { text: '}' }]);
    expect(out).toBe('upstream x { {{~#each l as |e|}}e{{/each~}} }');
    expect(render(out, { l: [1, 2] })).toBe('upstream x {ee}');
  });

  it('writes string literals Handlebars reads back', () => {
    const value = 'a "quoted" \\n and \\"x\\" {{ }}';
    expect(render(`{{#with ${stringLiteral(value)} as |s|}}{{s}}{{/with}}`)).toBe(value);
    expect(() => stringLiteral('ends with \\')).toThrow(/backslash/);
  });

  it('brackets path segments Handlebars would read as keywords', () => {
    expect(['Address', 'true', 'this', 'with-dash', 'a b', 'a.b'].map(pathSegment)).toEqual(['Address', '[true]', '[this]', 'with-dash', '[a b]', '[a.b]']);
    expect(render('{{m.[true]}}{{m.[a b]}}', { m: { true: 'T', 'a b': 'S' } })).toBe('TS');
  });
});
