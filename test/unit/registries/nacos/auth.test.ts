import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { dependencyId } from '../../../../src/catalog/types.js';
import { NacosAuthError, NacosLogin } from '../../../../src/registries/nacos/auth.js';
import { NacosHttp } from '../../../../src/registries/nacos/http.js';
import { CONNECTION } from '../../../../src/registries/health.js';
import { waitFor } from '../../../support/ctmpl.js';
import { startFakeNacos, passwordFile, startSource } from '../../../support/nacos/fixture.js';
import { serviceDep } from '../../../support/nacos/sink.js';

const WEB = 'DEFAULT_GROUP@@web';
const web = serviceDep('nacos', 'web');

describe('Nacos login (a scripted fake server)', () => {
  it('renews the token when 90% of its lifetime has passed, and logs in again when it is refused', async () => {
    const fake = await startFakeNacos();
    fake.state.users = new Map([['ctmpl', 's3cret']]);
    fake.state.tokenTtl = 100;
    let now = 0;
    const login = new NacosLogin({ user: 'ctmpl', passwordFile: await passwordFile('s3cret') }, new NacosHttp([fake.http.address], 'nacos', 1000), 5000, () => now);
    const first = await login.accessToken();
    now = 89_000;
    expect(await login.accessToken()).toBe(first);
    now = 91_000;
    const second = await login.accessToken();
    expect(second).not.toBe(first);
    login.invalidate();
    expect(await login.accessToken()).not.toBe(second);
    expect(fake.state.logins).toEqual(['ctmpl', 'ctmpl', 'ctmpl']);
    const form = fake.http.requests.filter((r) => r.path === '/nacos/v1/auth/login');
    expect(form.every((r) => !r.query.has('password'))).toBe(true);
  });

  it('names the user when the login is refused, asks again only after a pause, and never reveals the password', async () => {
    const fake = await startFakeNacos();
    fake.state.users = new Map([['ctmpl', 'right']]);
    let now = 0;
    const login = new NacosLogin({ user: 'ctmpl', passwordFile: await passwordFile('wrong-password') }, new NacosHttp([fake.http.address], 'nacos', 1000), 5000, () => now);
    const err = await login.accessToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NacosAuthError);
    expect((err as Error).message).toBe('Nacos refused the login of user "ctmpl" (HTTP 403 from /nacos/v1/auth/login: unknown user!); check the user and the password in password_file');
    await expect(login.accessToken()).rejects.toThrow(/user "ctmpl"/);
    expect(fake.state.logins.length).toBe(1);
    now = 6000;
    await expect(login.accessToken()).rejects.toThrow(NacosAuthError);
    expect(fake.state.logins.length).toBe(2);
  });

  it('says which file when the password file cannot be read', async () => {
    const fake = await startFakeNacos();
    const login = new NacosLogin({ user: 'ctmpl', passwordFile: '/nonexistent/nacos.pw' }, new NacosHttp([fake.http.address], 'nacos', 1000));
    await expect(login.accessToken()).rejects.toThrow('cannot log in as Nacos user "ctmpl": /nonexistent/nacos.pw: cannot read the Nacos password file (ENOENT)');
  });

  it('gRPC: sends the token with each request; a refused login is a connection problem naming the user, never an empty service', async () => {
    const fake = await startFakeNacos();
    fake.state.users = new Map([['ctmpl', 'right']]);
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    const file = await passwordFile('wrong');
    const { source, sink } = await startSource(`//ctmpl@${fake.uri('transport=grpc').slice(2)}&password_file=${file}`);
    source.watch(web);
    await sink.errorContaining('Nacos refused the login of user "ctmpl"');
    expect(source.health.affects(CONNECTION)).toBe(true);
    expect(sink.latest(web)).toBeUndefined();
    expect(sink.errors.join('\n')).not.toContain('wrong');

    await writeFile(file, 'right\n');
    await sink.instances(web, (i) => i.length === 1, 'the answer after the password was fixed');
    expect(source.health.failing).toBe(false);

    // The server forgets its tokens (a restart): the next subscribe is refused, ctmpl logs in again.
    fake.state.tokens.clear();
    fake.grpc.dropStreams();
    await waitFor(() => fake.state.logins.filter((u) => u === 'ctmpl').length >= 3 && fake.state.tokens.size === 1 && !source.health.failing, { what: 'a new login' });
    fake.state.set(WEB, [{ ip: '10.0.0.2', port: 80 }]);
    await sink.instances(web, (i) => i[0]?.Address === '10.0.0.2', 'a push after the new login');
  });

  it('HTTP: sends the token in the accessToken header, never in the URL, and logs in again after a 403', async () => {
    const fake = await startFakeNacos();
    fake.state.users = new Map([['ctmpl', 'right']]);
    fake.state.set(WEB, [{ ip: '10.0.0.1', port: 80 }]);
    const { source, sink } = await startSource(`//ctmpl@${fake.uri('transport=http').slice(2)}&password_file=${await passwordFile('right')}`);
    source.watch(web);
    await sink.instances(web, (i) => i.length === 1, 'the first poll');
    const list = fake.http.requests.filter((r) => r.path === '/nacos/v1/ns/instance/list');
    expect(list[0]?.accessToken).toMatch(/^token-1-ctmpl$/);
    expect(list.every((r) => !r.query.has('accessToken'))).toBe(true);

    fake.state.tokens.clear();
    await sink.errorContaining('HTTP 403');
    expect(source.health.affects(dependencyId(web))).toBe(true);
    fake.state.set(WEB, [{ ip: '10.0.0.2', port: 80 }]);
    await sink.instances(web, (i) => i[0]?.Address === '10.0.0.2', 'the poll after a new login');
    expect(fake.state.logins.length).toBe(2);
  });
});
