import { describe, expect, it } from 'vitest';
import { templateEnvironment } from '../../../src/template/environment.js';

describe('templateEnvironment', () => {
  it('withholds credentials from templates unless they are allowed by name', () => {
    const env = { REGION: 'eu', CONSUL_HTTP_TOKEN: 't', DB_PASSWORD: 'p', GITHUB_TOKEN: 'g', HOME: '/root' };
    expect(templateEnvironment(env, undefined)).toEqual({ REGION: 'eu', HOME: '/root' });
    expect(templateEnvironment(env, ['REGION', 'DB_PASSWORD'])).toEqual({ REGION: 'eu', DB_PASSWORD: 'p' });
  });
});
