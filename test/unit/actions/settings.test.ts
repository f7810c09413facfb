import { describe, expect, it } from 'vitest';
import { commandsFrom } from '../../../src/actions/settings.js';
import { blockContext, configPath } from '../../support/block-context.js';
import { inputErrorOf } from '../../support/input-error.js';

describe('commandsFrom', () => {
  it('has the documented defaults: no command, 30 s timeout, no interval, no splay', () => {
    expect(commandsFrom(blockContext().ctx)).toEqual({ command: undefined, commandTimeoutMs: 30_000, minReloadIntervalMs: 0, splayMs: 0, reloadRetry: { firstMs: 10_000, maxMs: 300_000 } });
  });

  it('takes the config file, with flags winning', () => {
    const file = 'command: systemctl reload nginx\ncommand_timeout: 10s\nmin_reload_interval: 5s\nsplay: 2s\nreload_retry: 5s:1m\n';
    expect(commandsFrom(blockContext({ file }).ctx)).toEqual({ command: 'systemctl reload nginx', commandTimeoutMs: 10_000, minReloadIntervalMs: 5000, splayMs: 2000, reloadRetry: { firstMs: 5000, maxMs: 60_000 } });
    const flags = { command: 'nginx -s reload', commandTimeout: '1m', minReloadInterval: '0', splay: '500ms', reloadRetry: '20s' };
    expect(commandsFrom(blockContext({ file, flags }).ctx)).toEqual({ command: 'nginx -s reload', commandTimeoutMs: 60_000, minReloadIntervalMs: 0, splayMs: 500, reloadRetry: { firstMs: 20_000, maxMs: 300_000 } });
  });

  it('refuses a command timeout of zero (a command could never run), naming the flag or the key', () => {
    expect(inputErrorOf(() => commandsFrom(blockContext({ flags: { commandTimeout: '0' } }).ctx)).message).toBe('--command-timeout must be longer than 0');
    const err = inputErrorOf(() => commandsFrom(blockContext({ file: 'splay: 1s\ncommand_timeout: 0s\n' }).ctx));
    expect(err.describe()).toMatch(new RegExp(`^${configPath()}:2:\\d+: command_timeout: must be longer than 0`));
  });

  it('refuses a duration it cannot read', () => {
    expect(inputErrorOf(() => commandsFrom(blockContext({ flags: { splay: 'soon' } }).ctx)).message).toBe('--splay: "soon" is not a duration');
  });

  it('refuses a retry whose longest wait is shorter than its first', () => {
    expect(inputErrorOf(() => commandsFrom(blockContext({ flags: { reloadRetry: '1m:10s' } }).ctx)).message).toBe('--reload-retry: "1m:10s" is not FIRST[:MAX] with MAX at least FIRST');
  });
});
