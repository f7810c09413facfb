import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startConsul, type ConsulAgent } from '../support/consul.js';
import { NO_CONSUL_ENV, runCtmpl } from '../support/ctmpl.js';
import { obtainTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';
import { FIXTURES } from '../unit/migrate/corpus.js';
import { loadWorldIntoConsul } from '../unit/migrate/support/consul-world.js';
import { ENV, loadWorld } from '../unit/migrate/support/world.js';

/**
 * `ctmpl migrate --verify` itself, with the real consul-template 0.42.1 and a real Consul: each
 * converted template is rendered by both programs and called identical or not; a template both
 * programs wait on is reported as not rendered with how each run ended. A scripted consul-template
 * (in addition to the real one) shows how a difference is reported.
 */

const RUN_MS = 90_000;
let agent: ConsulAgent;
let dir: string;

beforeAll(async () => {
  agent = await startConsul();
  await loadWorldIntoConsul(agent, loadWorld(join(FIXTURES, 'world.json')));
  dir = await tempDir('ctmpl-migrate-verify-');
  await mkdir(join(dir, 'in'));
  for (const name of ['02-nginx-upstream-weights', '18-heavy-trimming', '22-scratch']) {
    await writeFile(join(dir, 'in', `${name}.ctmpl`), await readFile(join(FIXTURES, name, 'template.ctmpl'), 'utf8'));
  }
  await writeFile(join(dir, 'in', 'waits.ctmpl'), 'value={{ key "no/such/key" }}\n');
  // Renders every template as one line that no conversion gives.
  const fake = join(dir, 'fake-consul-template');
  await writeFile(fake, `#!/bin/sh\nexec "${process.execPath}" -e 'const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); for (const t of c.template) require("fs").writeFileSync(t.destination, "upstream other {}\\n")' "$3"\n`);
  await chmod(fake, 0o755);
}, RUN_MS);

const migrate = (args: string[]) => runCtmpl(['migrate', '--verify', '--consul-addr', agent.address, ...args], { cwd: dir, env: { ...NO_CONSUL_ENV, ...ENV }, timeoutMs: RUN_MS });

describe('ctmpl migrate --verify', () => {
  it('renders each template with consul-template and its conversion with ctmpl and calls them identical', async () => {
    const run = await migrate(['--consul-template', obtainTool('consul-template'), '--out', 'ok', 'in/02-nginx-upstream-weights.ctmpl', 'in/18-heavy-trimming.ctmpl', 'in/22-scratch.ctmpl']);
    expect(run.exitCode, `${run.stdout}${run.stderr}`).toBe(0);
    expect(run.stdout).toContain(`verify: rendering 3 template(s) with consul-template and with ctmpl from Consul at ${agent.address}\n`);
    for (const name of ['02-nginx-upstream-weights', '18-heavy-trimming', '22-scratch']) expect(run.stdout).toContain(`identical  in/${name}.ctmpl\n`);
    expect(run.stdout).toContain('verify: 3 of 3 identical\n');
  });

  it('reports a template neither program could render in time, and how each run ended', async () => {
    const run = await migrate(['--consul-template', obtainTool('consul-template'), '--verify-timeout', '3s', '--out', 'waits', 'in/waits.ctmpl']);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('NOT RENDERED  in/waits.ctmpl: by consul-template and ctmpl (see its output below)\n');
    expect(run.stdout).toContain('consul-template stopped after 3s (it waits for data that may not exist: a key, a service)\n');
    expect(run.stdout).toContain('ctmpl stopped after 3s');
    expect(run.stdout).toContain('verify: 0 of 1 identical\n');
  });

  it('shows the first line where the two renders differ, in both versions', async () => {
    const run = await migrate(['--consul-template', join(dir, 'fake-consul-template'), '--out', 'differs', 'in/02-nginx-upstream-weights.ctmpl']);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('DIFFERENT  in/02-nginx-upstream-weights.ctmpl: first difference at line 1\n  consul-template: "upstream other {}"\n  ctmpl:           "upstream web_backend {"\n');
  });
});
