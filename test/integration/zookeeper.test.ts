import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readIfExists } from '../support/ctmpl.js';
import { freePort } from '../support/ports.js';
import { curatorInstance, digestId, dubboProvider, startZooKeeper } from '../support/zookeeper.js';
import { CHANGE_MS, errorsMatching, fileBecomes, freeze, holdsFor, infosMatching, INSTANCES, newJob, watchSources } from '../support/registry-job.js';

/**
 * ctmpl against a real ZooKeeper (Debian's package, Java) on a free loopback port. Instances are
 * registered as Curator and Dubbo do it: ephemeral nodes of the registering process's session,
 * so they vanish when that session ends.
 */

describe('ZooKeeper, Curator layout: /ROOT/<service>/<id> holding Curator JSON', () => {
  test('follows ephemeral registrations, data changes, and drops the instances of a closed session', async () => {
    const zk = await startZooKeeper();
    const app1 = await zk.session();
    const app2 = await zk.session();
    await app1.create('/services/web/id-1', curatorInstance('web', 'id-1', '10.0.0.1', 8080, { zone: 'z1' }), 'ephemeral');
    const job = await newJob(INSTANCES('(service "web")') + '{{#each (service "web")}}{{Meta.zone}};{{/each}}\n');
    const daemon = watchSources([`zk://${zk.address}/services`], job);
    await fileBecomes(daemon, job.out, 'id-1 10.0.0.1:8080 zk\nz1;\n');

    await app2.create('/services/web/id-2', curatorInstance('web', 'id-2', '10.0.0.2', 8081, { zone: 'z2' }), 'ephemeral');
    await fileBecomes(daemon, job.out, 'id-1 10.0.0.1:8080 zk\nid-2 10.0.0.2:8081 zk\nz1;z2;\n');
    await app2.setData('/services/web/id-2', curatorInstance('web', 'id-2', '10.0.0.2', 9090, { zone: 'z3' }));
    await fileBecomes(daemon, job.out, 'id-1 10.0.0.1:8080 zk\nid-2 10.0.0.2:9090 zk\nz1;z3;\n');

    // The registering process goes away: its session closes and ZooKeeper deletes its nodes.
    app1.close();
    await fileBecomes(daemon, job.out, 'id-2 10.0.0.2:9090 zk\nz3;\n');
    expect(errorsMatching(daemon, /zookeeper/i)).toEqual([]);
  });

  test('lists services, skips (and reports once) a node that is not a valid instance', async () => {
    const zk = await startZooKeeper();
    const app = await zk.session();
    await app.create('/services/web/ok', curatorInstance('web', 'ok', '10.0.0.1', 80), 'ephemeral');
    await app.create('/services/web/bad', curatorInstance('web', 'bad', '10.0.0.2', 0), 'ephemeral');
    await app.create('/services/web/junk', 'not json', 'ephemeral');
    await app.create('/services/api/a', curatorInstance('api', 'a', 'api.internal', 81), 'ephemeral');
    const job = await newJob('{{#each (services)}}{{Name}};{{/each}}\n' + INSTANCES('(service "web")') + INSTANCES('(service "api")'));
    const daemon = watchSources([`zk://${zk.address}/services`], job);
    await fileBecomes(daemon, job.out, 'api;web;\nok 10.0.0.1:80 zk\na api.internal:81 zk\n');
    await app.create('/services/db/a', curatorInstance('db', 'a', '10.0.0.5', 5432), 'ephemeral');
    await fileBecomes(daemon, job.out, 'api;db;web;\nok 10.0.0.1:80 zk\na api.internal:81 zk\n');
    const skipped = errorsMatching(daemon, /skipping instance/).map((l) => l.msg);
    expect(skipped).toHaveLength(2);
    expect(skipped.join('\n')).toMatch(/web\/bad: port 0 is not a port/);
    expect(skipped.join('\n')).toMatch(/web\/junk: the node data is not JSON/);
  });
});

describe('ZooKeeper, Dubbo layout: /dubbo/<interface>/providers/<URL-encoded provider URL>', () => {
  test('reads providers with their URL parameters; a disabled provider is in maintenance', async () => {
    const zk = await startZooKeeper();
    const app = await zk.session();
    const iface = 'com.example.Greeter';
    await app.create(`/dubbo/${iface}/providers/${dubboProvider(iface, '10.0.0.1:20880', { version: '1.0.0' })}`, '', 'ephemeral');
    await app.create(`/dubbo/${iface}/consumers/x`, '', 'ephemeral');
    const job = await newJob(`{{#each (service "${iface}" status="any")}}{{ID}} {{Meta.version}} {{Status}} {{Tags}}\n{{/each}}`);
    const daemon = watchSources([`registry=zk://${zk.address}/dubbo`], job);
    await fileBecomes(daemon, job.out, '10.0.0.1:20880 1.0.0 passing dubbo\n');
    const second = dubboProvider(iface, '10.0.0.2:20880', { version: '1.0.1', enabled: 'false' });
    await app.create(`/dubbo/${iface}/providers/${second}`, '', 'ephemeral');
    await fileBecomes(daemon, job.out, '10.0.0.1:20880 1.0.0 passing dubbo\n10.0.0.2:20880 1.0.1 maintenance dubbo\n');
    await app.remove(`/dubbo/${iface}/providers/${second}`);
    await fileBecomes(daemon, job.out, '10.0.0.1:20880 1.0.0 passing dubbo\n');
  });
});

describe('ZooKeeper session expiry', () => {
  test('a session that expires is replaced: everything is read again, the last data stays meanwhile, watches work after', async () => {
    const zk = await startZooKeeper();
    const app = await zk.session();
    await app.create('/services/web/a', curatorInstance('web', 'a', '10.0.0.1', 80), 'ephemeral');
    const job = await newJob(INSTANCES('(service "web")'));
    const daemon = watchSources([`zk://${zk.address}/services?session_timeout=1s`], job);
    await fileBecomes(daemon, job.out, 'a 10.0.0.1:80 zk\n');

    // ctmpl is frozen for 3 s: the server expires its 1 s session; the registry changes meanwhile.
    await freeze(daemon.pid, async () => {
      await app.create('/services/web/b', curatorInstance('web', 'b', '10.0.0.2', 80), 'ephemeral');
      await new Promise((resolve) => setTimeout(resolve, 3000));
    });
    await fileBecomes(daemon, job.out, 'a 10.0.0.1:80 zk\nb 10.0.0.2:80 zk\n');
    await daemon.waitFor(() => errorsMatching(daemon, /session expired/).length === 1, { what: 'the expiry reported once' });
    await daemon.waitFor(() => infosMatching(daemon, /answers again/).length > 0, { what: 'the recovery reported' });
    // The watches of the new session fire.
    await app.remove('/services/web/a');
    await fileBecomes(daemon, job.out, 'b 10.0.0.2:80 zk\n');
  });
});

describe('ZooKeeper with digest authentication', () => {
  test('reads nodes under a digest ACL as the URI\'s user with its password file; a wrong password is an authorisation error, never an empty service', async () => {
    const zk = await startZooKeeper();
    const password = 'zk-Pa55-for-ctmpl';
    const wrong = 'not-the-zk-Pa55';
    const onlyCtmpl = digestId('ctmpl', password);
    // The registering application holds the credentials too; its nodes (and the parents it
    // creates) grant everything to ctmpl's digest identity and nothing to anyone else.
    const app = await zk.session({ user: 'ctmpl', password });
    await app.create('/services/web/a', curatorInstance('web', 'a', '10.0.0.1', 80), 'ephemeral', onlyCtmpl);
    const anonymous = await zk.session();
    await expect(anonymous.children('/services/web')).rejects.toThrow(/not authorised to read \/services\/web/);

    const job = await newJob(INSTANCES('(service "web")'));
    await writeFile(join(job.dir, 'good.pw'), `${password}\n`);
    await writeFile(join(job.dir, 'bad.pw'), `${wrong}\n`);
    const daemon = watchSources([`zk://ctmpl@${zk.address}/services?password_file=good.pw`], job, ['--log-level', 'debug']);
    await fileBecomes(daemon, job.out, 'a 10.0.0.1:80 zk\n');
    await app.create('/services/web/b', curatorInstance('web', 'b', '10.0.0.2', 81), 'ephemeral', onlyCtmpl);
    await fileBecomes(daemon, job.out, 'a 10.0.0.1:80 zk\nb 10.0.0.2:81 zk\n');
    expect(errorsMatching(daemon, /zookeeper/i)).toEqual([]);
    expect(daemon.logs().find((l) => l.msg === 'source started')).toMatchObject({ uri: `zk://ctmpl@${zk.address}/services` });

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const badJob = await newJob(INSTANCES('(service "web")'));
    const refused = watchSources([`zk://ctmpl@${zk.address}/services?password_file=${join(job.dir, 'bad.pw')}`], badJob, ['--listen', `127.0.0.1:${port}`, '--health-failing-after', '0s', '--log-level', 'debug']);
    const noAuth = /not authorised to read \/services\/web: check the user and password_file of the ZooKeeper source/;
    await refused.waitFor(() => errorsMatching(refused, noAuth).length > 0, { timeoutMs: CHANGE_MS, what: 'the authorisation error logged' });
    await refused.waitFor(async () => (await fetch(`${base}/healthz`)).status === 503, { what: '/healthz to turn 503' });
    const health = await (await fetch(`${base}/healthz`)).text();
    expect(health).toMatch(/source zk has been failing/);
    // The refused read is retried every second: still no file, and the error logged only once.
    await holdsFor(2500, async () => {
      expect(await readIfExists(badJob.out)).toBeUndefined();
      expect(errorsMatching(refused, noAuth)).toHaveLength(1);
    });
    const surfaces = [health, await (await fetch(`${base}/status`)).text(), await (await fetch(`${base}/metrics`)).text()];
    for (const text of [...surfaces, refused.stdout(), refused.stderr(), daemon.stdout(), daemon.stderr()]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(wrong);
    }

    // The password file is read for each new session: fixed and reloaded, the same daemon renders.
    await writeFile(join(job.dir, 'bad.pw'), `${password}\n`);
    refused.signal('SIGHUP');
    await fileBecomes(refused, badJob.out, 'a 10.0.0.1:80 zk\nb 10.0.0.2:81 zk\n');
    await refused.waitFor(async () => (await fetch(`${base}/healthz`)).status === 200, { what: '/healthz to recover' });
    expect(refused.stdout() + refused.stderr()).not.toContain(password);
  });
});
