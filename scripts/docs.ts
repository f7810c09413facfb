/**
 * `npm run docs`: regenerates the reference pages in docs/reference/ from the code (flags, config
 * keys, registries, helpers, template data, metrics, /status). `--check` writes nothing and exits 1
 * when a committed page differs from what the code produces (the unit test does the same).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateReference, REPO_ROOT, stalePages } from './docs/generate.js';

const check = process.argv.includes('--check');
const pages = generateReference();
const stale = stalePages(REPO_ROOT, pages);
if (check) {
  for (const path of stale) process.stderr.write(`docs: ${path} differs from what the code produces\n`);
  if (stale.length > 0) process.stderr.write('docs: run npm run docs and commit the result\n');
  process.exit(stale.length > 0 ? 1 : 0);
}
for (const path of stale) {
  mkdirSync(dirname(join(REPO_ROOT, path)), { recursive: true });
  writeFileSync(join(REPO_ROOT, path), pages.get(path) as string);
}
process.stdout.write(`docs: ${stale.length === 0 ? 'every page up to date' : `wrote ${stale.join(', ')}`} (${pages.size} pages in docs/reference/)\n`);
