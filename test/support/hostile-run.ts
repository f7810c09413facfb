/**
 * Runs one generated catalog through the SHIPPED templates (nginx upstreams, haproxy backends,
 * Prometheus file_sd) with the built CLI (`--once`) and checks every output: the real `nginx -t`
 * and `haproxy -c`, JSON.parse, the templates' own line shapes only, and exactly the instances
 * the oracle (hostile-rules.ts, written from docs/security.md) says are shown, under the config
 * names it says. Used by test/integration/fuzz.test.ts and fuzz-examples.test.ts.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseFileSd, parseHaproxyBackends, parseNginxUpstreams } from './catalog.js';
import { haproxyCheck, nginxCheck } from './checkers.js';
import { NO_CONSUL_ENV, runCtmpl, TEMPLATES, type LogLine, type RunResult } from './ctmpl.js';
import { CATALOG_SERVICES, HEALTH, startFakeConsul } from './fake-consul.js';
import { consulCatalogBody, consulHealthBody, consulRefusals, consulVerdicts, expectedFromConsul, keptConsulNames, type ConsulCatalogSpec } from './hostile-consul-catalog.js';
import { expectedFromFile, fileCatalogJson, fileRefusal, fileVerdicts, type FileCatalogSpec } from './hostile-file-catalog.js';
import { foreignHaproxyLines, foreignNginxLines, nginxTagCommentsOk } from './hostile-output.js';
import { tally } from './hostile-report.js';
import { configNameOf } from './hostile-rules.js';

export const SHIPPED = {
  nginx: join(TEMPLATES, 'nginx-upstream.hbs'),
  haproxy: join(TEMPLATES, 'haproxy-backend.hbs'),
  fileSd: join(TEMPLATES, 'prometheus-file-sd.json.hbs'),
};

export interface Outputs {
  readonly nginx: string;
  readonly haproxy: string;
  readonly fileSd: string;
}

export const outputsIn = (dir: string): Outputs => ({ nginx: join(dir, 'out', 'upstreams.conf'), haproxy: join(dir, 'out', 'backends.cfg'), fileSd: join(dir, 'out', 'targets.json') });
export const templateArgs = (out: Outputs): string[] => ['-t', `${SHIPPED.nginx}:${out.nginx}`, '-t', `${SHIPPED.haproxy}:${out.haproxy}`, '-t', `${SHIPPED.fileSd}:${out.fileSd}`];

/** A scratch directory for one case, removed when the case ends (a run has dozens of cases). */
async function withCaseDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'ctmpl-fuzz-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What ran, for the report printed at the end of the fuzz. */
export interface Stats {
  cases: number;
  /** Whole files refused by the catalog file's rules, by the field the message names. */
  readonly fileRefused: Map<string, number>;
  /** The oracle's verdict on each generated instance of a rendered catalog. */
  readonly verdicts: Map<string, number>;
  /** What ctmpl logged as refused ("catalog data refused"), by rule. */
  readonly logged: Map<string, number>;
  serverLines: number;
  ms: number;
}

export const newStats = (): Stats => ({ cases: 0, fileRefused: new Map(), verdicts: new Map(), logged: new Map(), serverLines: 0, ms: 0 });

/** "catalog data refused" log lines, by the rule named at the start of their reason. */
export function refusedByRule(logs: readonly LogLine[]): string[] {
  return logs
    .filter((l) => l.msg.startsWith('catalog data refused'))
    .map((l) => {
      const reason = typeof l.reason === 'string' ? l.reason : l.msg;
      // `s`: a name may hold a line separator (U+2028), which `.` alone does not match.
      if (/differs from .* only in case/s.test(reason)) return `${String(l.kind ?? '?')}: case variant`;
      const rule = /^(?:a )?(service name|ID|node|address|port|datacenter|tag|meta|key)\b/.exec(reason)?.[1] ?? 'other';
      return `${String(l.kind ?? '?')}: ${rule}`;
    });
}

const sorted = (values: Iterable<string>): string[] => [...values].sort();
/** Upstream names nginxCheck can reference with a proxy_pass (its own safety rule). */
const referable = (names: Iterable<string>): string[] => [...names].filter((n) => /^[A-Za-z0-9_-]+$/.test(n));

/** Any value of a map keyed by config name, looked up by service name. */
const byConfigName = <T>(map: ReadonlyMap<string, T>, name: string, proxy: 'nginx' | 'haproxy'): T | undefined => map.get(configNameOf(name, proxy));

/**
 * The three outputs hold exactly `expected` (service → sorted host:port) under the documented
 * config names, consist only of the templates' own line shapes, and pass nginx -t, haproxy -c
 * and JSON.parse.
 */
export async function expectRendered(out: Outputs, expected: ReadonlyMap<string, readonly string[]>, stats: Stats): Promise<void> {
  const [nginxText, haproxyText, fileSdText] = await Promise.all([readFile(out.nginx, 'utf8'), readFile(out.haproxy, 'utf8'), readFile(out.fileSd, 'utf8')]);
  const services = sorted(expected.keys());

  expect(foreignNginxLines(nginxText), 'nginx lines that are not the template’s own').toEqual([]);
  expect(nginxTagCommentsOk(nginxText), 'the service comment is two escaped nginx strings').toBe(true);
  expect(foreignHaproxyLines(haproxyText), 'haproxy lines that are not the template’s own').toEqual([]);

  const upstreams = parseNginxUpstreams(nginxText);
  expect(sorted(upstreams.keys()), 'nginx upstreams').toEqual(sorted(services.map((s) => configNameOf(s, 'nginx'))));
  const backends = parseHaproxyBackends(haproxyText);
  expect(sorted(backends.keys()), 'haproxy backends').toEqual(sorted(services.map((s) => configNameOf(s, 'haproxy'))));
  const jobs = parseFileSd(fileSdText);
  expect(sorted(jobs.keys()), 'file_sd jobs').toEqual(services);

  for (const [name, servers] of expected) {
    expect(byConfigName(upstreams, name, 'nginx')?.servers, `nginx servers of ${name}`).toEqual(servers);
    // nginx refuses an empty upstream: the template writes one `down` placeholder instead.
    expect(byConfigName(upstreams, name, 'nginx')?.placeholders, `nginx placeholder of ${name}`).toBe(servers.length === 0 ? 1 : 0);
    expect(byConfigName(backends, name, 'haproxy')?.servers, `haproxy servers of ${name}`).toEqual(servers);
    expect(jobs.get(name), `file_sd targets of ${name}`).toEqual(servers);
    stats.serverLines += servers.length;
  }
  // Server names are unique in each backend (haproxy -c checks it too; this names the culprit).
  for (const [backend, { names }] of backends) expect(new Set(names).size, `server names of backend ${backend}`).toBe(names.length);

  const [nginx, haproxy] = await Promise.all([
    nginxCheck(out.nginx, { upstreams: referable(upstreams.keys()) }),
    haproxyCheck(out.haproxy, { backends: referable(backends.keys()) }),
  ]);
  expect(nginx.ok, `nginx -t:\n${nginx.output}\n${nginxText}`).toBe(true);
  expect(haproxy.ok, `haproxy -c:\n${haproxy.output}\n${haproxyText}`).toBe(true);
}

export function expectRunOk(run: RunResult): void {
  expect(run.timedOut, 'ctmpl timed out').toBe(false);
  expect(run.exitCode, `ctmpl exit code; stderr:\n${run.stderr}`).toBe(0);
}

const ctmplOnce = (args: readonly string[], dir: string): Promise<RunResult> => runCtmpl([...args, '--once', '--log-format', 'json'], { cwd: dir, env: NO_CONSUL_ENV });

/** Renders a static catalog file with the shipped templates and checks the documented outcome. */
export async function fileCase(spec: FileCatalogSpec, stats: Stats): Promise<void> {
  const started = Date.now();
  await withCaseDir(async (dir) => {
    const catalog = join(dir, 'catalog.json');
    await writeFile(catalog, fileCatalogJson(spec));
    const out = outputsIn(dir);
    const run = await ctmplOnce(['--source', `file:${catalog}`, ...templateArgs(out)], dir);
    const refusal = fileRefusal(spec);
    if (refusal !== undefined) {
      // The whole file is refused: exit 2, its position named, nothing written.
      expect(run.exitCode, `exit code for a file with a bad ${refusal}; stderr:\n${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`ctmpl: error: ${catalog.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
      for (const path of Object.values(out)) expect(existsSync(path), `${path} must not be written`).toBe(false);
      tally(stats.fileRefused, [refusal]);
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
export async function consulCase(spec: ConsulCatalogSpec, stats: Stats): Promise<void> {
  const started = Date.now();
  const fake = await startFakeConsul();
  try {
    fake.set(CATALOG_SERVICES, consulCatalogBody(spec));
    for (const service of spec.services) fake.set(HEALTH(service.name), consulHealthBody(service));
    await withCaseDir(async (dir) => {
      const out = outputsIn(dir);
      const run = await ctmplOnce([...templateArgs(out), '--consul-addr', fake.address, '--block-query-wait', '1s'], dir);
      expectRunOk(run);
      await expectRendered(out, expectedFromConsul(spec), stats);
      // Exactly the kept names are asked for: a refused name never, an odd one by its exact text.
      const asked = fake.requests.filter((r) => r.path.startsWith('/v1/health/service/')).map((r) => r.path.slice('/v1/health/service/'.length));
      expect(sorted(new Set(asked)), 'health queries').toEqual(sorted(keptConsulNames(spec)));
      // Every kind of refusal the oracle expects is logged.
      const logged = new Set(refusedByRule(run.logs));
      expect(sorted(logged), 'refusals logged').toEqual(expect.arrayContaining(consulRefusals(spec)));
      tally(stats.verdicts, consulVerdicts(spec));
      tally(stats.logged, refusedByRule(run.logs));
    });
  } finally {
    await fake.close();
  }
  stats.cases += 1;
  stats.ms += Date.now() - started;
}
