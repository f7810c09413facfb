import { describe, expect, it } from 'vitest';
import { guardsFrom, parseFlap, parsePercent } from '../../../../src/feed/guards/settings.js';
import { blockContext, configPath } from '../../../support/block-context.js';
import { inputErrorOf } from '../../../support/input-error.js';

describe('parsePercent', () => {
  it.each([
    ['20', 20],
    ['20%', 20],
    ['0', 0],
    ['12.5%', 12.5],
    [100, 100],
  ] as const)('reads %j as %d', (text, pct) => {
    expect(parsePercent(text, '--max-removal')).toBe(pct);
  });

  it('reads off as no guard', () => {
    expect(parsePercent('off', '--max-removal')).toBeUndefined();
  });

  it.each(['150', '-5', 'abc', '20%%'])('refuses %s, naming the setting', (text) => {
    expect(inputErrorOf(() => parsePercent(text, '--max-removal')).message).toMatch(/^--max-removal: .* is not a percentage/);
  });
});

describe('parseFlap', () => {
  it('reads N/WINDOW as more than N changes within WINDOW', () => {
    expect(parseFlap('5/30s', '--flap')).toEqual({ changes: 5, windowMs: 30_000 });
    expect(parseFlap('off', '--flap')).toBeUndefined();
  });

  it.each(['abc', '0/30s', '5/0s', '5/abc', '/30s'])('refuses %s', (text) => {
    expect(() => parseFlap(text, '--flap')).toThrow(/--flap/);
  });
});

describe('guardsFrom', () => {
  it('has the documented defaults: 20% removal, 5 min hold, damping past 5 changes in 30 s for 30 s', () => {
    const { ctx } = blockContext();
    expect(guardsFrom(ctx)).toEqual({
      allowlist: { cidrs: [], tags: [], dcs: [] },
      maxRemovalPct: 20,
      holdMaxMs: 300_000,
      flap: { changes: 5, windowMs: 30_000, dampedWaitMs: 30_000 },
      services: {},
    });
  });

  it('takes the config file, with flags winning', () => {
    const file = 'max_removal: 10%\nhold_max: 1m\nflap: 3/10s\nflap_wait: 45s\n';
    expect(guardsFrom(blockContext({ file }).ctx)).toMatchObject({ maxRemovalPct: 10, holdMaxMs: 60_000, flap: { changes: 3, windowMs: 10_000, dampedWaitMs: 45_000 } });
    const flags = { maxRemoval: '50', holdMax: '2m', flap: '7/1m', flapWait: '5s' };
    expect(guardsFrom(blockContext({ file, flags }).ctx)).toMatchObject({ maxRemovalPct: 50, holdMaxMs: 120_000, flap: { changes: 7, windowMs: 60_000, dampedWaitMs: 5000 } });
  });

  it('turns the removal guard and damping off with off', () => {
    const guards = guardsFrom(blockContext({ flags: { maxRemoval: 'off', flap: 'off' } }).ctx);
    expect(guards.maxRemovalPct).toBeUndefined();
    expect(guards.flap).toBeUndefined();
  });

  it('reads per-service settings: off turns the guard off for that service only', () => {
    const file = 'services:\n  web: { max_removal: "off", allow_empty: true }\n  api: { max_removal: 50 }\n  db: {}\n';
    expect(guardsFrom(blockContext({ file }).ctx).services).toEqual({ web: { maxRemovalPct: null, allowEmpty: true }, api: { maxRemovalPct: 50 }, db: {} });
  });

  it('adds the allowlist of the flags to that of the file', () => {
    const file = 'allow:\n  cidrs: [10.0.0.0/8]\n  tags: [prod]\n  dcs: [dc1]\n';
    const flags = { allowCidr: ['fd00::/8'], allowTag: ['canary'], allowDc: ['dc2'] };
    expect(guardsFrom(blockContext({ file, flags }).ctx).allowlist).toEqual({ cidrs: ['10.0.0.0/8', 'fd00::/8'], tags: ['prod', 'canary'], dcs: ['dc1', 'dc2'] });
  });

  it('places a bad value from the file at its key, file:line:col', () => {
    const file = 'hold_max: 1m\nallow:\n  cidrs:\n    - 10.0.0.0/8\n    - 10.0.0.0/99\n';
    const err = inputErrorOf(() => guardsFrom(blockContext({ file }).ctx));
    expect(err.describe()).toMatch(new RegExp(`^${configPath()}:5:\\d+: allow\\.cidrs\\[1\\]`));
    const services = inputErrorOf(() => guardsFrom(blockContext({ file: 'services:\n  web:\n    max_removal: 150\n' }).ctx));
    expect(services.describe()).toMatch(new RegExp(`^${configPath()}:3:\\d+: services\\.web\\.max_removal`));
  });

  it('names the flag for a bad flag value, even when the file has a good one', () => {
    const err = inputErrorOf(() => guardsFrom(blockContext({ file: 'flap: 5/30s\n', flags: { flap: '0/30s' } }).ctx));
    expect(err.message).toMatch(/^--flap/);
    expect(err.where).toBeUndefined();
    expect(inputErrorOf(() => guardsFrom(blockContext({ flags: { allowCidr: ['abc'] } }).ctx)).message).toMatch(/^--allow-cidr "abc" is not a CIDR/);
  });
});
