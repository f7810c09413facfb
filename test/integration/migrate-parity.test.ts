import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { startConsul } from '../support/consul.js';
import { NO_CONSUL_ENV, readIfExists, runCtmpl, type RunResult } from '../support/ctmpl.js';
import { registerParityCatalog } from '../support/parity-catalog.js';
import { obtainTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';

/**
 * A second corpus the converter was not written against: the consul-template templates of the
 * parity test (test/fixtures/parity/*.ctmpl, whose .hbs were written by hand). `ctmpl migrate`
 * converts them; ctmpl renders the conversions and consul-template 0.42.1 the originals from the
 * parity catalog in one real Consul; every conversion must come out byte for byte the same.
 */

const FIXTURES = fileURLToPath(new URL('../fixtures/parity/', import.meta.url));
const TEMPLATES = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.ctmpl'))
  .map((f) => f.slice(0, -'.ctmpl'.length))
  .sort();
const RUN_MS = 60_000;
/** The one it refuses: `.EnableTagOverride` is a Go bool, a "true"/"false" text in ctmpl (and "false" is true in an if). */
const REFUSED = '20-node-named';

let migrate: RunResult;
let converted: string[] = [];
const outputs = { consulTemplate: new Map<string, string | undefined>(), ctmpl: new Map<string, string | undefined>() };

beforeAll(async () => {
  const agent = await startConsul();
  await registerParityCatalog(agent);
  const dir = await tempDir('ctmpl-migrate-parity-');
  const hbs = join(dir, 'hbs');
  migrate = await runCtmpl(['migrate', '--out', hbs, ...TEMPLATES.map((n) => `${n}.ctmpl`)], { cwd: FIXTURES, env: NO_CONSUL_ENV, timeoutMs: RUN_MS });
  converted = TEMPLATES.filter((n) => existsSync(join(hbs, `${n}.hbs`)));
  const ct = await execa(obtainTool('consul-template'), ['-once', '-consul-addr', agent.address, '-log-level', 'warn', ...converted.flatMap((n) => ['-template', `${join(FIXTURES, `${n}.ctmpl`)}:${join(dir, 'ct', n)}`])], {
    cwd: dir,
    env: NO_CONSUL_ENV,
    reject: false,
    stdin: 'ignore',
    timeout: RUN_MS,
  });
  if (ct.exitCode !== 0) throw new Error(`consul-template failed (exit ${String(ct.exitCode)}):\n${String(ct.stderr)}`);
  const run = await runCtmpl(['--once', '--source', `consul://${agent.address}`, ...converted.flatMap((n) => ['-t', `${join(hbs, `${n}.hbs`)}:${join(dir, 'ctmpl', n)}`])], { cwd: dir, env: NO_CONSUL_ENV, timeoutMs: RUN_MS });
  if (run.exitCode !== 0) throw new Error(`ctmpl failed (exit ${String(run.exitCode)}):\n${run.stdout}\n${run.stderr}`);
  for (const n of converted) {
    outputs.consulTemplate.set(n, await readIfExists(join(dir, 'ct', n)));
    outputs.ctmpl.set(n, await readIfExists(join(dir, 'ctmpl', n)));
  }
}, 3 * RUN_MS);

describe('ctmpl migrate on the parity templates', () => {
  it('converts all but one of them, and says why it refuses that one', () => {
    expect(converted).toEqual(TEMPLATES.filter((n) => n !== REFUSED));
    expect(migrate.stdout).toMatch(/20-node-named\.ctmpl:2:110: \.EnableTagOverride: /);
  });

  it.each(TEMPLATES.filter((n) => n !== REFUSED))('%s: the conversion renders byte for byte as consul-template renders the original', (name) => {
    const expected = outputs.consulTemplate.get(name);
    expect(expected, `consul-template wrote ${name}`).toBeDefined();
    expect(outputs.ctmpl.get(name), name).toBe(expected);
  });
});
