import { describe, expect, it } from 'vitest';
import { Lexer, type Token } from '../../../../src/config/hcl/lexer.js';
import { SourceText } from '../../../../src/config/hcl/source.js';
import { inputErrorOf } from '../../../support/input-error.js';

function tokens(text: string): Token[] {
  const lexer = new Lexer(new SourceText('t.hcl', text));
  const out: Token[] = [];
  for (let token = lexer.next(); token.type !== 'eof'; token = lexer.next()) out.push(token);
  return out;
}

/** The value of the one literal in `text`. */
const valueOf = (text: string): unknown => tokens(text)[0]?.value;

const lexError = (text: string) => inputErrorOf(() => tokens(text));

describe('HCL 1 tokens', () => {
  it('skips #, // and /* */ comments, also between tokens on one line', () => {
    const found = tokens('# top\na = 1 // after\n/* block\n over lines */ b /* inline */ = 2 # end');
    expect(found.map((t) => t.value ?? t.type)).toEqual(['a', '=', 1, 'b', '=', 2]);
  });

  it('reads identifiers with dashes and dots, and true/false as booleans', () => {
    expect(tokens('log_level max-idle a.b true false').map((t) => [t.type, t.value])).toEqual([
      ['ident', 'log_level'],
      ['ident', 'max-idle'],
      ['ident', 'a.b'],
      ['bool', true],
      ['bool', false],
    ]);
  });

  it('reads numbers as hashicorp/hcl does: a leading 0 is octal, 0x hex, fractions and exponents floats', () => {
    expect(valueOf('0644')).toBe(0o644);
    expect(valueOf('0600')).toBe(384);
    expect(valueOf('0')).toBe(0);
    expect(valueOf('644')).toBe(644);
    expect(valueOf('0x1F')).toBe(31);
    expect(valueOf('-3')).toBe(-3);
    expect(valueOf('1.5')).toBe(1.5);
    expect(valueOf('.5')).toBe(0.5);
    expect(valueOf('1e3')).toBe(1000);
    expect(valueOf('-2.5e-1')).toBe(-0.25);
    expect(valueOf('0.9')).toBe(0.9);
  });

  it('refuses 08 (not octal) and says how to write it', () => {
    const err = lexError('perms = 089');
    expect(err.where).toBe('t.hcl:1:9');
    expect(err.message).toContain('octal');
    expect(err.hint).toContain('"089"');
  });

  it('asks for quotes around an unquoted duration or version', () => {
    const err = lexError('wait {\n  min = 10s\n}');
    expect(err.where).toBe('t.hcl:2:9');
    expect(err.message).toBe('10s must be quoted');
    expect(err.hint).toContain('"10s"');
    expect(lexError('v = 1.2.3').message).toBe('1.2.3 must be quoted');
  });

  it('decodes string escapes: \\n \\t \\" \\\\ octal, \\x, \\u and \\U', () => {
    expect(valueOf(String.raw`"a\nb\t\"q\"\\"`)).toBe('a\nb\t"q"\\');
    expect(valueOf(String.raw`"\101\x42\u00e9\U0001F600"`)).toBe('ABé😀');
  });

  it('keeps ${…} in a string as written, quotes and braces inside it included', () => {
    expect(valueOf('"pre ${ "in" } ${a{b}} post"')).toBe('pre ${ "in" } ${a{b}} post');
  });

  it('keeps consul-template template text with escaped quotes', () => {
    expect(valueOf(String.raw`"{{ key \"service/x\" }}"`)).toBe('{{ key "service/x" }}');
  });

  it('places an unclosed string at its opening quote', () => {
    const err = lexError('a = 1\nb = "open\nc = 2');
    expect(err.where).toBe('t.hcl:2:5');
    expect(err.message).toBe('string is not closed');
    expect(err.hint).toContain('heredoc');
  });

  it('places an unknown escape at its backslash', () => {
    const err = lexError('path = "C:\\dir"');
    expect(err.where).toBe('t.hcl:1:11');
    expect(err.message).toContain('\\d');
  });

  it('reads a heredoc up to the line holding only its name, keeping indentation', () => {
    expect(valueOf('<<EOF\none\n  two\nEOF\n')).toBe('one\n  two\n');
    expect(valueOf('<<EOT\n{{ key "a" }}\nEOT')).toBe('{{ key "a" }}\n');
  });

  it('keeps the closing line indentation of a plain heredoc, as hashicorp/hcl does', () => {
    expect(valueOf('<<EOF\nk\n  EOF\n')).toBe('k\n  ');
  });

  it('unindents <<- heredocs by the closing line indentation', () => {
    expect(valueOf('<<-EOT\n    x\n      y\n    EOT\n')).toBe('x\n  y\n');
  });

  it('leaves a <<- heredoc as written, trailing blanks trimmed, when a line is less indented than the closing one', () => {
    expect(valueOf('<<-EOF\n  a\n b\n  EOF\n')).toBe('  a\n b\n');
  });

  it('does not end a heredoc at a line that only starts with its name, or has blanks after it', () => {
    expect(valueOf('<<EOF\nEOFX\nEOF\n')).toBe('EOFX\n');
    expect(valueOf('<<EOF\nEOF  \nEOF\n')).toBe('EOF  \n');
  });

  it('places an unclosed heredoc at its start', () => {
    const err = lexError('a = 1\nc = <<EOF\ntext\n');
    expect(err.where).toBe('t.hcl:2:5');
    expect(err.message).toBe('heredoc <<EOF is never closed');
    expect(err.hint).toContain('EOF');
  });

  it('refuses a heredoc without a name or with text after its name', () => {
    expect(lexError('c = <<\nx\n').message).toContain('needs a name');
    expect(lexError('c = <<EOF x\nx\nEOF\n').message).toContain('nothing may follow');
  });

  it('refuses single quotes, with the fix', () => {
    const err = lexError("a = 'x'");
    expect(err.where).toBe('t.hcl:1:5');
    expect(err.hint).toContain('double quotes');
  });

  it('places an unclosed block comment at its start', () => {
    expect(lexError('a = 1\n  /* open').where).toBe('t.hcl:2:3');
  });

  it('counts columns per line, after multi-line comments and heredocs', () => {
    const found = tokens('/* a\nb */ x = <<EOF\nline\nEOF\ny = 2');
    const source = new SourceText('t.hcl', '/* a\nb */ x = <<EOF\nline\nEOF\ny = 2');
    expect(found.map((t) => source.where(t.start))).toEqual(['t.hcl:2:6', 't.hcl:2:8', 't.hcl:2:10', 't.hcl:5:1', 't.hcl:5:3', 't.hcl:5:5']);
  });
});

describe('JSON tokens', () => {
  it("decodes strings with JSON's escapes", () => {
    const lexer = new Lexer(new SourceText('t.json', String.raw`"a\/b\u0041"`), true);
    expect(lexer.next().value).toBe('a/bA');
  });
});
