import { readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { expect, test } from 'vitest';
import { readIfExists, startCtmpl } from '../support/ctmpl.js';
import { tempDir } from '../support/tmp.js';
import { waitFor } from '../support/wait.js';

/**
 * ctmpl killed (SIGKILL: no handler runs) again and again while the catalog keeps changing under
 * it: the destination is always one whole render, never a mix or a cut file, and the staged copies
 * the kills leave behind are removed by the next start. A check command that takes a while (as
 * `nginx -t` does) keeps each staged copy on disk long enough for many kills to land inside a write.
 */
/** 40 in the suite (about a minute); CTMPL_CRASH_KILLS=300 for a longer run. */
const KILLS = Number(process.env.CTMPL_CRASH_KILLS ?? 40);
const INSTANCES = 500;
const catalogText = (generation: number): string =>
  stringify({ services: { web: Array.from({ length: INSTANCES }, (_, i) => ({ id: `web-${i}`, address: '10.0.0.1', port: 10000 + i, meta: { generation: String(generation) } })) } });
const TEMPLATE = '{{#each (service "web")}}server {{Address}}:{{Port}}; # {{ID}} generation {{Meta.generation}}\n{{/each}}# end\n';

/** The generation of a whole render, or what is wrong with the text. */
function wholeRender(text: string | undefined): number | string {
  if (text === undefined) return 'missing';
  const lines = text.split('\n');
  if (lines.at(-2) !== '# end' || lines.at(-1) !== '') return 'cut short';
  const servers = lines.filter((l) => l.startsWith('server '));
  const generations = new Set(servers.map((l) => l.split(' generation ')[1]));
  if (servers.length !== INSTANCES || generations.size !== 1) return `mixed: ${servers.length} servers, generations ${[...generations].join(',')}`;
  return Number([...generations][0]);
}

const stagedIn = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((n) => n.startsWith('.up.conf.ctmpl-'));

test(`${KILLS} SIGKILLs during writes never leave a cut or mixed file, and the next start removes staged leftovers`, { timeout: 300_000 }, async () => {
  const dir = await tempDir('ctmpl-crash-');
  const catalog = join(dir, 'catalog.yaml');
  const template = join(dir, 'up.hbs');
  const destination = join(dir, 'up.conf');
  await writeFile(template, TEMPLATE);
  const args = ['--source', `file:${catalog}`, '-t', `${template}:${destination}`, '--check', 'sleep 0.15', '--wait', '0', '--flap', 'off'];
  let generation = 0;
  const publish = async (): Promise<void> => {
    await writeFile(`${catalog}.next`, catalogText(generation));
    await rename(`${catalog}.next`, catalog); // a whole catalog each time: the test is about ctmpl's writes
  };
  await publish();

  // The catalog changes every 30 ms for the whole test.
  let changing = true;
  const changer = (async () => {
    while (changing) {
      generation += 1;
      await publish();
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  })();

  let leftoversSeen = 0;
  let cleanedAtStart = 0;
  try {
    await waitFor(async () => typeof wholeRender(await readIfExists(destination)) === 'number' || undefined, { timeoutMs: 30_000 }).catch(() => undefined);
    for (let kill = 0; kill < KILLS; kill += 1) {
      const before = await stagedIn(dir);
      const ctmpl = startCtmpl(args, { cwd: dir });
      // Anywhere in the first few write cycles once the source is read.
      await ctmpl.waitForLog((l) => l.msg === 'source started', { timeoutMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 350)));
      ctmpl.signal('SIGKILL');
      await ctmpl.stop();
      const after = await readIfExists(destination);
      if (after !== undefined) expect(typeof wholeRender(after), `after kill ${kill}: ${String(wholeRender(after))}`).toBe('number');
      const now = await stagedIn(dir);
      // What the previous kill left is gone once this process has started (unless it died first).
      cleanedAtStart += before.filter((name) => !now.includes(name)).length;
      leftoversSeen += now.filter((name) => !before.includes(name)).length;
    }
  } finally {
    changing = false;
    await changer;
  }

  console.log(`crash-during-write: ${KILLS} kills, ${leftoversSeen} staged leftovers created, ${cleanedAtStart} removed by a later start`);
  expect(leftoversSeen, 'no kill landed between staging and commit: the test did not test anything').toBeGreaterThan(0);
  const last = startCtmpl(args, { cwd: dir });
  await waitFor(async () => wholeRender(await readIfExists(destination)) === generation && (await stagedIn(dir)).length === 0, { timeoutMs: 30_000 });
  await last.stop();
});
