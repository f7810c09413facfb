import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { connectedPorts, startEtcd, type EtcdCluster } from '../support/etcd.js';
import { CHANGE_MS, errorsMatching, fileBecomes, freeze, holdsFor, infosMatching, INSTANCES, newJob, watchSources } from '../support/registry-job.js';
import { readIfExists } from '../support/ctmpl.js';

/**
 * ctmpl against a real etcd (Debian's etcd-server) on free loopback ports; each test starts its
 * own cluster. Instances are registered as operators do, with `etcdctl lease grant` and
 * `etcdctl put --lease`, in the three value shapes the etcd source reads.
 */

/** Registers `key = value` under a new lease of `ttl` seconds; returns the lease ID (hex). */
async function registerWithLease(etcd: EtcdCluster, key: string, value: string, ttl = 60): Promise<string> {
  const granted = await etcd.etcdctl(['lease', 'grant', String(ttl)]);
  const lease = /lease ([0-9a-f]+) granted/.exec(granted)?.[1];
  if (!lease) throw new Error(`etcdctl lease grant printed ${granted}`);
  await etcd.etcdctl(['put', '--lease', lease, key, value]);
  return lease;
}

/**
 * A single-member etcd with web instance `a` registered, and ctmpl watching it (2 s request
 * timeout, for the outage tests) with the first render done.
 */
async function watchingOneInstance() {
  const etcd = await startEtcd();
  const [member] = etcd.members;
  if (!member) throw new Error('no member');
  const job = await newJob(INSTANCES('(service "web")'));
  await etcd.etcdctl(['put', 'services/web/a', '10.0.0.1:80']);
  const daemon = watchSources([`etcd://${etcd.endpoints}/services?timeout=2s`], job);
  await fileBecomes(daemon, job.out, 'a 10.0.0.1:80 etcd\n');
  return { etcd, member, job, daemon };
}

describe('etcd: instances are keys under PREFIX/<service>/<id>, alive while their lease is', () => {
  test('reads the three value shapes, follows registrations and drops an instance when its lease expires or is revoked', async () => {
    const etcd = await startEtcd();
    const job = await newJob(INSTANCES('(service "web")'));
    await registerWithLease(etcd, 'services/web/a', '{"Addr":"10.0.0.1:8080","Metadata":{"zone":"z1"}}');
    const daemon = watchSources([`etcd://${etcd.endpoints}/services`], job);
    await fileBecomes(daemon, job.out, 'a 10.0.0.1:8080 etcd\n');

    const leaseB = await registerWithLease(etcd, 'services/web/b', '{"Address":"10.0.0.2","Port":8081,"Tags":["v2"],"Status":"passing"}');
    await registerWithLease(etcd, 'services/web/c', '10.0.0.3:8082', 2);
    await fileBecomes(daemon, job.out, 'a 10.0.0.1:8080 etcd\nb 10.0.0.2:8081 etcd\nc 10.0.0.3:8082 etcd\n');

    // c's lease (2 s) is never kept alive: it expires and etcd deletes the key.
    await fileBecomes(daemon, job.out, 'a 10.0.0.1:8080 etcd\nb 10.0.0.2:8081 etcd\n');
    await etcd.etcdctl(['lease', 'revoke', leaseB]);
    await fileBecomes(daemon, job.out, 'a 10.0.0.1:8080 etcd\n');
    expect(errorsMatching(daemon, /etcd/)).toEqual([]);
  });

  test('skips (and reports once) a value that is not a valid instance; the others still render', async () => {
    const etcd = await startEtcd();
    const job = await newJob(INSTANCES('(service "web")'));
    await registerWithLease(etcd, 'services/web/good', '10.0.0.1:80');
    await registerWithLease(etcd, 'services/web/bad-port', '{"Address":"10.0.0.2","Port":99999}');
    await registerWithLease(etcd, 'services/web/bad-address', '{"Addr":"not an address:80"}');
    await registerWithLease(etcd, 'services/web/junk', '{"Address":');
    const daemon = watchSources([`etcd://${etcd.endpoints}/services`], job);
    await fileBecomes(daemon, job.out, 'good 10.0.0.1:80 etcd\n');
    await etcd.etcdctl(['put', 'services/web/other', '10.0.0.9:90']);
    await fileBecomes(daemon, job.out, 'good 10.0.0.1:80 etcd\nother 10.0.0.9:90 etcd\n');
    const skipped = errorsMatching(daemon, /skipping instance/).map((l) => l.msg);
    expect(skipped).toHaveLength(3);
    expect(skipped.join('\n')).toMatch(/bad-port.*not a port/);
    expect(skipped.join('\n')).toMatch(/bad-address/);
    expect(skipped.join('\n')).toMatch(/junk.*not valid JSON/);
  });

  test('services lists the service prefixes; key, ls and tree read etcd keys', async () => {
    const etcd = await startEtcd();
    const job = await newJob(
      '{{#each (services)}}{{Name}};{{/each}}\n' +
        'limit={{key "config/web/limit"}}\n' +
        '{{#each (ls "config/web")}}{{Key}}={{Value}};{{/each}}\n' +
        '{{#each (tree "config")}}{{Key}}={{Value}};{{/each}}\n',
    );
    await registerWithLease(etcd, 'services/web/a', '10.0.0.1:80');
    await registerWithLease(etcd, 'services/api/a', '10.0.0.2:80');
    await etcd.etcdctl(['put', 'config/web/limit', '10']);
    await etcd.etcdctl(['put', 'config/web/deep/x', '1']);
    const daemon = watchSources([`etcd://${etcd.endpoints}/services`], job);
    await fileBecomes(daemon, job.out, 'api;web;\nlimit=10\nlimit=10;\nweb/deep/x=1;web/limit=10;\n');
    await etcd.etcdctl(['put', 'config/web/limit', '20']);
    await registerWithLease(etcd, 'services/db/a', '10.0.0.3:5432');
    await fileBecomes(daemon, job.out, 'api;db;web;\nlimit=20\nlimit=20;\nweb/deep/x=1;web/limit=20;\n');
  });

  test('after a compaction of the revision it would resume from, it reads everything again and watches on', async () => {
    const { etcd, member, job, daemon } = await watchingOneInstance();

    // While ctmpl is frozen, etcd restarts (its watch stream breaks), the registry changes and
    // etcd compacts its history past the revision ctmpl's watch would resume from.
    await freeze(daemon.pid, async () => {
      await member.kill();
      await member.start();
      await etcd.etcdctl(['put', 'services/web/b', '10.0.0.2:80']);
      await etcd.etcdctl(['del', 'services/web/a']);
      const status = await etcd.etcdctl(['endpoint', 'status', '-w', 'json']);
      const revision = (JSON.parse(status) as { Status: { header: { revision: number } } }[])[0]?.Status.header.revision;
      await etcd.etcdctl(['compaction', '--physical', String(revision)]);
    });
    await fileBecomes(daemon, job.out, 'b 10.0.0.2:80 etcd\n', 20_000);
    expect(errorsMatching(daemon, /canceled|compact/i).length).toBeGreaterThanOrEqual(1);
    // And it watches again from the new revision.
    await etcd.etcdctl(['put', 'services/web/c', '10.0.0.3:80']);
    await fileBecomes(daemon, job.out, 'b 10.0.0.2:80 etcd\nc 10.0.0.3:80 etcd\n');
  });

  test('keeps the last data while etcd is down, says so once, and catches up when it returns', async () => {
    const { etcd, member, job, daemon } = await watchingOneInstance();
    await member.kill();
    await daemon.waitFor(() => errorsMatching(daemon, /etcd/).length > 0, { timeoutMs: CHANGE_MS, what: 'an etcd error logged' });
    await holdsFor(2000, async () => expect(await readIfExists(job.out)).toBe('a 10.0.0.1:80 etcd\n'));
    expect(errorsMatching(daemon, /lost the connection/).length).toBeLessThanOrEqual(1);
    await member.start();
    await etcd.etcdctl(['put', 'services/web/b', '10.0.0.2:80']);
    await fileBecomes(daemon, job.out, 'a 10.0.0.1:80 etcd\nb 10.0.0.2:80 etcd\n', 30_000);
    await daemon.waitFor(() => infosMatching(daemon, /answers again/).length > 0, { what: 'a recovery logged' });
  });
});

describe('etcd with authentication', () => {
  test('logs in as the URI\'s user with the password file; a wrong password is an error, never an empty service', async () => {
    const etcd = await startEtcd();
    const root = ['--user', 'root:rootpw'];
    await etcd.etcdctl(['user', 'add', 'root', '--new-user-password', 'rootpw']);
    await etcd.etcdctl(['user', 'add', 'ctmpl', '--new-user-password', 'ctmpl-pw']);
    await etcd.etcdctl(['role', 'add', 'reader']);
    await etcd.etcdctl(['role', 'grant-permission', 'reader', 'read', '--prefix=true', 'services/']);
    await etcd.etcdctl(['user', 'grant-role', 'ctmpl', 'reader']);
    await etcd.etcdctl(['auth', 'enable']);
    await etcd.etcdctl([...root, 'put', 'services/web/a', '10.0.0.1:80']);

    const job = await newJob(INSTANCES('(service "web")'));
    await writeFile(join(job.dir, 'good.pw'), 'ctmpl-pw\n');
    await writeFile(join(job.dir, 'bad.pw'), 'wrong\n');
    const daemon = watchSources([`etcd://ctmpl@${etcd.endpoints}/services?password_file=good.pw`], job);
    await fileBecomes(daemon, job.out, 'a 10.0.0.1:80 etcd\n');
    await etcd.etcdctl([...root, 'put', 'services/web/b', '10.0.0.2:80']);
    await fileBecomes(daemon, job.out, 'a 10.0.0.1:80 etcd\nb 10.0.0.2:80 etcd\n');
    expect(daemon.stdout() + daemon.stderr()).not.toContain('ctmpl-pw');

    const badJob = await newJob(INSTANCES('(service "web")'));
    const refused = watchSources([`etcd://ctmpl@${etcd.endpoints}/services?password_file=${join(job.dir, 'bad.pw')}&timeout=1s`], badJob);
    await refused.waitFor(() => errorsMatching(refused, /etcd/).length > 0, { timeoutMs: CHANGE_MS, what: 'the login failure logged' });
    expect(await readIfExists(badJob.out)).toBeUndefined();
  });
});

describe('etcd cluster of three members', () => {
  test('when the member ctmpl is connected to is killed, changes keep flowing through the others', async () => {
    const etcd = await startEtcd(3);
    const job = await newJob(INSTANCES('(service "web")'));
    await etcd.etcdctl(['put', 'services/web/a', '10.0.0.1:80']);
    const daemon = watchSources([`etcd://${etcd.endpoints}/services?timeout=2s`], job);
    await fileBecomes(daemon, job.out, 'a 10.0.0.1:80 etcd\n');

    const connected = await daemon.waitFor(() => etcd.members.find((m) => connectedPorts(daemon.pid).has(m.clientPort)), { what: 'ctmpl connected to a member' });
    await connected.kill();
    const others = etcd.members.filter((m) => m !== connected);
    await etcd.etcdctl(['put', 'services/web/b', '10.0.0.2:80'], others);
    await fileBecomes(daemon, job.out, 'a 10.0.0.1:80 etcd\nb 10.0.0.2:80 etcd\n', 20_000);
    await etcd.etcdctl(['del', 'services/web/a'], others);
    await fileBecomes(daemon, job.out, 'b 10.0.0.2:80 etcd\n');
    expect(connectedPorts(daemon.pid).has(connected.clientPort)).toBe(false);
  });
});
