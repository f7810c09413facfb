import { describe, expect, test } from 'vitest';
import { startEtcd } from '../support/etcd.js';
import { errorsMatching, fileBecomes, INSTANCES, newJob, watchSources } from '../support/registry-job.js';
import { curatorInstance, startZooKeeper } from '../support/zookeeper.js';

/**
 * Several registries in one template: `--source NAME=URI` repeated. `(service "web")` without
 * `source=` is the union of every source that serves services; `source=` narrows it.
 */

describe('several sources in one template', () => {
  test('(service "web") is the union of etcd and ZooKeeper, deduplicated by Address:Port with Source recorded; source= narrows it', async () => {
    const [etcd, zk] = await Promise.all([startEtcd(), startZooKeeper()]);
    const app = await zk.session();
    await etcd.etcdctl(['put', 'services/web/e1', '10.0.0.1:80']);
    await etcd.etcdctl(['put', 'services/web/shared', '10.0.0.9:80']);
    await app.create('/services/web/z1', curatorInstance('web', 'z1', '10.0.0.2', 80), 'ephemeral');
    await app.create('/services/web/shared', curatorInstance('web', 'shared', '10.0.0.9', 80), 'ephemeral');
    const job = await newJob(`${INSTANCES('(service "web")')}--\n${INSTANCES('(service "web" source="zoo")')}--\n{{#each (services)}}{{Name}};{{/each}}\n`);
    const daemon = watchSources([`reg=etcd://${etcd.endpoints}/services`, `zoo=zk://${zk.address}/services`], job);
    // Sorted by Node (the address here), then ID; the duplicate 10.0.0.9:80 is etcd's (configured first).
    await fileBecomes(daemon, job.out, 'e1 10.0.0.1:80 reg\nz1 10.0.0.2:80 zoo\nshared 10.0.0.9:80 reg\n--\nz1 10.0.0.2:80 zoo\nshared 10.0.0.9:80 zoo\n--\nweb;\n');

    // Each source's changes arrive on their own.
    await app.create('/services/api/z', curatorInstance('api', 'z', '10.0.0.3', 81), 'ephemeral');
    await app.create('/services/web/z2', curatorInstance('web', 'z2', '10.0.0.4', 80), 'ephemeral');
    await fileBecomes(daemon, job.out, 'e1 10.0.0.1:80 reg\nz1 10.0.0.2:80 zoo\nz2 10.0.0.4:80 zoo\nshared 10.0.0.9:80 reg\n--\nz1 10.0.0.2:80 zoo\nz2 10.0.0.4:80 zoo\nshared 10.0.0.9:80 zoo\n--\napi;web;\n');
    // The duplicate leaves etcd: ZooKeeper's copy of it takes its place.
    await etcd.etcdctl(['del', 'services/web/shared']);
    await fileBecomes(daemon, job.out, 'e1 10.0.0.1:80 reg\nz1 10.0.0.2:80 zoo\nz2 10.0.0.4:80 zoo\nshared 10.0.0.9:80 zoo\n--\nz1 10.0.0.2:80 zoo\nz2 10.0.0.4:80 zoo\nshared 10.0.0.9:80 zoo\n--\napi;web;\n');
  });

  test('a source that is down at start does not block the others; its instances join when it is back, and its later outage blocks nothing', async () => {
    const [etcd, zk] = await Promise.all([startEtcd(), startZooKeeper()]);
    const [member] = etcd.members;
    if (!member) throw new Error('no member');
    await etcd.etcdctl(['put', 'services/web/e1', '10.0.0.1:80']);
    await member.kill();
    const app = await zk.session();
    await app.create('/services/web/z1', curatorInstance('web', 'z1', '10.0.0.2', 80), 'ephemeral');
    const job = await newJob(INSTANCES('(service "web")'));
    const daemon = watchSources([`reg=etcd://${etcd.endpoints}/services?timeout=1s`, `zoo=zk://${zk.address}/services`], job);

    // etcd is down: once it is reported failing, the union renders without it.
    await fileBecomes(daemon, job.out, 'z1 10.0.0.2:80 zoo\n');
    expect(errorsMatching(daemon, /etcd/).length).toBeGreaterThanOrEqual(1);
    await app.create('/services/web/z2', curatorInstance('web', 'z2', '10.0.0.3', 80), 'ephemeral');
    await fileBecomes(daemon, job.out, 'z1 10.0.0.2:80 zoo\nz2 10.0.0.3:80 zoo\n');

    // etcd comes back: its instances join the union.
    await member.start();
    await fileBecomes(daemon, job.out, 'e1 10.0.0.1:80 reg\nz1 10.0.0.2:80 zoo\nz2 10.0.0.3:80 zoo\n', 30_000);

    // etcd goes away again: its last data stays, and ZooKeeper's changes still flow.
    await member.kill();
    await app.remove('/services/web/z1');
    await fileBecomes(daemon, job.out, 'e1 10.0.0.1:80 reg\nz2 10.0.0.3:80 zoo\n');
  });
});
