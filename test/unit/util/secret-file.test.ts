import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { readSecretFile } from '../../../src/util/secret-file.js';

const dir = mkdtempSync(join(tmpdir(), 'ctmpl-secret-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const errorOf = (fn: () => unknown): InputError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('no error');
};

describe('readSecretFile', () => {
  it('drops one trailing newline, or surrounding whitespace for tokens', () => {
    expect(readSecretFile(file('pw', ' pass word \n'), 'password', 'hint')).toBe(' pass word ');
    expect(readSecretFile(file('token', '  abc-123 \n\n'), 'token', 'hint', { trim: 'whitespace' })).toBe('abc-123');
  });

  it('refuses an empty file and a missing one, naming the file and never its content', () => {
    const empty = errorOf(() => readSecretFile(file('empty', '\n'), 'ZooKeeper password', 'check password_file='));
    expect(empty.describe()).toContain('the ZooKeeper password file is empty');
    expect(empty.where).toBe(join(dir, 'empty'));
    const missing = errorOf(() => readSecretFile(join(dir, 'nope'), 'Consul token', 'check --consul-token-file'));
    expect(missing.describe()).toMatch(/cannot read the Consul token file \(ENOENT\)/);
    expect(missing.hint).toBe('check --consul-token-file');
  });
});
