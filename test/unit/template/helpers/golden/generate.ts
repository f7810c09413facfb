/**
 * Regenerates consul-template.json: runs every case of cases.ts through consul-template v0.42.1
 * (oracle.go, built against the real module) and stores what it printed or the error it gave.
 *
 *   npx tsx test/unit/template/helpers/golden/generate.ts
 *
 * Needs Go >= 1.26 (consul-template 0.42 does); the module comes through the Go module proxy or
 * the local module cache. Run it after changing cases.ts, and commit the JSON.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allCases, goTemplate, type Case } from './cases.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const VERSION = 'v0.42.1';

function request(c: Case): Record<string, unknown> {
  if (c.kind === 'call') return { template: goTemplate(c) };
  if (c.kind === 'pair') return { template: c.go };
  return { unixMilli: c.unixMilli, layout: c.layout };
}

function buildOracle(dir: string): string {
  writeFileSync(join(dir, 'go.mod'), `module ctmploracle\n\ngo 1.26\n\nrequire github.com/hashicorp/consul-template ${VERSION}\n`);
  copyFileSync(join(HERE, 'oracle.go'), join(dir, 'main.go'));
  const modCache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  const sums = join(modCache, `github.com/hashicorp/consul-template@${VERSION}`, 'go.sum');
  if (existsSync(sums)) copyFileSync(sums, join(dir, 'go.sum'));
  execFileSync('go', ['mod', 'tidy'], { cwd: dir, stdio: 'inherit' });
  execFileSync('go', ['build', '-o', 'oracle', '.'], { cwd: dir, stdio: 'inherit' });
  return join(dir, 'oracle');
}

const dir = mkdtempSync(join(tmpdir(), 'ctmpl-oracle-'));
try {
  const oracle = buildOracle(dir);
  const cases = allCases();
  const answers = JSON.parse(execFileSync(oracle, { input: JSON.stringify(cases.map(request)), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as { output?: string; error?: string }[];
  if (answers.length !== cases.length) throw new Error(`the oracle answered ${answers.length} of ${cases.length} cases`);
  const lines = cases.map((c, n) => JSON.stringify({ case: c, ...answers[n] }));
  writeFileSync(join(HERE, 'consul-template.json'), `[\n${lines.join(',\n')}\n]\n`);
  console.log(`consul-template.json: ${cases.length} cases`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
