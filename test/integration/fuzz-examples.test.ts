/**
 * What the fuzz (fuzz.test.ts) found or leaves out, pinned as readable cases: each goes through
 * the SHIPPED templates with the built CLI and the real `nginx -t` and `haproxy -c` (hostile-run.ts).
 * Where the oracle (docs/security.md) says exactly what is shown, the outputs must hold exactly
 * that; for values the rules keep but a proxy cannot use (port 0, words over nginx's 4 KiB), the
 * outputs must still be accepted by the proxies: the template decides how.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseFileSd } from '../support/catalog.js';
import { haproxyCheck, nginxCheck } from '../support/checkers.js';
import { NO_CONSUL_ENV, runCtmpl } from '../support/ctmpl.js';
import { expectedFromConsul, expectedFromFile, type ConsulCatalogSpec, type ConsulInstanceSpec, type FileCatalogSpec, type FileInstanceSpec } from '../support/hostile.js';
import { consulCase, expectRunOk, fileCase, newStats, outputsIn, templateArgs } from '../support/hostile-run.js';
import { tempDir } from '../support/tmp.js';

const TRAEFIK = 'traefik.http.routers.app.rule=Host(`app.example.com`)';
const FABIO = 'urlprefix-/app strip=/app';

const consulInstance = (fields: Partial<ConsulInstanceSpec> & { id: string; address: string }): ConsulInstanceSpec => ({
  service: 'web',
  node: `node-${fields.id}`,
  serviceAddress: { value: fields.address, valid: true },
  nodeAddress: { value: fields.address, valid: true },
  port: { value: 8080, valid: true },
  tags: [],
  meta: [],
  status: 'passing',
  ...fields,
});

const fileInstance = (address: string, fields: Partial<FileInstanceSpec> = {}): FileInstanceSpec => ({
  id: undefined,
  node: undefined,
  address: { value: address, valid: true },
  port: { value: 8080, valid: true },
  tags: [],
  meta: [],
  status: undefined,
  ...fields,
});

describe('real catalogs render whole: odd tags and names reach every output, escaped where they are used', () => {
  test('Fabio and Traefik tags, and names with spaces, dots, "|", "=", "/", backticks and unicode (file catalog)', async () => {
    const spec: FileCatalogSpec = {
      services: [
        ['a b', [fileInstance('10.0.0.1', { tags: [FABIO, TRAEFIK] })]],
        ['v1.api', [fileInstance('10.0.0.2')]],
        ['api', [fileInstance('10.0.0.3', { tags: ['v1'] })]],
        ['x.', [fileInstance('10.0.0.4')]],
        ['x|y', [fileInstance('10.0.0.5')]],
        ['k=v/(`x`) café 🙂', [fileInstance('10.0.0.6', { tags: ['team=payments (eu)', '漢字'] })]],
      ],
    };
    // v1.api is looked up as itself, not as api's v1-tagged instances.
    expect(expectedFromFile(spec).get('v1.api')).toEqual(['10.0.0.2:8080']);
    await fileCase(spec, newStats());
  });

  test('services named "." and ".." and a service whose only tag is empty (haproxy refuses an empty description) (Consul)', async () => {
    const spec: ConsulCatalogSpec = {
      services: [
        { name: '.', instances: [consulInstance({ id: 'dot-1', service: '.', address: '10.0.0.1', tags: [''] })] },
        { name: '..', instances: [consulInstance({ id: 'dots-1', service: '..', address: '10.0.0.2' })] },
      ],
    };
    expect(expectedFromConsul(spec).get('.')).toEqual(['10.0.0.1:8080']);
    await consulCase(spec, newStats());
  });

  test('a Consul instance keeps rendering when one of its tags or meta entries holds a control character; only that value is left out', async () => {
    const spec: ConsulCatalogSpec = {
      services: [
        {
          name: 'web',
          instances: [
            consulInstance({ id: 'web-1', address: '10.0.0.1', tags: [TRAEFIK, "x'\n    server evil 6.6.6.6:80 check"], meta: [['note', 'line\nbreak']] }),
            consulInstance({ id: 'web-2', address: '10.0.0.2', tags: [FABIO] }),
          ],
        },
      ],
    };
    expect(expectedFromConsul(spec).get('web')).toEqual(['10.0.0.1:8080', '10.0.0.2:8080']);
    await consulCase(spec, newStats());
  });

  test('names whose escapes could meet ("a b", "a_20b", "ctmpl--a_20b", "CTMPL--a_20b", "A b") each get their own upstream and backend', async () => {
    const spec: FileCatalogSpec = {
      services: [
        ['a b', [fileInstance('10.0.0.1')]],
        ['a_20b', [fileInstance('10.0.0.2')]],
        ['ctmpl--a_20b', [fileInstance('10.0.0.3')]],
        ['CTMPL--a_20b', [fileInstance('10.0.0.4')]],
        ['A b', [fileInstance('10.0.0.5')]],
      ],
    };
    // "A b" differs from "a b" only in case: both are new, the one with fewer capitals keeps the name.
    expect([...expectedFromFile(spec).keys()]).not.toContain('A b');
    await fileCase(spec, newStats());
  });
});

describe('instances whose node and ID would collide as haproxy server names', () => {
  test('node a_b / ID c and node a / ID b_c, the same ID on two nodes, and an ID with "@" (Consul)', async () => {
    const spec: ConsulCatalogSpec = {
      services: [
        {
          name: 'web',
          instances: [
            consulInstance({ id: 'c', node: 'a_b', address: '10.0.0.1' }),
            consulInstance({ id: 'b_c', node: 'a', address: '10.0.0.2' }),
            consulInstance({ id: 'web-1', node: 'n1', address: '10.0.0.3' }),
            consulInstance({ id: 'web-1', node: 'n2', address: '10.0.0.4' }),
            consulInstance({ id: 'web@1', node: 'n@1', address: '10.0.0.5' }),
          ],
        },
      ],
    };
    await consulCase(spec, newStats());
  });
});

describe('addresses the rules refuse; the rest of the service still renders', () => {
  test('999.1.1.1, 1.2.3 and fe80::1%eth0 are refused (and logged); the other instances render', async () => {
    const spec: ConsulCatalogSpec = {
      services: [
        {
          name: 'web',
          instances: [
            consulInstance({ id: 'web-1', address: '10.0.0.1' }),
            consulInstance({ id: 'web-2', address: '999.1.1.1', serviceAddress: { value: '999.1.1.1', valid: false } }),
            consulInstance({ id: 'web-3', address: '1.2.3', serviceAddress: { value: '1.2.3', valid: false } }),
            consulInstance({ id: 'web-4', address: 'fe80::1%eth0', serviceAddress: { value: 'fe80::1%eth0', valid: false } }),
          ],
        },
      ],
    };
    expect(expectedFromConsul(spec).get('web')).toEqual(['10.0.0.1:8080']);
    await consulCase(spec, newStats());
  });

  test('an IPv6 address whose trailing "::" stands for one zero group (1:2:3:4:5:6:7::) is written in canonical form', async () => {
    await fileCase({ services: [['web', [fileInstance('1:2:3:4:5:6:7::'), fileInstance('10.0.0.2')]]] }, newStats());
  });
});

/**
 * Values the rules keep that the proxies cannot take as they are: whatever the shipped templates
 * make of them, nginx -t and haproxy -c must accept every output (one registration must never
 * freeze a file).
 */
describe('data the rules keep and the proxies refuse as it is', () => {
  async function renderFileAndCheck(catalog: object): Promise<void> {
    const dir = await tempDir('ctmpl-fuzz-example-');
    const out = outputsIn(dir);
    const path = join(dir, 'catalog.json');
    await writeFile(path, JSON.stringify(catalog));
    expectRunOk(await runCtmpl(['--source', `file:${path}`, ...templateArgs(out), '--once', '--log-format', 'json'], { cwd: dir, env: NO_CONSUL_ENV }));
    const [nginx, haproxy] = await Promise.all([nginxCheck(out.nginx), haproxyCheck(out.haproxy)]);
    expect(nginx.ok, `nginx -t:\n${nginx.output}\n${(await readFile(out.nginx, 'utf8')).slice(0, 2000)}`).toBe(true);
    expect(haproxy.ok, `haproxy -c:\n${haproxy.output}\n${(await readFile(out.haproxy, 'utf8')).slice(0, 2000)}`).toBe(true);
    const fileSd = await readFile(out.fileSd, 'utf8');
    expect(() => parseFileSd(fileSd), fileSd).not.toThrow();
  }

  test('an instance registered without a port (port 0) next to one with a port', async () => {
    await renderFileAndCheck({ services: { web: [{ address: '10.0.0.1', port: 0 }, { address: '10.0.0.2', port: 8080 }] } });
  });

  test('a service name of 5,000 characters (upstream and backend names are shortened to 200; the name must not break a comment either)', async () => {
    await fileCase({ services: [['s'.repeat(5000), [fileInstance('10.0.0.1')]], ['web', [fileInstance('10.0.0.2')]]] }, newStats());
  });

  test('a service whose tags add up to more than 4 KiB (nginx reads at most 4 KiB per word, a comment included)', async () => {
    const tags = Array.from({ length: 60 }, (_, i) => `traefik.http.routers.r${i}.rule=Host(\`app-${i}.example.com\`) && PathPrefix(\`/api/v${i}\`)`);
    await renderFileAndCheck({ services: { web: [{ address: '10.0.0.1', port: 8080, tags }] } });
  });
});
