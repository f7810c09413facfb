import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eurekaRegistry } from '../../../../src/registries/eureka/index.js';
import { inputErrorOf } from '../../../support/input-error.js';

const parse = (uri: string, baseDir = '/etc/ctmpl') => {
  const [, scheme = '', rest = ''] = /^([^:]+):(.*)$/s.exec(uri) ?? [];
  return eurekaRegistry.parse({ scheme, rest }, { baseDir, what: '--source', env: {}, shared: undefined });
};

describe('the Eureka registry definition', () => {
  it('answers services and lists them; no keys, no nodes; names may hold dots', () => {
    expect(eurekaRegistry.schemes).toEqual(['eureka', 'eureka+http', 'eureka+https']);
    expect(eurekaRegistry.capabilities).toEqual({ services: true, listing: true, keys: false, dottedNames: true, queryOptions: [], nodes: false });
  });

  it('checks the password file at load (a secret is read, so an empty one is refused) and the CA file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctmpl-eureka-'));
    writeFileSync(join(dir, 'empty.pw'), '');
    const checks = eurekaRegistry.files?.(parse('eureka+https://ctmpl@h1:8443?password_file=empty.pw&ca_file=ca.pem', dir)) ?? [];
    expect(checks.map((c) => c.kind)).toEqual(['secret', 'file']);
    const secret = checks[0];
    if (secret?.kind !== 'secret') throw new Error('no secret check');
    expect(inputErrorOf(() => secret.read()).message).toMatch(/Eureka password file is empty/);
    expect(checks[1]).toEqual({ kind: 'file', path: join(dir, 'ca.pem'), describe: 'the Eureka CA certificate' });
    expect(eurekaRegistry.files?.(parse('eureka://h1'))).toEqual([]);
  });

  it('builds a source described without credentials', async () => {
    const settings = parse('eureka://ctmpl@h1,h2:9000?password_file=x.pw');
    expect(eurekaRegistry.describe(settings)).toBe('eureka://ctmpl@h1:8761,h2:9000/eureka');
    const source = await eurekaRegistry.create('eu', settings, { watch: true });
    expect(source).toMatchObject({ name: 'eu', description: 'eureka://ctmpl@h1:8761,h2:9000/eureka', live: true });
    await source.stop();
  });
});
