import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { resolveGroup, resolveUser } from '../../../src/output/owner.js';
import { inputErrorOf } from '../../support/input-error.js';

/** The first entry of an /etc file with its id, to check against the machine's own table. */
function firstEntry(file: string): { name: string; id: number } {
  const [name, , id] = (readFileSync(file, 'utf8').split('\n')[0] ?? '').split(':');
  return { name: name ?? '', id: Number(id) };
}

describe('owner lookup', () => {
  it('takes a number as an id, without looking it up', () => {
    expect(resolveUser('4242')).toBe(4242);
    expect(resolveGroup('0')).toBe(0);
  });

  it('finds users and groups by name in /etc/passwd and /etc/group', () => {
    const user = firstEntry('/etc/passwd');
    const group = firstEntry('/etc/group');
    expect(resolveUser(user.name)).toBe(user.id);
    expect(resolveGroup(group.name)).toBe(group.id);
  });

  it('refuses a name the machine does not know, saying where to look', () => {
    const err = inputErrorOf(() => resolveUser('no-such-user-ctmpl'));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe('user "no-such-user-ctmpl" does not exist on this machine');
    expect(err.hint).toMatch(/\/etc\/passwd/);
    expect(inputErrorOf(() => resolveGroup('no-such-group-ctmpl')).hint).toMatch(/\/etc\/group/);
  });

  it('does not take a name that only starts like an entry', () => {
    const user = firstEntry('/etc/passwd');
    expect(() => resolveUser(user.name.slice(0, -1) || 'x')).toThrow(InputError);
  });
});
