import { describe, expect, it } from 'vitest';
import { formatGoTime, timeHelpers } from '../../../../src/template/helpers/time.js';
import { caller } from './call.js';

/** Go's reference time, Mon Jan 2 15:04:05 2006, plus 999 ms, in UTC. */
const REFERENCE = Date.UTC(2006, 0, 2, 15, 4, 5, 999);
const call = caller(timeHelpers(() => REFERENCE));

describe('timestamp', () => {
  it('gives RFC 3339 in UTC without an argument, Unix seconds for "unix"', () => {
    expect(call('timestamp')).toBe('2006-01-02T15:04:05Z');
    expect(call('timestamp', 'unix')).toBe('1136214245');
  });

  it('reads the clock at each call', () => {
    let now = 0;
    const ticking = caller(timeHelpers(() => (now += 1000)));
    expect(ticking('timestamp', 'unix')).toBe('1');
    expect(ticking('timestamp', 'unix')).toBe('2');
  });

  it.each([
    ['2006-01-02', '2006-01-02'],
    ['Mon Jan _2 15:04:05 MST 2006', 'Mon Jan  2 15:04:05 UTC 2006'],
    ['Monday, 02-Jan-06 03:04:05 PM -0700', 'Monday, 02-Jan-06 03:04:05 PM +0000'],
    ['January 2, 2006 3:4:5 pm', 'January 2, 2006 3:4:5 pm'],
    ['15:04:05.000|.999999|,00', '15:04:05.999|.999|,99'],
    ['Z07:00 Z0700 -07:00:00', 'Z Z +00:00:00'],
    ['002 __2 1/2/06', '002   2 1/2/06'],
    ['Month Mond Janx', 'Month Mond Janx'],
  ])('formats %j as Go\'s time.Format does: %j', (layout, expected) => {
    expect(call('timestamp', layout)).toBe(expected);
  });

  it('drops trailing zeros of .999 and the point with them', () => {
    expect(formatGoTime(Date.UTC(2024, 1, 29, 0, 0, 0, 500), '.999|.000')).toBe('.5|.500');
    expect(formatGoTime(Date.UTC(2024, 1, 29, 0, 0, 0, 0), 'x.999x')).toBe('xx');
    expect(formatGoTime(Date.UTC(2024, 11, 31, 23, 0, 0, 0), '002 __2 3PM')).toBe('366 366 11PM');
  });

  it('refuses extra arguments and a layout that is not text', () => {
    expect(() => call('timestamp', 'a', 'b')).toThrow('timestamp: expected 0 or 1 argument, got 2');
    expect(() => call('timestamp', ['2006'])).toThrow('timestamp: expected a layout such as "2006-01-02", got a list');
  });
});
