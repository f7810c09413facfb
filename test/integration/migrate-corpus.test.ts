import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { startConsul } from '../support/consul.js';
import { NO_CONSUL_ENV, readIfExists, runCtmpl, type RunResult } from '../support/ctmpl.js';
import { obtainTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';
import { corpus, FIXTURES } from '../unit/migrate/corpus.js';
import { loadWorldIntoConsul } from '../unit/migrate/support/consul-world.js';
import { ENV, loadWorld } from '../unit/migrate/support/world.js';

/**
 * The corpus (test/fixtures/migrate/) end to end, as a migrating user runs it: world.json loaded
 * into one real Consul; `ctmpl migrate` (the built binary) on every template; then consul-template
 * 0.42.1 on the originals and ctmpl on the conversions, each run once with every template. Every
 * template the converter accepts renders byte for byte as consul-template renders it; every other
 * one is refused whole, each construct named at its file:line:col.
 */

const ALL = corpus();
const ACCEPTED = ALL.filter((f) => f.expected !== undefined).map((f) => f.name);
const REFUSED = ALL.filter((f) => f.problems !== undefined);
const RUN_MS = 60_000;

interface Problem {
  readonly line: number;
  readonly col: number;
  readonly construct: string;
  readonly what: string;
}

let migrate: RunResult;
let hbsDir: string;
const rendered = { consulTemplate: new Map<string, string | undefined>(), ctmpl: new Map<string, string | undefined>() };

beforeAll(async () => {
  const agent = await startConsul();
  await loadWorldIntoConsul(agent, loadWorld(join(FIXTURES, 'world.json')));
  const dir = await tempDir('ctmpl-migrate-corpus-');
  hbsDir = join(dir, 'hbs');
  const env = { ...NO_CONSUL_ENV, ...ENV };
  migrate = await runCtmpl(['migrate', '--out', hbsDir, ...ALL.map((f) => `${f.name}/template.ctmpl`)], { cwd: FIXTURES, env, timeoutMs: RUN_MS });

  const ctOut = join(dir, 'consul-template');
  const ctmplOut = join(dir, 'ctmpl');
  const ct = await execa(obtainTool('consul-template'), ['-once', '-consul-addr', agent.address, '-log-level', 'warn', ...ACCEPTED.flatMap((n) => ['-template', `${join(FIXTURES, n, 'template.ctmpl')}:${join(ctOut, n)}`])], {
    cwd: dir,
    env,
    reject: false,
    stdin: 'ignore',
    timeout: RUN_MS,
  });
  if (ct.exitCode !== 0) throw new Error(`consul-template failed (exit ${String(ct.exitCode)}):\n${String(ct.stderr)}`);
  const converted = ACCEPTED.filter((n) => existsSync(join(hbsDir, n, 'template.hbs')));
  const run = await runCtmpl(['--once', '--source', `consul://${agent.address}`, ...converted.flatMap((n) => ['-t', `${join(hbsDir, n, 'template.hbs')}:${join(ctmplOut, n)}`])], { cwd: dir, env, timeoutMs: RUN_MS });
  if (run.exitCode !== 0) throw new Error(`ctmpl failed (exit ${String(run.exitCode)}):\n${run.stdout}\n${run.stderr}`);
  for (const n of ACCEPTED) {
    rendered.consulTemplate.set(n, await readIfExists(join(ctOut, n)));
    rendered.ctmpl.set(n, await readIfExists(join(ctmplOut, n)));
  }
}, 3 * RUN_MS);

describe('ctmpl migrate on the corpus', () => {
  it('has at least 40 templates it converts and 10 it refuses', () => {
    expect(ACCEPTED.length).toBeGreaterThanOrEqual(40);
    expect(REFUSED.length).toBeGreaterThanOrEqual(10);
  });

  it('writes every accepted conversion, exits 1 for the refused ones and counts both', () => {
    expect(migrate.exitCode, migrate.stderr).toBe(1);
    expect(migrate.stdout).toContain(`migrate: ${ACCEPTED.length} of ${ALL.length} template(s) converted, ${REFUSED.length} skipped`);
    for (const f of ALL.filter((x) => x.expected !== undefined)) {
      expect(readFileSync(join(hbsDir, f.name, 'template.hbs'), 'utf8'), f.name).toBe(f.expected);
    }
  });

  it.each(REFUSED.map((f) => [f.name, f.problems as Problem[]] as const))('refuses %s whole, every construct named with its file:line:col', (name, problems) => {
    expect(existsSync(join(hbsDir, name, 'template.hbs'))).toBe(false);
    expect(migrate.stdout).toContain(`skipped    ${name}/template.ctmpl: ${problems.length} construct(s)`);
    for (const p of problems) expect(migrate.stdout).toContain(`${name}/template.ctmpl:${p.line}:${p.col}: ${p.construct}: ${p.what}`);
  });
});

describe('conversions rendered by ctmpl and originals by consul-template 0.42 from one Consul', () => {
  it.each(ACCEPTED)('%s: byte for byte the same', (name) => {
    const expected = rendered.consulTemplate.get(name);
    expect(expected, `consul-template wrote ${name}`).toBeDefined();
    expect(rendered.ctmpl.get(name), name).toBe(expected);
  });

  // The dev agent registers its own "consul" service, which world.json (and so rendered.txt) lacks.
  const worldOnly = ACCEPTED.filter((n) => !/\bservices\b/.test(readFileSync(join(FIXTURES, n, 'template.ctmpl'), 'utf8')));
  it.each(worldOnly)('%s: consul-template renders what the corpus recorded (rendered.txt)', (name) => {
    expect(rendered.consulTemplate.get(name)).toBe(readFileSync(join(FIXTURES, name, 'rendered.txt'), 'utf8'));
  });
});
