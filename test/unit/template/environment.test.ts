import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { templateEnvironment } from '../../../src/template/environment.js';

describe('templateEnvironment', () => {
  it('withholds credentials from templates unless they are allowed by name', () => {
    const env = { REGION: 'eu', CONSUL_HTTP_TOKEN: 't', DB_PASSWORD: 'p', GITHUB_TOKEN: 'g', HOME: '/root' };
    expect(templateEnvironment(env, undefined)).toEqual({ REGION: 'eu', HOME: '/root' });
    expect(templateEnvironment(env, ['REGION', 'DB_PASSWORD'])).toEqual({ REGION: 'eu', DB_PASSWORD: 'p' });
  });

  const CREDENTIAL_WORDS = ['TOKEN', 'SECRET', 'PASSWORD', 'PASSWD', 'API_KEY', 'PRIVATE_KEY', 'CREDENTIAL'];

  it('withholds every variable that looks like a credential, whatever its case and position, unless allowed by name', () => {
    const credentialName = fc
      .tuple(fc.stringMatching(/^[A-Za-z_]{0,6}$/), fc.constantFrom(...CREDENTIAL_WORDS), fc.stringMatching(/^[A-Za-z_]{0,6}$/), fc.boolean())
      .map(([a, word, b, lower]) => (lower ? `${a}${word}${b}`.toLowerCase() : `${a}${word}${b}`));
    fc.assert(
      fc.property(credentialName, (name) => {
        const env = { [name]: 'value', REGION: 'eu' };
        expect(templateEnvironment(env, undefined)).toEqual({ REGION: 'eu' });
        expect(templateEnvironment(env, [name])).toEqual({ [name]: 'value' });
      }),
      { numRuns: 500 },
    );
    for (const name of ['CONSUL_HTTP_TOKEN', 'CONSUL_HTTP_AUTH']) expect(templateEnvironment({ [name]: 'x' }, undefined), name).toEqual({});
  });
});
