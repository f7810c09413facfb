import { describe, expect, it } from 'vitest';
import { errorMessage, InputError } from '../../src/errors.js';

describe('InputError', () => {
  it('says where, what and what to do on one line plus a hint, and maps to exit code 2', () => {
    const err = new InputError('port "eighty" is not a port', '/etc/ctmpl/catalog.yaml:3:7', 'give a number from 1 to 65535');
    expect(err.describe()).toBe('/etc/ctmpl/catalog.yaml:3:7: port "eighty" is not a port\n  hint: give a number from 1 to 65535');
    expect(err.exitCode).toBe(2);
    expect(err.name).toBe('InputError');
    expect(err).toBeInstanceOf(Error);
  });

  it('leaves out what it does not know', () => {
    expect(new InputError('no template given').describe()).toBe('no template given');
    expect(new InputError('bad', 'here').describe()).toBe('here: bad');
  });
});

describe('errorMessage', () => {
  it('gives an input error with its place and hint, any other error by its message, anything else as text', () => {
    expect(errorMessage(new InputError('bad', 'f:1:1', 'fix it'))).toBe('f:1:1: bad\n  hint: fix it');
    expect(errorMessage(new Error('ECONNREFUSED'))).toBe('ECONNREFUSED');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(42)).toBe('42');
  });
});
