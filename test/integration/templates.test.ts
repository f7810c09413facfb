import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  generateCatalog,
  parseFileSd,
  parseHaproxyBackends,
  parseNginxUpstreams,
  passingByService,
  readCatalog,
  type CatalogData,
} from '../support/catalog.js';
import { haproxyCheck, nginxCheck } from '../support/checkers.js';
import { EXAMPLE_CATALOG, runCtmpl, TEMPLATES } from '../support/ctmpl.js';
import { tempDir } from '../support/tmp.js';

const NGINX_TEMPLATE = join(TEMPLATES, 'nginx-upstream.hbs');
const HAPROXY_TEMPLATE = join(TEMPLATES, 'haproxy-backend.hbs');
const FILE_SD_TEMPLATE = join(TEMPLATES, 'prometheus-file-sd.json.hbs');

interface CatalogCase {
  readonly name: string;
  /** Writes the catalog into `dir` (or points at a shipped one) and says what it holds. */
  prepare(dir: string): Promise<{ path: string; data: CatalogData }>;
}

async function writeCatalog(dir: string, data: CatalogData): Promise<{ path: string; data: CatalogData }> {
  const path = join(dir, 'catalog.yaml');
  await writeFile(path, stringify(data));
  return { path, data };
}

const CASES: CatalogCase[] = [
  {
    name: 'the example catalog (templates/examples/catalog.yaml)',
    prepare: async () => ({ path: EXAMPLE_CATALOG, data: await readCatalog(EXAMPLE_CATALOG) }),
  },
  {
    name: 'a catalog where a service has zero passing instances (all critical)',
    prepare: (dir) =>
      writeCatalog(dir, {
        services: {
          web: [
            { id: 'web-1', address: '10.0.0.1', port: 8080, status: 'critical' },
            { id: 'web-2', address: '10.0.0.2', port: 8080, status: 'critical' },
            { address: '2001:db8::3', port: 8080, status: 'critical' },
          ],
          api: [
            { id: 'api-1', address: '10.0.1.1', port: 9000 },
            { id: 'api-2', address: '10.0.1.2', port: 9000, status: 'critical' },
          ],
        },
      }),
  },
  {
    name: 'an empty catalog (services: {})',
    prepare: async (dir) => {
      const path = join(dir, 'catalog.yaml');
      await writeFile(path, 'services: {}\n');
      return { path, data: { services: {} } };
    },
  },
  {
    name: 'a generated catalog of 50 services × 20 instances with IPv6 addresses',
    prepare: (dir) => writeCatalog(dir, generateCatalog(50, 20)),
  },
];

describe.each(CASES)('shipped templates rendered with --once from $name', (catalogCase) => {
  let nginxOut: string;
  let haproxyOut: string;
  let fileSdOut: string;
  let passing: Map<string, string[]>;
  let services: string[];
  let totalPassing: number;

  beforeAll(async () => {
    const dir = await tempDir();
    const { path, data } = await catalogCase.prepare(dir);
    passing = passingByService(data);
    services = [...passing.keys()].sort();
    totalPassing = [...passing.values()].reduce((n, list) => n + list.length, 0);
    nginxOut = join(dir, 'out', 'upstreams.conf');
    haproxyOut = join(dir, 'out', 'backends.cfg');
    fileSdOut = join(dir, 'out', 'targets.json');
    const run = await runCtmpl(
      [
        '--source',
        `file:${path}`,
        '-t',
        `${NGINX_TEMPLATE}:${nginxOut}`,
        '-t',
        `${HAPROXY_TEMPLATE}:${haproxyOut}`,
        '-t',
        `${FILE_SD_TEMPLATE}:${fileSdOut}`,
        '--once',
      ],
      { cwd: dir },
    );
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
  });

  test('nginx -t accepts the upstreams; each has exactly the passing instances as servers', async () => {
    const check = await nginxCheck(nginxOut, { upstreams: services });
    expect(check.output).toMatch(/test is successful/);
    expect(check.ok).toBe(true);

    const upstreams = parseNginxUpstreams(await readFile(nginxOut, 'utf8'));
    expect([...upstreams.keys()].sort()).toEqual(services);
    for (const name of services) {
      const expected = passing.get(name) ?? [];
      const upstream = upstreams.get(name);
      expect(upstream?.servers, `servers of upstream ${name}`).toEqual(expected);
      // nginx refuses an empty upstream: a service with nothing healthy gets one `down` placeholder.
      expect(upstream?.placeholders, `placeholders in upstream ${name}`).toBe(expected.length === 0 ? 1 : 0);
    }
    const serverLines = [...upstreams.values()].reduce((n, u) => n + u.servers.length, 0);
    expect(serverLines).toBe(totalPassing);
  });

  test('haproxy -c accepts the backends; each has exactly the passing instances as servers', async () => {
    const check = await haproxyCheck(haproxyOut, { backends: services });
    expect(check.output).toMatch(/Configuration file is valid/);
    expect(check.ok).toBe(true);

    const backends = parseHaproxyBackends(await readFile(haproxyOut, 'utf8'));
    expect([...backends.keys()].sort()).toEqual(services);
    for (const name of services) {
      const backend = backends.get(name);
      expect(backend?.servers, `servers of backend ${name}`).toEqual(passing.get(name) ?? []);
      expect(new Set(backend?.names).size, `server names in backend ${name} are unique`).toBe(backend?.names.length);
    }
    const serverLines = [...backends.values()].reduce((n, b) => n + b.servers.length, 0);
    expect(serverLines).toBe(totalPassing);
  });

  test('the Prometheus file_sd output is valid JSON with exactly the passing instances as targets', async () => {
    const jobs = parseFileSd(await readFile(fileSdOut, 'utf8'));
    expect([...jobs.keys()].sort()).toEqual(services);
    for (const name of services) {
      expect(jobs.get(name), `targets of job ${name}`).toEqual(passing.get(name) ?? []);
    }
    const targets = [...jobs.values()].reduce((n, t) => n + t.length, 0);
    expect(targets).toBe(totalPassing);
  });
});

describe('the checkers themselves reject broken configs (so a pass above means something)', () => {
  test('nginxCheck fails an upstream without servers', async () => {
    const dir = await tempDir();
    const file = join(dir, 'bad.conf');
    await writeFile(file, 'upstream web {\n}\n');
    const check = await nginxCheck(file, { upstreams: ['web'] });
    expect(check.ok).toBe(false);
    expect(check.output).toMatch(/no servers are inside upstream/);
  });

  test('nginxCheck fails when an expected upstream is missing from the include', async () => {
    const dir = await tempDir();
    const file = join(dir, 'one.conf');
    await writeFile(file, 'upstream web {\n    server 10.0.0.1:80;\n}\n');
    const check = await nginxCheck(file, { upstreams: ['web', 'api'] });
    expect(check.ok).toBe(false);
  });

  test('haproxyCheck fails a backend with two servers of the same name', async () => {
    const dir = await tempDir();
    const file = join(dir, 'bad.cfg');
    await writeFile(file, 'backend web\n    server a 10.0.0.1:80 check\n    server a 10.0.0.2:80 check\n');
    const check = await haproxyCheck(file, { backends: ['web'] });
    expect(check.ok).toBe(false);
    expect(check.output).toMatch(/another server named 'a'/);
  });

  test('haproxyCheck fails when an expected backend is missing', async () => {
    const dir = await tempDir();
    const file = join(dir, 'one.cfg');
    await writeFile(file, 'backend web\n    server a 10.0.0.1:80 check\n');
    const check = await haproxyCheck(file, { backends: ['web', 'api'] });
    expect(check.ok).toBe(false);
  });
});
