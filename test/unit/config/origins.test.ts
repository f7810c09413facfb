import { describe, expect, it } from 'vitest';
import { parseDataText } from '../../../src/config/data-file.js';
import { keyName, named, SettingOrigins } from '../../../src/config/origins.js';
import { InputError } from '../../../src/errors.js';
import { inputErrorOf } from '../../support/input-error.js';

const FILE = parseDataText('/c.yaml', 'wait: soon\ntemplates:\n  - source: a.hbs\n    wait: later\n');
const refuse = (message: string) => (name: string): never => {
  throw new InputError(`${name}: ${message}`, undefined, 'the hint');
};

describe('keyName', () => {
  it('writes a key path as operators read it', () => {
    expect(keyName(['templates', 0, 'wait'])).toBe('templates[0].wait');
    expect(keyName(['consul', 'ssl', 'ca_cert'])).toBe('consul.ssl.ca_cert');
    expect(keyName(['sources', 2])).toBe('sources[2]');
  });
});

describe('SettingOrigins', () => {
  it("places a key's error at the key, file:line:col, keeping its hint", () => {
    const err = inputErrorOf(() => new SettingOrigins(FILE).key(['templates', 0, 'wait'], refuse('"later" is not a duration')));
    expect(err.describe()).toBe('/c.yaml:4:11: templates[0].wait: "later" is not a duration\n  hint: the hint');
  });

  it('gives the value of a check that passes', () => {
    expect(new SettingOrigins(FILE).key(['wait'], (name) => `${name} ok`)).toBe('wait ok');
  });

  it('leaves an error that is not an input error as it is', () => {
    const bug = new TypeError('a bug');
    expect(() => new SettingOrigins(FILE).key(['wait'], () => { throw bug; })).toThrow(bug);
  });

  it('picks the flag over the file, naming whichever gave the value', () => {
    const at = new SettingOrigins(FILE);
    const parse = (value: string, name: string): string => `${name}=${value}`;
    expect(at.pick('1s', '--wait', 'soon', ['wait'], parse)).toBe('--wait=1s');
    expect(at.pick(undefined, '--wait', 'soon', ['wait'], parse)).toBe('wait=soon');
    expect(at.pick(undefined, '--wait', undefined, ['wait'], parse)).toBeUndefined();
    expect(inputErrorOf(() => at.pick('x', '--wait', 'soon', ['wait'], (v) => refuse(`"${v}" is bad`)('--wait'))).describe()).toBe('--wait: "x" is bad\n  hint: the hint');
    expect(inputErrorOf(() => at.pick(undefined, '--wait', 'soon', ['wait'], (v, name) => refuse(`"${v}" is bad`)(name))).where).toBe('/c.yaml:1:7');
  });

  it('runs a later check against its origin: a flag as typed, or a key at its position', async () => {
    const at = new SettingOrigins(FILE);
    const missing = (name: string): Promise<void> => Promise.reject(new InputError(`${name}: the file does not exist`));
    await expect(at.later('--template "a:b"', missing)()).rejects.toThrow('--template "a:b": the file does not exist');
    const fromKey = await at.later(['templates', 0, 'source'], missing)().catch((e: unknown) => e);
    expect((fromKey as InputError).describe()).toBe('/c.yaml:3:13: templates[0].source: the file does not exist');
  });

  it('without a file, names the key but gives no position', () => {
    const err = inputErrorOf(() => new SettingOrigins(undefined).key(['wait'], refuse('bad')));
    expect(err.describe()).toBe('wait: bad\n  hint: the hint');
  });
});

describe('named', () => {
  it('makes an input error lead with the flag, unless it already does', () => {
    expect(inputErrorOf(() => named('--flap', () => { throw new InputError('"x" is not N/WINDOW'); })).message).toBe('--flap: "x" is not N/WINDOW');
    expect(inputErrorOf(() => named('--flap', () => { throw new InputError('--flap: already named'); })).message).toBe('--flap: already named');
  });
});
