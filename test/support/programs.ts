/**
 * Where the programs the harness runs come from: Debian packages found on PATH (or in an sbin
 * directory a non-login shell may not have on PATH), and the pinned Consul and consul-template
 * that obtain-tools.sh builds once and caches outside the repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const OBTAIN_TOOLS = join('test', 'support', 'obtain-tools.sh');

/**
 * The repository root, whether this module runs from test/support/ (vitest, tsx) or compiled
 * into dist/test/support/ (the benchmarks): the nearest directory above holding obtain-tools.sh.
 */
export const REPO_ROOT = ((): string => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, OBTAIN_TOOLS))) return dir;
    if (dirname(dir) === dir) throw new Error(`no ${OBTAIN_TOOLS} above ${fileURLToPath(import.meta.url)}`);
  }
})();

/** A program's path, or just its name when it is nowhere to be found (spawning it then fails with ENOENT, naming it). */
export function findProgram(name: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (dir !== '' && existsSync(join(dir, name))) return resolve(dir, name);
  }
  return name;
}

/** A program's path; throws naming the packages to install when it is missing. */
export function requireProgram(name: string, packages: string): string {
  const path = findProgram(name);
  if (path === name) throw new Error(`${name} is not installed: \`apt-get install ${packages}\` (bash .ci/run does it)`);
  return path;
}

export type PinnedTool = 'consul' | 'consul-template';

const obtained = new Map<PinnedTool, string>();

/**
 * The pinned consul or consul-template: CONSUL_BIN / CONSUL_TEMPLATE_BIN when set, else
 * obtain-tools.sh's cached build (built first when missing; its progress goes to stderr).
 */
export function obtainTool(tool: PinnedTool): string {
  const env = tool === 'consul' ? process.env.CONSUL_BIN : process.env.CONSUL_TEMPLATE_BIN;
  if (env) return env;
  const known = obtained.get(tool);
  if (known) return known;
  const out = execFileSync('bash', [join(REPO_ROOT, OBTAIN_TOOLS), tool], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const path = out.trim().split('\n').pop();
  if (!path) throw new Error(`obtain-tools.sh ${tool} printed no path`);
  obtained.set(tool, path);
  return path;
}
