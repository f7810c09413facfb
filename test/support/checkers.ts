import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { freePort } from './ports.js';
import { findProgram } from './programs.js';

export const NGINX = findProgram('nginx');
export const HAPROXY = findProgram('haproxy');

export interface CheckResult {
  readonly ok: boolean;
  /** What the checker printed (stdout and stderr interleaved). */
  readonly output: string;
}


/** Runs `body` with a scratch directory that is removed afterwards, whatever happens. */
async function withScratch<T>(prefix: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const NAME = /^[A-Za-z0-9_-]+$/;

function checkNames(names: readonly string[]): void {
  for (const name of names) if (!NAME.test(name)) throw new Error(`not a safe upstream/backend name: ${name}`);
}

/**
 * Validates a rendered nginx include (upstream blocks, http context) with `nginx -t`, without
 * touching /etc or /var: prefix, pid, error log and temp paths all live in a scratch directory.
 * Every name in `upstreams` gets a `proxy_pass http://NAME` location, so an upstream that is missing
 * from the include fails the check (nginx would try to resolve NAME as a host).
 */
export async function nginxCheck(includeFile: string, options: { upstreams?: readonly string[] } = {}): Promise<CheckResult> {
  const upstreams = options.upstreams ?? [];
  checkNames(upstreams);
  const port = await freePort();
  return withScratch('ctmpl-nginx-', async (dir) => {
    const locations = upstreams.map((name) => `      location /${name}/ { proxy_pass http://${name}; }`).join('\n');
    const conf = `# scratch config for nginx -t
user root;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events {}
http {
    access_log off;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${includeFile};
    server {
      listen 127.0.0.1:${port};
      location = /health { return 204; }
${locations}
    }
}
`;
    await writeFile(join(dir, 'nginx.conf'), conf);
    // -e: without it nginx opens its compiled-in /var/log/nginx/error.log before reading the config.
    const result = await execa(NGINX, ['-t', '-p', `${dir}/`, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
      reject: false,
      all: true,
      timeout: 20_000,
    });
    return { ok: result.exitCode === 0, output: String(result.all ?? '') };
  });
}

/**
 * Validates a rendered backend-only haproxy file. haproxy 2.6 refuses a configuration without a
 * listener, so a minimal global/defaults/frontend is passed first: `haproxy -c -f base -f rendered`.
 * Every name in `backends` is referenced by a `use_backend` rule, so a missing backend fails.
 */
export async function haproxyCheck(backendFile: string, options: { backends?: readonly string[] } = {}): Promise<CheckResult> {
  const backends = options.backends ?? [];
  checkNames(backends);
  const port = await freePort();
  return withScratch('ctmpl-haproxy-', async (dir) => {
    const rules = backends.map((name) => `    use_backend ${name} if { path_beg /${name}/ }`).join('\n');
    const base = `global
    log stdout format raw local0
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend check_frontend
    bind 127.0.0.1:${port}
${rules}
    default_backend check_default
backend check_default
    http-request return status 204
`;
    const basePath = join(dir, 'base.cfg');
    await writeFile(basePath, base);
    const result = await execa(HAPROXY, ['-c', '-f', basePath, '-f', backendFile], { reject: false, all: true, timeout: 20_000 });
    return { ok: result.exitCode === 0, output: String(result.all ?? '') };
  });
}
