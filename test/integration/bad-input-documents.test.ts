import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { NO_CONSUL_ENV, readIfExists, runCtmpl, startCtmpl } from '../support/ctmpl.js';
import { expectRefused, RUN_LIMIT_MS, workspace } from '../support/bad-input.js';
import { waitFor } from '../support/wait.js';

/**
 * YAML documents built to exhaust ctmpl (an alias bomb: a dozen lines that expand to billions of
 * nodes): a config is refused before anything runs, with the place of the first alias; a catalog
 * edited into one at run time is refused the same way while the last good file stays.
 */
const LEVELS = 'abcdefghi'.split('');
const BOMB = LEVELS.map((name, i) => `${name}: &${name} [${Array.from({ length: 9 }, () => (i === 0 ? '"x"' : `*${LEVELS[i - 1] ?? ''}`)).join(', ')}]`).join('\n');

test('a config file that is an alias bomb: exit 2 at its first alias, nothing written', async (ctx) => {
  const ws = await workspace(ctx);
  const config = join(ws.dir, 'ctmpl.yaml');
  await writeFile(config, `${BOMB}\ntemplates:\n  - { source: ${ws.template}, destination: ${ws.destination} }\n`);
  const run = await runCtmpl(['--config', config, '--once'], { cwd: ws.dir, env: NO_CONSUL_ENV, timeoutMs: RUN_LIMIT_MS });
  expectRefused(run, ws, 'alias bomb config');
  expect(run.stderr).toMatch(/ctmpl\.yaml:2:\d+/);
  expect(run.stderr).toMatch(/alias/i);
});

test('a catalog edited into an alias bomb at run time: refused with its place, the last good file stays', async (ctx) => {
  const ws = await workspace(ctx);
  const catalog = join(ws.dir, 'catalog.yaml');
  await writeFile(catalog, 'services:\n  web:\n    - { id: web-1, address: 10.0.0.1, port: 8080 }\n');
  const ctmpl = startCtmpl(['--source', `file:${catalog}`, '-t', `${ws.template}:${ws.destination}`, '--wait', '0'], { cwd: ws.dir });
  await waitFor(async () => (await readIfExists(ws.destination))?.includes('10.0.0.1:8080'));
  const good = await readIfExists(ws.destination);
  await writeFile(catalog, `${BOMB}\nservices: {}\n`);
  const refused = await ctmpl.waitForLog((l) => /alias/i.test(JSON.stringify(l)));
  expect(JSON.stringify(refused)).toMatch(/catalog\.yaml:2:\d+/);
  expect(await readIfExists(ws.destination)).toBe(good);
  await ctmpl.stop();
});
