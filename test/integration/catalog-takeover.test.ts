/**
 * A service name that differs from an existing one only in case never takes it over (issue 17;
 * docs/security.md, "Names that differ only in case"). nginx compares upstream names ignoring
 * case, and Consul looks service names up ignoring case, so `Web` next to `web` must neither
 * replace `web`'s upstream nor add itself to it. Against a real etcd and a real Consul, with the
 * SHIPPED nginx template, the real `nginx -t`, and the removal guard at its defaults: `web` keeps
 * its 5 servers, `Web` is refused and logged, and when `web` loses most of its instances the
 * removal guard holds them as for any service (the newcomer gains nothing).
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { nginxCheck } from '../support/checkers.js';
import { registerCatalog, startConsul, type CatalogRegistration, type ConsulAgent } from '../support/consul.js';
import { startEtcd, type EtcdCluster } from '../support/etcd.js';
import { refusalLogged, refusals, SHIPPED_NGINX, upstreamsWhen, watchShipped, type RenderedUpstream } from '../support/hostile-daemon.js';
import { tempDir } from '../support/tmp.js';

const WEB_SERVERS = ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80', '10.0.0.4:80', '10.0.0.5:80'];
const INTRUDERS = ['10.0.0.66:80', '10.0.0.77:80'];

const allServers = (upstreams: Map<string, RenderedUpstream>): string[] => [...upstreams.values()].flatMap((u) => u.servers);

/** The rendered file passes the real nginx -t, with proxy_pass to `web` (which must be an upstream). */
async function expectNginxAccepts(path: string): Promise<void> {
  const check = await nginxCheck(path, { upstreams: ['web'] });
  expect(check.ok, `nginx -t:\n${check.output}`).toBe(true);
}

/**
 * The steps every registry goes through: `web` renders with 5 servers; the intruders register
 * (`register`), are refused and logged, and after another service (`api`) arrives (so a render
 * has happened since) `web` still has exactly its 5 servers and no intruder is anywhere; then 4
 * of web's 5 instances go at once (`dropFour`) and the removal guard holds 3 of them.
 */
async function takeoverSteps(
  source: readonly string[],
  steps: { register: () => Promise<void>; addApi: () => Promise<void>; dropFour: () => Promise<void>; intruderNames: readonly string[]; caseBlindLookups: boolean },
): Promise<void> {
  const dir = await tempDir();
  const out = join(dir, 'out', 'upstreams.conf');
  const daemon = watchShipped(source, [[SHIPPED_NGINX, out]], dir);
  await upstreamsWhen(daemon, out, (u) => u.get('web')?.servers.length === 5, 'upstream web with its 5 servers');
  await expectNginxAccepts(out);

  await steps.register();
  for (const name of steps.intruderNames) await refusalLogged(daemon, new RegExp(`"${name}" differs from "web", which was there first, only in case`));
  await steps.addApi();
  const after = await upstreamsWhen(daemon, out, (u) => u.has('api'), 'upstream api (a render after the intruders registered)');
  expect(after.get('web')).toEqual({ servers: WEB_SERVERS, held: 0 });
  for (const name of steps.intruderNames) expect(after.has(name), `upstream ${name}`).toBe(false);
  expect(allServers(after).filter((s) => INTRUDERS.includes(s)), 'intruders’ servers anywhere in the file').toEqual([]);
  await expectNginxAccepts(out);

  // The removal guard is not bypassed: 4 of 5 going at once, 1 may go (20 %, at least one).
  await steps.dropFour();
  const held = await upstreamsWhen(daemon, out, (u) => u.get('web')?.servers.length === 4 && u.get('web')?.held === 3, 'web with 4 servers, 3 of them held');
  expect(held.get('web')?.servers.every((s) => WEB_SERVERS.includes(s))).toBe(true);
  for (const name of steps.intruderNames) expect(held.has(name), `upstream ${name} while web is held`).toBe(false);
  expect(allServers(held).filter((s) => INTRUDERS.includes(s))).toEqual([]);
  await expectNginxAccepts(out);
  // In the listing always; in web's own answer where the registry's lookups ignore case (Consul).
  const kinds = new Set(refusals(daemon, /only in case/).map((l) => String(l.kind)));
  expect([...kinds].sort()).toEqual(steps.caseBlindLookups ? ['service', 'services'] : ['services']);
}

describe('a case variant of a service name never takes the service over', () => {
  test('etcd: services/Web/x next to web’s 5 instances leaves upstream web intact, is refused and logged, and nginx -t accepts the file', async () => {
    const etcd: EtcdCluster = await startEtcd();
    for (const [i, server] of WEB_SERVERS.entries()) await etcd.etcdctl(['put', `services/web/w${i + 1}`, server]);
    await takeoverSteps(['--source', `etcd://${etcd.endpoints}/services`], {
      intruderNames: ['Web'],
      caseBlindLookups: false,
      register: async () => {
        await etcd.etcdctl(['put', 'services/Web/x', INTRUDERS[0] as string]);
      },
      addApi: async () => {
        await etcd.etcdctl(['put', 'services/api/a', '10.0.1.1:80']);
      },
      // One request, one revision: keys w2 … w5 (the range [w2, w6)).
      dropFour: async () => {
        await etcd.etcdctl(['del', 'services/web/w2', 'services/web/w6']);
      },
    });
  });

  test('Consul: services named Web and WEB (which Consul returns for web as well) leave upstream web intact, are refused and logged, and nginx -t accepts the file', async () => {
    const agent: ConsulAgent = await startConsul();
    // Consul compares node names and service IDs ignoring case too: each instance gets its own.
    const instance = (service: string, n: number, address: string): CatalogRegistration => ({ node: `node-${address}`, nodeAddress: address, id: `${service.toLowerCase()}-${n}-${address}`, service, address, port: 80 });
    await registerCatalog(agent, WEB_SERVERS.map((s, i) => instance('web', i + 1, s.split(':')[0] as string)));
    await takeoverSteps(['--consul-addr', agent.address], {
      intruderNames: ['Web', 'WEB'],
      caseBlindLookups: true,
      register: async () => {
        await registerCatalog(agent, [instance('Web', 1, '10.0.0.66'), instance('WEB', 1, '10.0.0.77')]);
      },
      addApi: async () => {
        await registerCatalog(agent, [instance('api', 1, '10.0.1.1')]);
      },
      // One transaction: four deregistrations at one index.
      dropFour: async () => {
        await agent.api('PUT', '/v1/txn', [2, 3, 4, 5].map((n) => ({ Service: { Verb: 'delete', Node: `node-10.0.0.${n}`, Service: { ID: `web-${n}-10.0.0.${n}`, Service: 'web' } } })));
      },
    });
  });
});
