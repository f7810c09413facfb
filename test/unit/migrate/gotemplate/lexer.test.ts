import { describe, expect, it } from 'vitest';
import { lex } from '../../../../src/migrate/gotemplate/lexer.js';
import { GoSyntaxError } from '../../../../src/migrate/gotemplate/errors.js';

const texts = (input: string): string[] => lex(input).filter((t) => t.kind === 'text').map((t) => t.value);
const kinds = (input: string): string[] => lex(input).map((t) => `${t.kind}:${t.value}`);

describe('Go template lexer', () => {
  it('trims ASCII white space (space, tab, CR, LF) next to trim markers, and nothing else', () => {
    expect(texts('a \t\r\n {{- 1 -}} \n\t b')).toEqual(['a', 'b']);
    // A no-break space is text to Go (Handlebars' ~ would strip it).
    expect(texts('a\u00a0 {{- 1 -}} \u00a0b')).toEqual(['a\u00a0', '\u00a0b']);
  });

  it('trims only the text right next to the marker, not across another action', () => {
    expect(texts('a {{ 1 }} {{- 2 }} c')).toEqual(['a ', ' c']);
  });

  it('drops text that is only white space between two trim markers', () => {
    expect(texts('{{ 1 -}}  \n  {{- 2 }}')).toEqual([]);
  });

  it('reads `{{-3}}` as the number -3, not a trim marker', () => {
    expect(kinds('a {{-3}}')).toEqual(['text:a ', 'leftDelim:{{', 'number:-3', 'rightDelim:}}', 'eof:']);
  });

  it('removes comments, applying their trim markers', () => {
    expect(texts('a {{- /* x\n y */ -}} b {{/* z */}} c')).toEqual(['a', 'b ', ' c']);
  });

  it('tells fields, variables, keywords, strings and numbers apart', () => {
    expect(kinds('{{ $x := .A.B | printf "%d" `r` 0x1F \'c\' nil true }}').filter((k) => !k.startsWith('space'))).toEqual([
      'leftDelim:{{', 'variable:$x', 'declare::=', 'field:.A', 'field:.B', 'pipe:|', 'identifier:printf', 'string:"%d"',
      'rawString:`r`', 'number:0x1F', "charConstant:'c'", 'keyword:nil', 'bool:true', 'rightDelim:}}', 'eof:',
    ]);
  });

  it('fails where Go fails, with the offset', () => {
    const at = (input: string): [string, number] => {
      try {
        lex(input);
      } catch (err) {
        if (err instanceof GoSyntaxError) return [err.message, err.offset];
        throw err;
      }
      return ['no error', -1];
    };
    expect(at('ab {{ "x')).toEqual(['unterminated quoted string', 6]);
    expect(at('{{ \u00a0 }}')).toEqual(['unrecognized character in action: "\u00a0"', 3]);
    expect(at('{{/* x */ }}')).toEqual(['comment ends before closing delimiter', 0]);
    expect(at('{{ (1 }}')).toEqual(['unclosed left paren', 6]);
  });
});
