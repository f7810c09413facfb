import { describe, expect, it } from 'vitest';
import { compileTemplate, HELPER_NAMES } from '../../../../src/template/engine.js';
import { inputErrorOf } from '../../../support/input-error.js';
import { renderText } from './call.js';

const CONSUL_TEMPLATE_HELPERS = [
  'and', 'or', 'not', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in', 'contains', 'containsAll', 'containsAny', 'containsNone', 'containsNotAll',
  'printf', 'index', 'len', 'add', 'subtract', 'multiply', 'divide', 'modulo', 'minimum', 'maximum', 'parseInt', 'parseUint', 'parseFloat', 'parseBool', 'parseJSON',
  'split', 'join', 'replaceAll', 'regexMatch', 'regexReplaceAll', 'trim', 'trimSpace', 'trimPrefix', 'trimSuffix', 'toTitle', 'toUpper', 'toLower',
  'toJSON', 'toJSONPretty', 'toUnescapedJSON', 'toUnescapedJSONPretty', 'toYAML', 'timestamp', 'base64Encode', 'base64Decode', 'base64URLEncode', 'base64URLDecode',
  'sha256Hex', 'md5sum', 'hmacSHA256Hex', 'indent', 'loop', 'byTag',
  'scratchSet', 'scratchGet', 'scratchKey', 'scratchMapSet', 'scratchMapValues', 'scratchSetX', 'scratchMapSetX',
];

describe('the engine registers the text, math, encoding and flow helpers', () => {
  it('knows consul-template\'s helpers, plus entries and sort', () => {
    expect(CONSUL_TEMPLATE_HELPERS.filter((name) => !HELPER_NAMES.includes(name))).toEqual([]);
    expect(HELPER_NAMES).toContain('entries');
    expect(HELPER_NAMES).toContain('sort');
  });

  it('still refuses a helper it does not have, before rendering', () => {
    expect(inputErrorOf(() => compileTemplate('t.hbs', '{{sprig_upper "x"}}')).message).toBe('unknown helper "sprig_upper"');
  });

  it('calls a helper without arguments: {{timestamp}}', () => {
    expect(renderText('{{timestamp}}')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('prints numbers from helpers side by side, never adds them (handlebars 4.7.10 with noEscape adds adjacent numbers)', () => {
    expect(renderText('{{add 5 0}}{{add 80 0}}')).toBe('580');
    expect(renderText('{{multiply 1 5}}{{divide 1 80}}{{modulo 7 5}}{{parseInt "80"}}{{index (loop 9) 5}}')).toBe('5805805');
  });
});
