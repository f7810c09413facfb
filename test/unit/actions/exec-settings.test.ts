import { describe, expect, it } from 'vitest';
import { execFrom, parseSignal } from '../../../src/actions/exec-settings.js';
import { blockContext, configPath } from '../../support/block-context.js';
import { inputErrorOf } from '../../support/input-error.js';

describe('parseSignal', () => {
  it.each([
    ['SIGHUP', 'SIGHUP'],
    ['hup', 'SIGHUP'],
    ['usr2', 'SIGUSR2'],
    ['SigTerm', 'SIGTERM'],
  ])('reads %s as %s', (text, signal) => {
    expect(parseSignal(text, '--exec-reload-signal')).toBe(signal);
  });

  it('reads none as "restart the child instead"', () => {
    expect(parseSignal('none', 'x')).toBeUndefined();
    expect(parseSignal('NONE', 'x')).toBeUndefined();
  });

  it.each(['SIGFOO', 'HUPX', ''])('refuses %j', (text) => {
    expect(inputErrorOf(() => parseSignal(text, '--exec-reload-signal')).message).toBe(`--exec-reload-signal: "${text}" is not a signal`);
  });
});

describe('execFrom', () => {
  it('is off without an exec command', () => {
    expect(execFrom(blockContext().ctx)).toBeUndefined();
  });

  it('has the documented defaults: SIGHUP, 30 s to stop, no splay, restarts backing off to 60 s', () => {
    expect(execFrom(blockContext({ flags: { exec: 'nginx' } }).ctx)).toEqual({ command: 'nginx', reloadSignal: 'SIGHUP', killTimeoutMs: 30_000, splayMs: 0, restartBackoffMaxMs: 60_000 });
  });

  it('takes the config block, with flags winning', () => {
    const file = 'exec:\n  command: haproxy -f /etc/haproxy.cfg\n  reload_signal: USR2\n  kill_timeout: 5s\n  splay: 1s\n  restart_backoff_max: 2m\n';
    expect(execFrom(blockContext({ file }).ctx)).toEqual({ command: 'haproxy -f /etc/haproxy.cfg', reloadSignal: 'SIGUSR2', killTimeoutMs: 5000, splayMs: 1000, restartBackoffMaxMs: 120_000 });
    const flags = { exec: 'nginx', execReloadSignal: 'none', execKillTimeout: '10s' };
    expect(execFrom(blockContext({ file, flags }).ctx)).toMatchObject({ command: 'nginx', reloadSignal: undefined, killTimeoutMs: 10_000, splayMs: 1000 });
  });

  it('refuses exec mode with --once, naming where exec came from', () => {
    expect(inputErrorOf(() => execFrom(blockContext({ flags: { exec: 'nginx', once: true } }).ctx)).message).toBe('--exec cannot be combined with --once');
    expect(inputErrorOf(() => execFrom(blockContext({ file: 'exec: { command: nginx }\n', flags: { once: true } }).ctx)).message).toBe('exec (in the config file) cannot be combined with --once');
  });

  it('checks the exec settings even without an exec command (a typo is still a typo)', () => {
    expect(inputErrorOf(() => execFrom(blockContext({ flags: { execReloadSignal: 'SIGFOO' } }).ctx)).message).toBe('--exec-reload-signal: "SIGFOO" is not a signal');
    const err = inputErrorOf(() => execFrom(blockContext({ file: 'exec:\n  command: nginx\n  kill_timeout: soon\n' }).ctx));
    expect(err.describe()).toMatch(new RegExp(`^${configPath()}:3:\\d+: exec\\.kill_timeout`));
  });
});
