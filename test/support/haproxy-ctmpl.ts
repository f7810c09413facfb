/**
 * ctmpl in front of a real haproxy, as the haproxy end-to-end test and bench/haproxy.ts set it up:
 * a static catalog of backends, and a haproxy (master-worker) whose first configuration is
 * ctmpl's `--once` render of a template, so haproxy starts with the servers the daemon then keeps
 * up to date.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Backend } from './backends.js';
import { BIN, NO_CONSUL_ENV } from './ctmpl.js';
import { startHaproxy, type HaproxyServer } from './haproxy.js';

/** One instance of a service in the catalog file: its id (the server name), where it points, its weight. */
export interface CatalogEntry {
  readonly id: string;
  readonly backend: Backend;
  readonly weight?: number;
}

/** The static catalog file (YAML) for these services. */
export function catalogText(services: Readonly<Record<string, readonly CatalogEntry[]>>): string {
  return stringify({
    services: Object.fromEntries(
      Object.entries(services).map(([name, entries]) => [name, entries.map((e) => ({ id: e.id, node: 'n1', address: e.backend.address, port: e.backend.port, ...(e.weight ? { weights: { passing: e.weight } } : {}) }))]),
    ),
  });
}

/**
 * Starts haproxy in `dir` on ctmpl's `--once` render of `template` from `source`. `env` is what
 * the shipped haproxy templates read (admin socket, state file, bind address): give it to the
 * daemon too.
 */
export async function haproxyOnFirstRender(dir: string, source: string, template: string): Promise<{ haproxy: HaproxyServer; env: Record<string, string> }> {
  let env: Record<string, string> = {};
  const haproxy = await startHaproxy({
    dir,
    backends: '',
    config: ({ socket, stateFile, port }) => {
      env = { ...NO_CONSUL_ENV, HAPROXY_ADMIN_SOCKET: socket, HAPROXY_STATE_FILE: stateFile, HAPROXY_BIND: `127.0.0.1:${port}` };
      const first = join(dir, 'first.cfg');
      execFileSync(process.execPath, [BIN, '--source', source, '-t', `${template}:${first}`, '--once'], { env: { ...process.env, ...env }, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
      return readFileSync(first, 'utf8');
    },
  });
  return { haproxy, env };
}
