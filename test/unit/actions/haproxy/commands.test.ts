import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commandText, UnsafeValueError, type RuntimeCommand } from '../../../../src/actions/haproxy/commands.js';
import { HOSTILE_PIECES } from '../../../support/hostile.js';

const base = { backend: 'web', server: 'node-1_-web-1' };

describe('commandText', () => {
  it.each<[RuntimeCommand, string]>([
    [{ kind: 'add', ...base, address: '10.0.0.1', port: '80', weight: 3, options: ['check', 'inter', '2s'] }, 'add server web/node-1_-web-1 10.0.0.1:80 weight 3 check inter 2s'],
    [{ kind: 'add', ...base, address: '2001:db8:0::1', port: '443', weight: 1, options: [] }, 'add server web/node-1_-web-1 [2001:db8::1]:443 weight 1'],
    [{ kind: 'addr', ...base, address: '10.0.0.2', port: '8080' }, 'set server web/node-1_-web-1 addr 10.0.0.2 port 8080'],
    [{ kind: 'weight', ...base, weight: 0 }, 'set server web/node-1_-web-1 weight 0'],
    [{ kind: 'ready', ...base }, 'set server web/node-1_-web-1 state ready'],
    [{ kind: 'drain', ...base }, 'set server web/node-1_-web-1 state drain'],
    [{ kind: 'maint', ...base }, 'set server web/node-1_-web-1 state maint'],
    [{ kind: 'health', ...base }, 'enable health web/node-1_-web-1'],
    [{ kind: 'del', ...base }, 'del server web/node-1_-web-1'],
  ])('%j → %s', (command, text) => {
    expect(commandText(command)).toBe(text);
  });

  it.each<[string, RuntimeCommand]>([
    ['a host name (the Runtime API sets IP addresses only)', { kind: 'addr', ...base, address: 'db.example', port: '80' }],
    ['an IPv6 zone index', { kind: 'addr', ...base, address: 'fe80::1%eth0', port: '80' }],
    ['port 0', { kind: 'addr', ...base, address: '10.0.0.1', port: '0' }],
    ['weight 257', { kind: 'weight', ...base, weight: 257 }],
    ['weight 1.5', { kind: 'weight', ...base, weight: 1.5 }],
    ['"@" in a server name', { kind: 'ready', backend: 'web', server: 'n@x' }],
    ['a quoted option', { kind: 'add', ...base, address: '10.0.0.1', port: '80', weight: 1, options: ["'x y'"] }],
    ['a variable in an option', { kind: 'add', ...base, address: '10.0.0.1', port: '80', weight: 1, options: ['${SNI}'] }],
  ])('refuses %s', (_name, command) => {
    expect(() => commandText(command)).toThrow(UnsafeValueError);
  });

  it('never gives a second command: a hostile name, address or option is refused, never sent', () => {
    const hostile = fc.array(fc.oneof(fc.constantFrom(...HOSTILE_PIECES), fc.stringMatching(/^[a-z0-9]{1,4}$/)), { minLength: 1, maxLength: 5 }).map((p) => p.join(''));
    fc.assert(
      fc.property(hostile, hostile, hostile, (name, address, option) => {
        const commands: RuntimeCommand[] = [
          { kind: 'add', backend: 'web', server: name, address: '10.0.0.1', port: '80', weight: 1, options: [] },
          { kind: 'add', ...base, address, port: '80', weight: 1, options: [] },
          { kind: 'add', ...base, address: '10.0.0.1', port: '80', weight: 1, options: [option] },
          { kind: 'ready', backend: name, server: 'a' },
        ];
        for (const command of commands) {
          let text: string | undefined;
          try {
            text = commandText(command);
          } catch (err) {
            expect(err).toBeInstanceOf(UnsafeValueError);
          }
          // What is sent is one line with no command separator, and no blank inside a name.
          // eslint-disable-next-line no-control-regex -- matching control characters is the point
          if (text !== undefined) expect(text).not.toMatch(/[;\u0000-\u001f\u007f#'"\\$]/);
        }
      }),
      { numRuns: 500 },
    );
  });
});
