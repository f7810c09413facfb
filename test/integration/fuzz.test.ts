/**
 * Security, fuzzed: untrusted catalog data never injects into a rendered config.
 *
 * Catalogs full of hostile strings (newlines, `;`, braces, `#`, quotes, NUL, `$`, backslashes,
 * unicode, very long values) in service names, IDs, nodes, tags, meta keys and values, addresses
 * and ports go through the SHIPPED templates (nginx upstreams, haproxy backends, Prometheus
 * file_sd), rendered by the built CLI with `--once`. Every output must pass the real `nginx -t`,
 * the real `haproxy -c` and JSON.parse, consist only of the template's own line shapes, and list
 * exactly the instances that are valid by the README's rules and passing. The expectation is
 * computed from the README (test/support/hostile.ts), never by calling src/catalog/validate.ts.
 *
 * Two ways in:
 * - static catalog files (`--source file:…json`): the file's own schema refuses a whole file
 *   for some hostile values (exit 2, file:line:col, nothing written); the rest is left to the
 *   validation at the source edge;
 * - a Consul-shaped source (the scripted fake Consul): no file schema, the edge validation alone
 *   protects.
 *
 * Case counts: FUZZ_RUNS (default 40 catalogs per source), FUZZ_SEED to replay, FUZZ_SHRINK=1 to
 * shrink a failure to a minimal catalog (slow: each case is a ctmpl run and two checkers).
 *   npm run test:fuzz                  (1,000 catalogs per source)
 *   FUZZ_RUNS=5000 npm run test:fuzz   (any count)
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { parseFileSd, parseHaproxyBackends, parseNginxUpstreams } from '../support/catalog.js';
import { haproxyCheck, nginxCheck } from '../support/checkers.js';
import { NO_CONSUL_ENV, runCtmpl, TEMPLATES, type LogLine, type RunResult } from '../support/ctmpl.js';
import { CATALOG_SERVICES, HEALTH, startFakeConsul } from '../support/fake-consul.js';
import {
  AVOIDED,
  consulCatalogArb,
  consulCatalogBody,
  consulHealthBody,
  consulVerdicts,
  EDGE_RULES,
  expectedFromConsul,
  expectedFromFile,
  fileCatalogArb,
  fileCatalogJson,
  fileRefusal,
  fileVerdicts,
  foreignHaproxyLines,
  foreignNginxLines,
  nginxTagCommentsOk,
  printable,
  tally,
  type ConsulCatalogSpec,
  type FileCatalogSpec,
} from '../support/hostile.js';
import { tempDir } from '../support/tmp.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? '') || 40;
const SEED = process.env.FUZZ_SEED === undefined || process.env.FUZZ_SEED === '' ? undefined : Number(process.env.FUZZ_SEED);
const SHRINK = process.env.FUZZ_SHRINK === '1';
/** Generous: a case is one ctmpl run plus nginx -t and haproxy -c (about half a second). */
const FUZZ_TIMEOUT_MS = Math.max(90_000, RUNS * 4_000);

const SHIPPED = {
  nginx: join(TEMPLATES, 'nginx-upstream.hbs'),
  haproxy: join(TEMPLATES, 'haproxy-backend.hbs'),
  fileSd: join(TEMPLATES, 'prometheus-file-sd.json.hbs'),
};

interface Outputs {
  readonly nginx: string;
  readonly haproxy: string;
  readonly fileSd: string;
}

const outputsIn = (dir: string): Outputs => ({ nginx: join(dir, 'out', 'upstreams.conf'), haproxy: join(dir, 'out', 'backends.cfg'), fileSd: join(dir, 'out', 'targets.json') });

const templateArgs = (out: Outputs): string[] => ['-t', `${SHIPPED.nginx}:${out.nginx}`, '-t', `${SHIPPED.haproxy}:${out.haproxy}`, '-t', `${SHIPPED.fileSd}:${out.fileSd}`];

/** A scratch directory for one case, removed when the case ends (a run has dozens of cases). */
async function withCaseDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'ctmpl-fuzz-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// What ran, for the report printed at the end of the file
// ---------------------------------------------------------------------------------------------

interface Stats {
  cases: number;
  /** Whole files refused by the catalog file's schema, by the field the message names. */
  readonly fileRefused: Map<string, number>;
  /** The README's verdict on each generated instance of a rendered catalog. */
  readonly verdicts: Map<string, number>;
  /** What ctmpl logged as refused at the edge ("catalog data refused"), by rule. */
  readonly logged: Map<string, number>;
  serverLines: number;
  ms: number;
}

const newStats = (): Stats => ({ cases: 0, fileRefused: new Map(), verdicts: new Map(), logged: new Map(), serverLines: 0, ms: 0 });
const STATS = { file: newStats(), consul: newStats() };

/** "catalog data refused" log lines, by the rule named at the start of their reason. */
function refusedByRule(logs: readonly LogLine[]): string[] {
  return logs
    .filter((l) => l.msg.startsWith('catalog data refused'))
    .map((l) => {
      const reason = typeof l.reason === 'string' ? l.reason : l.msg;
      const rule = /^(service name|ID|node|address|port|datacenter|tag|meta key|meta)\b/.exec(reason)?.[1] ?? 'other';
      return `${String(l.kind ?? '?')}: ${rule}`;
    });
}

afterAll(() => {
  const show = (m: Map<string, number>): string => [...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(', ') || '-';
  for (const [name, s] of Object.entries(STATS)) {
    if (s.cases === 0) continue;
    console.log(
      `[fuzz ${name}] ${s.cases} catalogs in ${(s.ms / 1000).toFixed(1)} s; server lines checked: ${s.serverLines} (in each of the 3 outputs)\n` +
        `  files refused by the catalog schema: ${show(s.fileRefused)}\n` +
        `  instances by README verdict: ${show(s.verdicts)}\n` +
        `  ctmpl's "catalog data refused" lines: ${show(s.logged)}`,
    );
  }
});

// ---------------------------------------------------------------------------------------------
// The checks every rendered output goes through
// ---------------------------------------------------------------------------------------------

const sorted = (values: Iterable<string>): string[] => [...values].sort();
/** Upstream names nginxCheck can reference with a proxy_pass (its own safety rule). */
const referable = (names: Iterable<string>): string[] => [...names].filter((n) => /^[A-Za-z0-9_-]+$/.test(n));

/**
 * The three outputs hold exactly `expected` (service → sorted host:port), consist only of the
 * templates' own line shapes, and pass nginx -t, haproxy -c and JSON.parse.
 */
async function expectRendered(out: Outputs, expected: ReadonlyMap<string, readonly string[]>, stats: Stats): Promise<void> {
  const [nginxText, haproxyText, fileSdText] = await Promise.all([readFile(out.nginx, 'utf8'), readFile(out.haproxy, 'utf8'), readFile(out.fileSd, 'utf8')]);
  const services = sorted(expected.keys());

  expect(foreignNginxLines(nginxText), 'nginx lines that are not the template’s own').toEqual([]);
  expect(nginxTagCommentsOk(nginxText), 'the tags comment is one escaped nginx string').toBe(true);
  expect(foreignHaproxyLines(haproxyText), 'haproxy lines that are not the template’s own').toEqual([]);

  const upstreams = parseNginxUpstreams(nginxText);
  expect(sorted(upstreams.keys()), 'nginx upstreams').toEqual(services);
  const backends = parseHaproxyBackends(haproxyText);
  expect(sorted(backends.keys()), 'haproxy backends').toEqual(services);
  const jobs = parseFileSd(fileSdText);
  expect(sorted(jobs.keys()), 'file_sd jobs').toEqual(services);

  for (const [name, servers] of expected) {
    expect(upstreams.get(name)?.servers, `nginx servers of ${name}`).toEqual(servers);
    // nginx refuses an empty upstream: the template writes one `down` placeholder instead.
    expect(upstreams.get(name)?.placeholders, `nginx placeholder of ${name}`).toBe(servers.length === 0 ? 1 : 0);
    expect(backends.get(name)?.servers, `haproxy servers of ${name}`).toEqual(servers);
    expect(jobs.get(name), `file_sd targets of ${name}`).toEqual(servers);
    stats.serverLines += servers.length;
  }

  const [nginx, haproxy] = await Promise.all([nginxCheck(out.nginx, { upstreams: referable(services) }), haproxyCheck(out.haproxy, { backends: referable(services) })]);
  expect(nginx.ok, `nginx -t:\n${nginx.output}\n${nginxText}`).toBe(true);
  expect(haproxy.ok, `haproxy -c:\n${haproxy.output}\n${haproxyText}`).toBe(true);
}

function expectRunOk(run: RunResult): void {
  expect(run.timedOut, 'ctmpl timed out').toBe(false);
  expect(run.exitCode, `ctmpl exit code; stderr:\n${run.stderr}`).toBe(0);
}

// ---------------------------------------------------------------------------------------------
// One case of each kind
// ---------------------------------------------------------------------------------------------

/** Renders a static catalog file with the shipped templates and checks the outcome the README promises. */
async function fileCase(spec: FileCatalogSpec, stats: Stats): Promise<void> {
  const started = Date.now();
  await withCaseDir(async (dir) => {
    const catalog = join(dir, 'catalog.json');
    await writeFile(catalog, fileCatalogJson(spec));
    const out = outputsIn(dir);
    const run = await runCtmpl(['--source', `file:${catalog}`, ...templateArgs(out), '--once', '--log-format', 'json'], { cwd: dir, env: NO_CONSUL_ENV });
    const refusal = fileRefusal(spec);
    if (refusal !== undefined) {
      // The whole file is refused: exit 2, its position named, nothing written.
      expect(run.exitCode, `exit code for a file with a bad ${refusal}; stderr:\n${run.stderr}`).toBe(2);
      expect(run.stderr, 'the error names file:line:col').toContain(`ctmpl: error: ${catalog}:`);
      expect(run.stderr).toMatch(new RegExp(`${catalog.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
      for (const path of Object.values(out)) expect(existsSync(path), `${path} must not be written`).toBe(false);
      const field = /: services\.[^\n]*?\.\d+\.(\w+): /.exec(run.stderr)?.[1] ?? (/appears twice/.test(run.stderr) ? 'duplicate id' : /services[.:]/.test(run.stderr) ? 'service name' : 'other');
      tally(stats.fileRefused, [field]);
    } else {
      expectRunOk(run);
      await expectRendered(out, expectedFromFile(spec), stats);
      tally(stats.verdicts, fileVerdicts(spec));
    }
    tally(stats.logged, refusedByRule(run.logs));
  });
  stats.cases += 1;
  stats.ms += Date.now() - started;
}

/** Serves a Consul-shaped catalog from the fake Consul, renders it and checks it. */
async function consulCase(spec: ConsulCatalogSpec, stats: Stats): Promise<void> {
  const started = Date.now();
  const fake = await startFakeConsul();
  try {
    fake.set(CATALOG_SERVICES, consulCatalogBody(spec));
    for (const service of spec.services) fake.set(HEALTH(service.name), consulHealthBody(service));
    await withCaseDir(async (dir) => {
      const out = outputsIn(dir);
      const run = await runCtmpl([...templateArgs(out), '--consul-addr', fake.address, '--block-query-wait', '1s', '--once', '--log-format', 'json'], { cwd: dir, env: NO_CONSUL_ENV });
      expectRunOk(run);
      await expectRendered(out, expectedFromConsul(spec), stats);
      // A refused name is never even asked for.
      const asked = fake.requests.filter((r) => r.path.startsWith('/v1/health/service/')).map((r) => r.path.slice('/v1/health/service/'.length));
      expect(asked.filter((name) => !EDGE_RULES.name.test(name)), 'health queries for refused names').toEqual([]);
      tally(stats.verdicts, consulVerdicts(spec));
      tally(stats.logged, refusedByRule(run.logs));
    });
  } finally {
    await fake.close();
  }
  stats.cases += 1;
  stats.ms += Date.now() - started;
}

const fuzzParameters = { numRuns: RUNS, endOnFailure: !SHRINK, ...(SEED === undefined ? {} : { seed: SEED }) };

describe(`fuzz: hostile catalog data through the shipped templates (${RUNS} catalogs per source; ${AVOIDED})`, () => {
  test(
    'static catalog files: a hostile file is refused whole (exit 2, file:line:col, nothing written) or renders exactly its valid passing instances, and nginx -t, haproxy -c and JSON.parse accept every output',
    async () => {
      await fc.assert(
        fc.asyncProperty(fileCatalogArb.map(printable), (spec) => fileCase(spec, STATS.file)),
        fuzzParameters,
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  test(
    'Consul-shaped data (no file schema): the edge validation alone keeps hostile names, IDs, nodes, addresses, ports, tags and meta out, and every output passes nginx -t, haproxy -c and JSON.parse',
    async () => {
      await fc.assert(
        fc.asyncProperty(consulCatalogArb.map(printable), (spec) => consulCase(spec, STATS.consul)),
        fuzzParameters,
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

// ---------------------------------------------------------------------------------------------
// Examples: what the fuzz found, pinned as readable cases
// ---------------------------------------------------------------------------------------------

const VALID = { id: 'web-1', address: '10.0.0.1', port: 8080 };

describe('examples: one refused instance takes nothing else with it', () => {
  test('a file instance with a hostile tag is dropped; the other instances of its service are still rendered in every output', async () => {
    const spec: FileCatalogSpec = {
      services: [
        [
          'web',
          [
            { id: 'web-1', node: undefined, address: { value: '10.0.0.1', valid: true }, port: { value: 8080, valid: true }, tags: ['v1'], meta: [], status: undefined },
            { id: 'web-2', node: undefined, address: { value: '10.0.0.2', valid: true }, port: { value: 8080, valid: true }, tags: ['v1;\n}\nupstream evil {'], meta: [], status: undefined },
          ],
        ],
      ],
    };
    expect(expectedFromFile(spec).get('web'), 'the README says: web keeps 10.0.0.1').toEqual(['10.0.0.1:8080']);
    await fileCase(spec, newStats());
  });

  test('a Consul instance with a hostile tag is dropped; the other instances of its service are still rendered in every output', async () => {
    const spec: ConsulCatalogSpec = {
      services: [
        {
          name: 'web',
          instances: [
            { id: 'web-1', service: 'web', node: 'n1', serviceAddress: { value: VALID.address, valid: true }, nodeAddress: { value: VALID.address, valid: true }, port: { value: VALID.port, valid: true }, tags: ['v1'], meta: [], status: 'passing' },
            { id: 'web-2', service: 'web', node: 'n2', serviceAddress: { value: '10.0.0.2', valid: true }, nodeAddress: { value: '10.0.0.2', valid: true }, port: { value: VALID.port, valid: true }, tags: ["x'\n    server evil 6.6.6.6:80 check"], meta: [], status: 'critical' },
          ],
        },
      ],
    };
    expect(expectedFromConsul(spec).get('web')).toEqual(['10.0.0.1:8080']);
    await consulCase(spec, newStats());
  });
});

/**
 * Values the README's rules accept but nginx or haproxy refuse: a registrant could break every
 * reload with them. Whether the fix refuses them at the edge or renders them differently, the
 * outputs must pass the real checkers (the instance counts are not asserted here).
 */
describe('valid-by-the-rules data the proxies refuse (kept out of the fuzz, see AVOIDED)', () => {
  async function renderAndCheck(run: (out: Outputs, dir: string) => Promise<RunResult>, services: readonly string[]): Promise<void> {
    const dir = await tempDir('ctmpl-fuzz-example-');
    const out = outputsIn(dir);
    expectRunOk(await run(out, dir));
    const [nginx, haproxy] = await Promise.all([nginxCheck(out.nginx, { upstreams: referable(services) }), haproxyCheck(out.haproxy, { backends: referable(services) })]);
    expect(nginx.ok, `nginx -t:\n${nginx.output}\n${await readFile(out.nginx, 'utf8')}`).toBe(true);
    expect(haproxy.ok, `haproxy -c:\n${haproxy.output}\n${await readFile(out.haproxy, 'utf8')}`).toBe(true);
    const fileSd = await readFile(out.fileSd, 'utf8');
    expect(() => parseFileSd(fileSd), `file_sd:\n${fileSd}`).not.toThrow();
  }

  async function fromFile(catalog: object, services: readonly string[]): Promise<void> {
    await renderAndCheck(async (out, dir) => {
      const path = join(dir, 'catalog.json');
      await writeFile(path, JSON.stringify(catalog));
      return runCtmpl(['--source', `file:${path}`, ...templateArgs(out), '--once', '--log-format', 'json'], { cwd: dir, env: NO_CONSUL_ENV });
    }, services);
  }

  async function fromConsul(name: string, instances: Parameters<typeof consulHealthBody>[0]['instances']): Promise<void> {
    const fake = await startFakeConsul();
    const spec: ConsulCatalogSpec = { services: [{ name, instances }] };
    fake.set(CATALOG_SERVICES, consulCatalogBody(spec));
    fake.set(HEALTH(name), consulHealthBody({ name, instances }));
    await renderAndCheck((out, dir) => runCtmpl([...templateArgs(out), '--consul-addr', fake.address, '--block-query-wait', '1s', '--once', '--log-format', 'json'], { cwd: dir, env: NO_CONSUL_ENV }), [name]);
  }

  const instance = (id: string, node: string, address: string): Parameters<typeof consulHealthBody>[0]['instances'][number] => ({
    id,
    service: 'web',
    node,
    serviceAddress: { value: address, valid: true },
    nodeAddress: { value: address, valid: true },
    port: { value: 8080, valid: true },
    tags: [],
    meta: [],
    status: 'passing',
  });

  test('an IPv6 address with a zone index (fe80::1%eth0) and an explicit id and node', async () => {
    await fromFile({ services: { web: [{ id: 'web-1', node: 'n1', address: 'fe80::1%eth0', port: 8080 }, { id: 'web-2', node: 'n2', address: '10.0.0.2', port: 8080 }] } }, ['web']);
  });

  test('an IPv6 address whose trailing "::" stands for one zero group (1:2:3:4:5:6:7::), found by the fuzz', async () => {
    await fromFile({ services: { web: [{ address: '1:2:3:4:5:6:7::', port: 8080 }, { address: '10.0.0.2', port: 8080 }] } }, ['web']);
  });

  test('an instance ID with "@" (allowed in IDs by the README) in a haproxy server name', async () => {
    await fromConsul('web', [instance('web@1', 'n1', '10.0.0.1'), instance('web-2', 'n2', '10.0.0.2')]);
  });

  test('the same instance ID on two Consul nodes (Consul IDs are unique per node, not per service)', async () => {
    await fromConsul('web', [instance('web-1', 'n1', '10.0.0.1'), instance('web-1', 'n2', '10.0.0.2')]);
  });

  test('two services whose names differ only in case ("web" and "Web"): nginx upstream names are case-insensitive', async () => {
    // The first in the listing ("Web" sorts first) stays; the other is refused at the edge.
    await fromFile({ services: { web: [{ address: '10.0.0.1', port: 8080 }], Web: [{ address: '10.0.0.2', port: 8080 }] } }, ['Web']);
  });
});
