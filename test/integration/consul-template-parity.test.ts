import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { startConsul } from '../support/consul.js';
import { NO_CONSUL_ENV, readIfExists, runCtmpl } from '../support/ctmpl.js';
import { registerParityCatalog } from '../support/parity-catalog.js';
import { obtainTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';

/**
 * ctmpl and consul-template 0.42.1 render the same catalog of one real Consul: every pair of
 * test/fixtures/parity/ (NN-topic.ctmpl for consul-template, NN-topic.hbs for ctmpl) must come
 * out byte for byte the same. Each program runs once (-once / --once) with every template, as a
 * migrating user would run it. What differs by design is in docs/consul-template-parity.md, not
 * here.
 */

const FIXTURES = fileURLToPath(new URL('../fixtures/parity/', import.meta.url));
const PAIRS = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.ctmpl'))
  .map((f) => f.slice(0, -'.ctmpl'.length))
  .sort();

/** Both programs get this long: Consul answers in milliseconds, the rest is process start-up. */
const RUN_MS = 60_000;

interface Outputs {
  readonly consulTemplate: ReadonlyMap<string, string | undefined>;
  readonly ctmpl: ReadonlyMap<string, string | undefined>;
}

let outputs: Outputs;

async function readAll(dir: string): Promise<Map<string, string | undefined>> {
  return new Map(await Promise.all(PAIRS.map(async (name) => [name, await readIfExists(join(dir, name))] as const)));
}

beforeAll(async () => {
  const agent = await startConsul();
  await registerParityCatalog(agent);
  const dir = await tempDir('ctmpl-parity-');
  const ctOut = join(dir, 'consul-template');
  const ctmplOut = join(dir, 'ctmpl');

  const ct = await execa(obtainTool('consul-template'), ['-once', '-consul-addr', agent.address, '-log-level', 'warn', ...PAIRS.flatMap((n) => ['-template', `${join(FIXTURES, `${n}.ctmpl`)}:${join(ctOut, n)}`])], {
    cwd: dir,
    env: NO_CONSUL_ENV,
    reject: false,
    stdin: 'ignore',
    timeout: RUN_MS,
  });
  if (ct.exitCode !== 0) throw new Error(`consul-template failed (exit ${String(ct.exitCode)}, timed out: ${String(ct.timedOut)}):\n${String(ct.stderr)}`);

  const run = await runCtmpl(['--once', '--source', `consul://${agent.address}`, ...PAIRS.flatMap((n) => ['-t', `${join(FIXTURES, `${n}.hbs`)}:${join(ctmplOut, n)}`])], {
    cwd: dir,
    env: NO_CONSUL_ENV,
    timeoutMs: RUN_MS,
  });
  if (run.exitCode !== 0) throw new Error(`ctmpl failed (exit ${String(run.exitCode)}, timed out: ${String(run.timedOut)}):\n${run.stdout}\n${run.stderr}`);

  outputs = { consulTemplate: await readAll(ctOut), ctmpl: await readAll(ctmplOut) };
}, 3 * RUN_MS);

describe('templates rendered by ctmpl and consul-template 0.42 from one Consul', () => {
  it('has at least 30 pairs, each with both templates', async () => {
    expect(PAIRS.length).toBeGreaterThanOrEqual(30);
    for (const name of PAIRS) await expect(readFile(join(FIXTURES, `${name}.hbs`), 'utf8'), name).resolves.not.toBe('');
  });

  it.each(PAIRS)('%s renders byte for byte as consul-template does', (name) => {
    const expected = outputs.consulTemplate.get(name);
    expect(expected, `consul-template wrote ${name}`).toBeDefined();
    expect(expected, `${name} renders something`).not.toBe('');
    expect(outputs.ctmpl.get(name), name).toBe(expected);
  });
});
