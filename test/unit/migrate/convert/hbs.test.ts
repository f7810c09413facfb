import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinSegments, pathSegment, stringLiteral, type Segment } from '../../../../src/migrate/convert/hbs.js';
import { compileTemplate } from '../../../../src/template/engine.js';
import { sourcesByName } from '../../../../src/registries/list.js';

/** Renders with ctmpl's own engine, as a converted template is rendered (no ignoreStandalone). */
function render(template: string): string {
  const result = compileTemplate('t.hbs', template).render({ defaultSource: 'consul', sources: sourcesByName([['consul', 'consul']]), lookup: () => undefined, sandbox: '/nonexistent', env: { V: '|' } });
  if (result.output === undefined) throw new Error('incomplete render');
  return result.output;
}

/** A piece of a template and what it renders. */
interface Piece {
  readonly segments: Segment[];
  readonly expected: string;
}

const tag = (t: string): Segment => ({ tag: t });
/** Stands for the inline partial's text in an expected output (texts never hold a NUL). */
const PARTIAL = '\u0000';
const text = fc.stringMatching(/^[ \t\r\n\u00a0a{}\\]{0,5}$/).map((t): Piece => ({ segments: [{ text: t }], expected: t }));
const seq = (pieces: readonly Piece[]): Piece => ({ segments: pieces.flatMap((p) => p.segments), expected: pieces.map((p) => p.expected).join('') });

/** Blocks of every kind Handlebars may take as standalone, around random text, nested twice. */
const piece: fc.Memo<Piece> = fc.memo((depth) => {
  const inner = depth <= 1 ? fc.array(text, { maxLength: 2 }).map(seq) : fc.array(piece(depth - 1), { maxLength: 3 }).map(seq);
  return fc.oneof(
    { weight: 3, arbitrary: text },
    fc.tuple(fc.boolean(), inner, fc.option(inner, { nil: undefined })).map(([cond, body, otherwise]): Piece => ({
      segments: [tag(`{{#if ${String(cond)}}}`), ...body.segments, ...(otherwise ? [tag('{{else}}'), ...otherwise.segments] : []), tag('{{/if}}')],
      expected: cond ? body.expected : (otherwise?.expected ?? ''),
    })),
    fc.tuple(fc.integer({ min: 0, max: 2 }), inner, inner, inner).map(([which, a, b, c]): Piece => ({
      segments: [tag(`{{#if ${String(which === 0)}}}`), ...a.segments, tag(`{{else if ${String(which === 1)}}}`), ...b.segments, tag('{{else}}'), ...c.segments, tag('{{/if}}')],
      expected: [a, b, c][which]?.expected ?? '',
    })),
    fc.tuple(fc.integer({ min: 0, max: 2 }), inner).map(([n, body]): Piece => ({
      segments: [tag(`{{#each (loop ${n}) as |x|}}`), ...body.segments, tag('{{/each}}')],
      expected: body.expected.repeat(n),
    })),
    fc.constant<Piece>({ segments: [tag('{{> "p"}}')], expected: PARTIAL }),
    text.map((): Piece => ({ segments: [tag('{{env "V"}}')], expected: '|' })),
  );
});

describe('Handlebars text the converter writes', () => {
  it('renders every text byte for byte, whatever blocks, partials and line breaks surround it', () => {
    fc.assert(
      fc.property(fc.array(piece(2), { minLength: 1, maxLength: 5 }), text, (pieces, inlineText) => {
        const body = seq(pieces);
        // The inline partial is defined first (as the converter writes them), then called anywhere.
        const template = joinSegments([tag('{{#*inline "p"}}'), ...inlineText.segments, tag('{{/inline}}'), ...body.segments]);
        expect(render(template)).toBe(body.expected.replaceAll(PARTIAL, inlineText.expected));
      }),
      { numRuns: 2000 },
    );
  }, 20_000);

  it('keeps a line that holds only a block tag, as Go does', () => {
    const out = joinSegments([{ text: 'a\n' }, tag('{{#if true}}'), { text: '\nb\n' }, tag('{{/if}}'), { text: '\n' }]);
    expect(out).toBe('a\n{{#if true}}{{!}}\nb\n{{/if}}{{!}}\n');
    expect(render(out)).toBe('a\n\nb\n\n');
  });

  it('writes nothing extra where Handlebars would strip nothing', () => {
    expect(joinSegments([{ text: 'x ' }, tag('{{#if true}}'), { text: 'y' }, tag('{{/if}}'), { text: '\n' }])).toBe('x {{#if true}}y{{/if}}\n');
  });

  it('keeps a `{` before a block tag and a `}` after one without making {{{ or }}}', () => {
    const out = joinSegments([{ text: 'upstream x {' }, tag('{{#each (loop 2) as |e|}}'), { text: 'e' }, tag('{{/each}}'), { text: '}' }]);
    expect(out).toBe('upstream x { {{~!}}{{#each (loop 2) as |e|}}e{{/each~}} }');
    expect(render(out)).toBe('upstream x {ee}');
  });

  it('writes string literals Handlebars reads back', () => {
    const value = 'a "quoted" \\n and \\"x\\" {{ }}';
    expect(render(`{{#with ${stringLiteral(value)} as |s|}}{{s}}{{/with}}`)).toBe(value);
    expect(() => stringLiteral('ends with \\')).toThrow(/backslash/);
  });

  it('brackets path segments Handlebars would read as keywords', () => {
    expect(['Address', 'true', 'this', 'with-dash', 'a b', 'a.b'].map(pathSegment)).toEqual(['Address', '[true]', '[this]', 'with-dash', '[a b]', '[a.b]']);
    expect(render('{{#with (parseJSON "{\\"true\\":\\"T\\",\\"a b\\":\\"S\\"}") as |m|}}{{m.[true]}}{{m.[a b]}}{{/with}}')).toBe('TS');
  });
});
