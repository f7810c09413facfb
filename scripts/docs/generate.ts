import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { helpersPage } from './helpers.js';
import { metricsPage } from './metrics.js';
import { registriesPage } from './registries.js';
import { configPage, flagsPage, settingsModel } from './settings.js';
import { statusPage } from './status-format.js';
import { templateDataPage } from './template-data.js';

/** The repository root (this file is scripts/docs/generate.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Folder of the generated pages, from the repository root. */
export const REFERENCE_DIR = 'docs/reference';

/**
 * Every generated page: path from the repository root → content. Pure and deterministic: the
 * same tree gives the same bytes (no times, no absolute paths, nothing from the machine).
 */
export function generateReference(root: string = REPO_ROOT): Map<string, string> {
  const model = settingsModel();
  return new Map([
    [`${REFERENCE_DIR}/flags.md`, flagsPage(model)],
    [`${REFERENCE_DIR}/config.md`, configPage(model)],
    [`${REFERENCE_DIR}/registries.md`, registriesPage()],
    [`${REFERENCE_DIR}/helpers.md`, helpersPage(root)],
    [`${REFERENCE_DIR}/template-data.md`, templateDataPage(root)],
    [`${REFERENCE_DIR}/metrics.md`, metricsPage()],
    [`${REFERENCE_DIR}/status.md`, statusPage(root)],
  ]);
}

/** Generated pages whose committed copy differs from what the code produces now (or is missing). */
export function stalePages(root: string = REPO_ROOT, generated: ReadonlyMap<string, string> = generateReference(root)): string[] {
  return [...generated].filter(([path, content]) => {
    const file = join(root, path);
    return !existsSync(file) || readFileSync(file, 'utf8') !== content;
  }).map(([path]) => path);
}
