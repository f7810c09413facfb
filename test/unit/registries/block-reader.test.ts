import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { blockReader } from '../../../src/registries/block-reader.js';
import { blockContext, configPath } from '../../support/block-context.js';
import { inputErrorOf } from '../../support/input-error.js';

const FILE = 'consul:\n  address: 10.0.0.1:8500\n  ssl:\n    ca_cert: certs/ca.pem\n';
const text = (value: unknown): string => String(value);
const refuse = (value: unknown, name: string): never => {
  throw new InputError(`${name}: "${String(value)}" is refused`);
};

describe('blockReader', () => {
  it("reads a key of the config file's block, nested keys included", () => {
    const block = blockReader(blockContext({ file: FILE }).ctx, 'consul');
    expect(block.get(['address'], text)).toBe('10.0.0.1:8500');
    expect(block.get(['ssl', 'ca_cert'], text)).toBe('certs/ca.pem');
    expect(block.get(['token'], text)).toBeUndefined();
    expect(block.get(['ssl', 'cert'], text)).toBeUndefined();
  });

  it('lets the flag that sets a key win over the file', () => {
    const flags = { blocks: { consul: { 'ssl.ca_cert': { flag: '--consul-ca-cert', value: '/etc/ca.pem' } } } };
    const block = blockReader(blockContext({ file: FILE, flags }).ctx, 'consul');
    expect(block.get(['ssl', 'ca_cert'], text)).toBe('/etc/ca.pem');
    expect(block.get(['address'], text)).toBe('10.0.0.1:8500');
    expect(block.flagOf(['ssl', 'ca_cert'])).toBe('--consul-ca-cert');
    expect(block.flagOf(['address'])).toBeUndefined();
  });

  it("resolves a path from a flag against the working directory, from the file against the file's directory", () => {
    const flags = { blocks: { consul: { 'ssl.ca_cert': { flag: '--consul-ca-cert', value: 'ca.pem' } } } };
    const block = blockReader(blockContext({ file: FILE, flags, fileDir: '/conf', cwd: '/work' }).ctx, 'consul');
    expect(block.baseDirOf(['ssl', 'ca_cert'])).toBe('/work');
    expect(block.baseDirOf(['address'])).toBe('/conf');
  });

  it('places an error at the key, file:line:col, or names the flag', () => {
    const fromFile = inputErrorOf(() => blockReader(blockContext({ file: FILE }).ctx, 'consul').get(['ssl', 'ca_cert'], refuse));
    expect(fromFile.describe()).toMatch(new RegExp(`^${configPath()}:4:\\d+: consul\\.ssl\\.ca_cert: "certs/ca.pem" is refused`));
    const flags = { blocks: { consul: { address: { flag: '--consul-addr', value: 'x' } } } };
    const fromFlag = inputErrorOf(() => blockReader(blockContext({ file: FILE, flags }).ctx, 'consul').get(['address'], refuse));
    expect(fromFlag.message).toBe('--consul-addr: "x" is refused');
    expect(fromFlag.where).toBeUndefined();
  });

  it('reads nothing from a block the file does not have', () => {
    const block = blockReader(blockContext().ctx, 'consul');
    expect(block.get(['address'], text)).toBeUndefined();
  });
});
