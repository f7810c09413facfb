import { describe, expect, it } from 'vitest';
import { FlapDetector } from '../../../../src/feed/guards/flap.js';

describe('FlapDetector', () => {
  const spec = { changes: 5, windowMs: 30_000, dampedWaitMs: 30_000 };

  it('switches on after more than N changes within the window', () => {
    const f = new FlapDetector(spec);
    for (let i = 0; i < 5; i++) expect(f.record(i * 1000)).toEqual({ damped: false, switched: false });
    expect(f.record(5000)).toEqual({ damped: true, switched: true });
    expect(f.record(6000)).toEqual({ damped: true, switched: false });
  });

  it('does not switch on for changes spread wider than the window', () => {
    const f = new FlapDetector(spec);
    for (let i = 0; i < 20; i++) expect(f.record(i * 7000).damped).toBe(false);
  });

  it('switches off after a calm window, and says when that will be', () => {
    const f = new FlapDetector(spec);
    for (let i = 0; i <= 5; i++) f.record(i * 100);
    expect(f.calmAt()).toBe(500 + 30_000);
    expect(f.check(30_000)).toEqual({ damped: true, switched: false });
    expect(f.check(30_500)).toEqual({ damped: false, switched: true });
    expect(f.damped).toBe(false);
  });
});
