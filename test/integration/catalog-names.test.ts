/**
 * Names from the catalog cannot poison a file (issue 17; docs/security.md). Against a real Consul:
 * - services named `x.`, `v1.api` (next to `api` with a `v1` tag), `a b`, `x|y` and
 *   `api.v1.internal` render in every template — the shipped ones, `(service this)`, and a
 *   consul-template style one that passes the name as a string — and every template keeps
 *   updating afterwards; `v1.api` renders its own instances, never api's v1-tagged ones;
 * - instances whose `{{Node}}_{{ID}}` collide (node a_b/ID c, node a/ID b_c) and services whose
 *   names meet under a naive escape get distinct haproxy names: the real `haproxy -c` accepts
 *   both shipped haproxy templates;
 * - an address of `999.1.1.1` is refused and logged, and the rest renders (Consul and etcd).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { parseFileSd, parseHaproxyBackends } from '../support/catalog.js';
import { HAPROXY, haproxyCheck, nginxCheck } from '../support/checkers.js';
import { LEVEL, readIfExists, type Daemon } from '../support/ctmpl.js';
import { registerCatalog, startConsul, type CatalogRegistration } from '../support/consul.js';
import { startEtcd } from '../support/etcd.js';
import { errorsLogged, refusalLogged, SHIPPED_FILE_SD, SHIPPED_HAPROXY, SHIPPED_HAPROXY_RUNTIME, SHIPPED_NGINX, upstreamsOf, upstreamsWhen, watchShipped } from '../support/hostile-daemon.js';
import { freePort } from '../support/ports.js';
import { CHANGE_MS } from '../support/registry-job.js';
import { configNameOf } from '../support/hostile-rules.js';
import { tempDir } from '../support/tmp.js';

let nodes = 0;
/** One instance on its own node (Consul compares node names and IDs ignoring case). */
const at = (service: string, address: string, fields: Partial<CatalogRegistration> = {}): CatalogRegistration => {
  nodes += 1;
  return { node: `node-${nodes}`, nodeAddress: address, id: `i-${nodes}`, service, address, port: 8080, ...fields };
};

/** Waits until `path` satisfies `ok`; the failure shows what it held last. */
async function fileWhen(daemon: Daemon, path: string, ok: (text: string) => boolean, what: string): Promise<string> {
  let last: string | undefined;
  try {
    return await daemon.waitFor(async () => ((last = await readIfExists(path)) !== undefined && ok(last) ? last : undefined), { timeoutMs: CHANGE_MS, intervalMs: 25, what });
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- ${path} ---\n${last ?? '(no file)'}`);
  }
}

async function expectProxiesAccept(nginxFile: string, haproxyFile: string): Promise<void> {
  const [nginx, haproxy] = await Promise.all([nginxCheck(nginxFile), haproxyCheck(haproxyFile)]);
  expect(nginx.ok, `nginx -t:\n${nginx.output}\n${await readFile(nginxFile, 'utf8')}`).toBe(true);
  expect(haproxy.ok, `haproxy -c:\n${haproxy.output}\n${await readFile(haproxyFile, 'utf8')}`).toBe(true);
}

describe('service names that look like query syntax', () => {
  test('x., v1.api, a b, x|y and api.v1.internal render in every template, each with its own instances, and every template keeps updating', async () => {
    const agent = await startConsul();
    await registerCatalog(agent, [
      at('api', '10.0.1.1', { tags: ['v1'] }),
      at('api', '10.0.1.2', { tags: ['v2'] }),
      at('v1.api', '10.0.2.1'),
      at('x.', '10.0.3.1'),
      at('a b', '10.0.4.1'),
      at('x|y', '10.0.5.1'),
      at('api.v1.internal', '10.0.6.1'),
    ]);
    const dir = await tempDir();
    const stringForm = join(dir, 'string-form.hbs');
    const literal = join(dir, 'literal.hbs');
    // consul-template style: the name as a string; and names written into a template by hand.
    await writeFile(stringForm, '{{#each (services)}}{{Name}}={{#each (service Name)}}{{Address}} {{/each}}\n{{/each}}');
    await writeFile(
      literal,
      'v1.api={{#each (service "v1.api")}}{{Address}} {{/each}}\n' +
        'v1 of api={{#each (service "api" tag="v1")}}{{Address}} {{/each}}\n' +
        // Not a listed name: consul-template's syntax, tag v2 of api.
        'v2.api={{#each (service "v2.api")}}{{Address}} {{/each}}\n' +
        'x.={{#each (service "x.")}}{{Address}}{{/each}}\n',
    );
    const out = { nginx: join(dir, 'out', 'upstreams.conf'), haproxy: join(dir, 'out', 'backends.cfg'), fileSd: join(dir, 'out', 'targets.json'), stringForm: join(dir, 'out', 'string-form.txt'), literal: join(dir, 'out', 'literal.txt') };
    const daemon = watchShipped(['--consul-addr', agent.address], [[SHIPPED_NGINX, out.nginx], [SHIPPED_HAPROXY, out.haproxy], [SHIPPED_FILE_SD, out.fileSd], [stringForm, out.stringForm], [literal, out.literal]], dir);

    const upstreams = await upstreamsWhen(daemon, out.nginx, (u) => u.has('v1.api') && u.has('x.') && u.has('ctmpl--a_20b') && u.has('ctmpl--x_7cy') && u.has('api.v1.internal'), 'an upstream for every odd name');
    // A template also asks for api's v1-tagged instances: the two queries must stay apart.
    expect.soft(upstreams.get('v1.api')?.servers, 'v1.api’s own instance, not api’s v1-tagged one').toEqual(['10.0.2.1:8080']);
    expect(upstreams.get('api')?.servers).toEqual(['10.0.1.1:8080', '10.0.1.2:8080']);
    expect(upstreams.get('x.')?.servers).toEqual(['10.0.3.1:8080']);
    expect(upstreams.get('ctmpl--a_20b')?.servers).toEqual(['10.0.4.1:8080']);
    expect(upstreams.get('ctmpl--x_7cy')?.servers).toEqual(['10.0.5.1:8080']);
    expect(upstreams.get('api.v1.internal')?.servers).toEqual(['10.0.6.1:8080']);
    const lines = await fileWhen(daemon, out.stringForm, (t) => t.includes('x|y='), 'the string-form template');
    expect.soft(lines).toContain('v1.api=10.0.2.1 \n');
    expect(lines).toContain('x.=10.0.3.1 \n');
    expect(lines).toContain('a b=10.0.4.1 \n');
    expect(lines).toContain('x|y=10.0.5.1 \n');
    expect(lines).toContain('api.v1.internal=10.0.6.1 \n');
    expect.soft(await fileWhen(daemon, out.literal, (t) => t.includes('x.='), 'the literal template')).toBe('v1.api=10.0.2.1 \nv1 of api=10.0.1.1 \nv2.api=10.0.1.2 \nx.=10.0.3.1\n');
    const jobs = parseFileSd(await fileWhen(daemon, out.fileSd, (t) => t.includes('"x|y"'), 'file_sd'));
    expect.soft(jobs.get('v1.api')).toEqual(['10.0.2.1:8080']);
    await expectProxiesAccept(out.nginx, out.haproxy);

    // Every template keeps updating: a new instance of another service shows up in each.
    await registerCatalog(agent, [at('late', '10.0.9.1')]);
    await upstreamsWhen(daemon, out.nginx, (u) => u.get('late')?.servers[0] === '10.0.9.1:8080', 'upstream late');
    await fileWhen(daemon, out.haproxy, (t) => parseHaproxyBackends(t).get('late')?.servers[0] === '10.0.9.1:8080', 'backend late');
    await fileWhen(daemon, out.fileSd, (t) => parseFileSd(t).get('late')?.[0] === '10.0.9.1:8080', 'file_sd job late');
    await fileWhen(daemon, out.stringForm, (t) => t.includes('late=10.0.9.1 \n'), 'late in the string-form template');
    await expectProxiesAccept(out.nginx, out.haproxy);
    expect(errorsLogged(daemon).map((l) => l.msg)).toEqual([]);
  });
});

describe('haproxy names never collide', () => {
  /** Names a naive escape would make equal (`a b` → `a_20b`, `a:b` → `a_3ab`). */
  const ODD = ['a b', 'a_20b', 'ctmpl--a_20b', 'a:b', 'a_3ab'];

  test('node a_b / ID c and node a / ID b_c, and services named "a b", "a_20b", "ctmpl--a_20b", "a:b", "a_3ab": both shipped haproxy templates pass the real haproxy -c', async () => {
    const agent = await startConsul();
    await registerCatalog(agent, [
      at('web', '10.0.7.1', { node: 'a_b', id: 'c' }),
      at('web', '10.0.7.2', { node: 'a', id: 'b_c' }),
      ...ODD.map((name, i) => at(name, `10.0.8.${i + 1}`)),
    ]);
    const dir = await tempDir();
    const out = { backend: join(dir, 'out', 'backends.cfg'), runtime: join(dir, 'out', 'haproxy.cfg') };
    const env = { HAPROXY_ADMIN_SOCKET: join(dir, 'admin.sock'), HAPROXY_STATE_FILE: join(dir, 'state'), HAPROXY_BIND: `127.0.0.1:${await freePort()}` };
    const daemon = watchShipped(['--consul-addr', agent.address], [[SHIPPED_HAPROXY, out.backend], [SHIPPED_HAPROXY_RUNTIME, out.runtime]], dir, env);

    const text = await fileWhen(daemon, out.backend, (t) => parseHaproxyBackends(t).size === 7, 'seven backends (web, consul and the five names)');
    const backends = parseHaproxyBackends(text);
    expect(backends.get('web')?.servers).toEqual(['10.0.7.1:8080', '10.0.7.2:8080']);
    expect(new Set(backends.get('web')?.names).size).toBe(2);
    expect([...backends.keys()].sort()).toEqual(['consul', 'web', ...ODD].map((n) => configNameOf(n, 'haproxy')).sort());
    for (const [name, { servers }] of backends) if (name !== 'consul') expect(servers, `servers of backend ${name}`).toHaveLength(name === 'web' ? 2 : 1);
    const check = await haproxyCheck(out.backend, { backends: ['web'] });
    expect(check.ok, `haproxy -c (haproxy-backend.hbs):\n${check.output}\n${text}`).toBe(true);

    const runtime = await fileWhen(daemon, out.runtime, (t) => parseHaproxyBackends(t).size === 7, 'the runtime template');
    const whole = await execa(HAPROXY, ['-c', '-f', out.runtime], { reject: false, all: true });
    expect(whole.exitCode, `haproxy -c (haproxy-runtime.hbs):\n${String(whole.all)}\n${runtime}`).toBe(0);
    expect(errorsLogged(daemon).map((l) => l.msg)).toEqual([]);
  });
});

describe('an address that is not an IP address or a host name', () => {
  test('999.1.1.1 is refused and logged (Consul); the other instances render and nginx -t accepts the file', async () => {
    const agent = await startConsul();
    await registerCatalog(agent, [at('web', '10.0.0.1'), at('web', '999.1.1.1'), at('web', '10.0.0.2')]);
    const dir = await tempDir();
    const out = join(dir, 'out', 'upstreams.conf');
    const daemon = watchShipped(['--consul-addr', agent.address], [[SHIPPED_NGINX, out]], dir);
    await refusalLogged(daemon, /^address "999\.1\.1\.1" is not an IP address or a host name/);
    const upstreams = await upstreamsWhen(daemon, out, (u) => u.get('web')?.servers.length === 2, 'web with its two usable instances');
    expect(upstreams.get('web')?.servers).toEqual(['10.0.0.1:8080', '10.0.0.2:8080']);
    const check = await nginxCheck(out, { upstreams: ['web'] });
    expect(check.ok, check.output).toBe(true);
  });

  test('999.1.1.1 is skipped and logged (etcd); the other instances render', async () => {
    const etcd = await startEtcd();
    await etcd.etcdctl(['put', 'services/web/a', '10.0.0.1:80']);
    await etcd.etcdctl(['put', 'services/web/bad', '999.1.1.1:80']);
    const dir = await tempDir();
    const out = join(dir, 'out', 'upstreams.conf');
    const daemon = watchShipped(['--source', `etcd://${etcd.endpoints}/services`], [[SHIPPED_NGINX, out]], dir);
    const upstreams = await upstreamsWhen(daemon, out, (u) => u.has('web'), 'upstream web');
    expect(upstreams.get('web')?.servers).toEqual(['10.0.0.1:80']);
    await daemon.waitForLog((l) => l.level >= LEVEL.warn && /skipping instance services\/web\/bad\b/.test(l.msg), { timeoutMs: CHANGE_MS, what: 'the skipped instance logged' });
    expect(upstreamsOf(await readFile(out, 'utf8')).get('web')?.servers).toEqual(['10.0.0.1:80']);
  });
});
