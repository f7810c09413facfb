import { describe, expect, it } from 'vitest';
import { parseDuration, parseWait } from '../../../src/config/duration.js';
import { InputError } from '../../../src/errors.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['5', 5000],
    ['0.5', 500],
    ['1.5s', 1500],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text, '--wait')).toBe(ms);
  });

  it.each(['', 'abc', '5x', '1s2', '-1s'])('rejects "%s" naming the setting', (text) => {
    expect(() => parseDuration(text, '--wait')).toThrow(InputError);
    expect(() => parseDuration(text, '--wait')).toThrow(/--wait/);
  });
});

describe('parseWait', () => {
  it('reads min:max', () => {
    expect(parseWait('1s:5s', '--wait')).toEqual({ minMs: 1000, maxMs: 5000 });
  });

  it('uses four times min as max when max is omitted, as consul-template does', () => {
    expect(parseWait('2s', '--wait')).toEqual({ minMs: 2000, maxMs: 8000 });
  });

  it('reads 0 as "no waiting"', () => {
    expect(parseWait('0', '--wait')).toEqual({ minMs: 0, maxMs: 0 });
  });

  it('refuses a max shorter than the min', () => {
    expect(() => parseWait('5s:1s', '--wait')).toThrow(/shorter than min/);
  });

  it('refuses more than two parts', () => {
    expect(() => parseWait('1s:2s:3s', '--wait')).toThrow(/min\[:max\]/);
  });
});
