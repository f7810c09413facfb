import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { NGINX } from './checkers.js';
import { registerCleanup, type CleanupRegistrar } from './cleanup.js';
import { freePort } from './ports.js';
import { spawnServer } from './process.js';
import { waitFor } from './wait.js';

/** Quotes a string for /bin/sh (the commands below are run by ctmpl through `sh -c`). */
function sh(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A real nginx master (the Debian package's binary, not daemonized) with everything under a
 * temporary prefix: pid file, error log, temp paths. It listens on a free loopback port and
 * proxies `/` to `upstream <name>`, which comes from the include file ctmpl renders.
 */
export interface NginxServer {
  readonly prefix: string;
  /** The live configuration (includes `include`). */
  readonly conf: string;
  /** The rendered include nginx reads: ctmpl's destination. */
  readonly include: string;
  readonly port: number;
  readonly url: string;
  readonly masterPid: number;
  /**
   * For ctmpl's --check: `nginx -t` on the whole configuration with the staged file in place of
   * the live include (a check conf is generated from `{{staged}}`; nginx expands no variables).
   */
  readonly checkCommand: string;
  /** For ctmpl's -c: signals the master through its pid file to re-read the configuration. */
  readonly reloadCommand: string;
  /** PIDs of the master's current worker processes. */
  workers(): Promise<number[]>;
  /**
   * Waits until every worker in `old` has exited and new ones serve: a reload is in effect, and
   * no request can reach an upstream server that only the old configuration had.
   */
  waitForWorkersReplaced(old: readonly number[], timeoutMs?: number): Promise<number[]>;
  /** How many times the master re-read its configuration (its "reconfiguring" log lines). */
  reloads(): Promise<number>;
  errorLog(): Promise<string>;
  /** SIGTERM (fast shutdown), then SIGKILL to the master and its workers. Safe to call twice. */
  stop(): Promise<void>;
}

export interface NginxOptions {
  /** Directory for the prefix, the configuration and its logs; the test's temp dir. */
  readonly dir: string;
  /** The include file; it must exist (and pass nginx -t) before nginx starts. */
  readonly include: string;
  /** The upstream `/` is proxied to (default web). */
  readonly upstream?: string;
  /** Where its stop is registered (default: the end of the test, or of the process). */
  readonly cleanup?: CleanupRegistrar;
}

/** The `http` block shared by the live and the check configuration. */
function config(options: { prefix: string; errorLog: string; include: string; port: number; upstream: string }): string {
  const { prefix, errorLog, include, port, upstream } = options;
  return `# nginx for ctmpl's end-to-end tests: everything under ${prefix}
daemon off;
master_process on;
worker_processes 2;
${process.getuid?.() === 0 ? 'user root;\n' : ''}pid ${prefix}nginx.pid;
error_log ${errorLog} notice;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path ${prefix}client_body;
    proxy_temp_path ${prefix}proxy;
    fastcgi_temp_path ${prefix}fastcgi;
    uwsgi_temp_path ${prefix}uwsgi;
    scgi_temp_path ${prefix}scgi;
    include ${include};
    server {
        listen 127.0.0.1:${port};
        location / {
            proxy_pass http://${upstream};
            proxy_next_upstream error timeout http_502;
            proxy_connect_timeout 1s;
        }
    }
}
`;
}

/** Child PIDs of `parent`, read from /proc (field 4 of /proc/PID/stat is the parent PID). */
async function childrenOf(parent: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // "PID (comm) STATE PPID …": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && Number(fields[1]) === parent) out.push(Number(entry));
  }
  return out.sort((a, b) => a - b);
}

export async function startNginx(options: NginxOptions): Promise<NginxServer> {
  const prefix = join(options.dir, 'nginx') + '/';
  const port = await freePort();
  const upstream = options.upstream ?? 'web';
  const conf = join(options.dir, 'nginx.conf');
  const errorLogPath = `${prefix}error.log`;
  await mkdir(prefix, { recursive: true });
  await writeFile(conf, config({ prefix, errorLog: errorLogPath, include: options.include, port, upstream }));
  // The check configuration: the same, with the staged file in place of the include and its own log.
  const checkIn = join(options.dir, 'nginx-check.conf.in');
  const checkConf = join(options.dir, 'nginx-check.conf');
  await writeFile(checkIn, config({ prefix, errorLog: `${prefix}check-error.log`, include: '__STAGED__', port, upstream }));
  // ctmpl replaces {{staged}} with a single-quoted path: 's#…#''/dir/.x.ctmpl-1''#' is one sed word.
  const checkCommand = `sed -e 's#__STAGED__#'{{staged}}'#' ${sh(checkIn)} > ${sh(checkConf)} && ${sh(NGINX)} -t -q -p ${sh(prefix)} -c ${sh(checkConf)} -e ${sh(`${prefix}check-error.log`)}`;
  const reloadCommand = `${sh(NGINX)} -p ${sh(prefix)} -c ${sh(conf)} -e ${sh(errorLogPath)} -s reload`;

  // -e: nginx opens its compiled-in /var/log/nginx/error.log before reading the configuration otherwise.
  const master = spawnServer(NGINX, ['-p', prefix, '-c', conf, '-e', errorLogPath]);
  const masterPid = master.pid;
  if (masterPid === undefined) throw new Error(`nginx did not start: ${master.output()}`);

  const errorLog = (): Promise<string> => readFile(errorLogPath, 'utf8').catch(() => '');
  const workers = (): Promise<number[]> => childrenOf(masterPid);
  const stop = async (): Promise<void> => {
    if (!master.running) return;
    // SIGTERM first (fast shutdown: the master takes its workers with it), so that a process
    // already exiting still sends it; while the master lives, its workers are its children.
    const stopping = master.stop('SIGTERM', 3000);
    const last = await workers();
    if (await stopping) return;
    // The master took a SIGKILL after 3 s: its workers, orphaned now, go the same way.
    for (const pid of last) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  (options.cleanup ?? registerCleanup)(stop);

  const server: NginxServer = {
    prefix,
    conf,
    include: options.include,
    port,
    url: `http://127.0.0.1:${port}/`,
    masterPid,
    checkCommand,
    reloadCommand,
    workers,
    async waitForWorkersReplaced(old, timeoutMs = 10_000) {
      return waitFor(
        async () => {
          const now = await workers();
          return now.length > 0 && now.every((pid) => !old.includes(pid)) ? now : undefined;
        },
        { timeoutMs, intervalMs: 10, what: `nginx workers ${old.join(',')} to be replaced after a reload` },
      );
    },
    async reloads() {
      return (await errorLog()).split('\n').filter((l) => l.includes(` ${masterPid}#${masterPid}: reconfiguring`)).length;
    },
    errorLog,
    stop,
  };

  try {
    await waitFor(
      async () => {
        if (!master.running) throw new Error(`nginx exited: ${master.output()}`);
        const reply = await get(server.url, 1000);
        return reply.status !== undefined && (await workers()).length === 2;
      },
      { timeoutMs: 10_000, intervalMs: 20, what: `nginx on ${server.url}` },
    );
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- nginx output ---\n${master.output()}\n--- error log ---\n${await errorLog()}`);
  }
  return server;
}

/** One request of a load run; times are performance.now() milliseconds. */
export interface LoadRecord {
  readonly startedAt: number;
  readonly endedAt: number;
  /** undefined when no response arrived (connection error or timeout). */
  readonly status: number | undefined;
  readonly body: string;
  readonly error: string | undefined;
}

/** A GET on a new connection (no keep-alive), with a deadline for the whole exchange. */
function get(url: string, timeoutMs: number): Promise<LoadRecord> {
  const startedAt = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (status: number | undefined, body: string, error: string | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ startedAt, endedAt: performance.now(), status, body, error });
    };
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => finish(res.statusCode, body, undefined));
      res.on('error', (err) => finish(res.statusCode, body, err.message));
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no response within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', (err) => finish(undefined, '', err.message));
    req.end();
  });
}

export interface LoadOptions {
  /** Requests in flight at once (each loop sends its next request when the previous ends). */
  readonly concurrency?: number;
  /** Pause between one loop's requests. */
  readonly pauseMs?: number;
  /** Per-request deadline. */
  readonly timeoutMs?: number;
  /** The load stops by itself after this long, whatever happens to the test. */
  readonly maxMs?: number;
}

/** Requests sent through the proxy while the test changes things behind it. */
export interface Load {
  /** Every request so far, in completion order. */
  readonly records: readonly LoadRecord[];
  /** Requests whose status is not 200 (including those without a response). */
  failures(): LoadRecord[];
  /** The first request answered by `backend` that started at or after `since`. */
  firstServedBy(backend: string, since: number): LoadRecord | undefined;
  /** How many requests `backend` answered that started at or after `since`. */
  servedBy(backend: string, since: number): number;
  /** Stops the loops and waits for requests in flight; true when it was not cut short by maxMs. */
  stop(): Promise<{ records: readonly LoadRecord[]; completed: boolean }>;
}

/** Starts a bounded load loop against `url`. */
export function startLoad(url: string, options: LoadOptions = {}): Load {
  const concurrency = options.concurrency ?? 4;
  const pauseMs = options.pauseMs ?? 2;
  const timeoutMs = options.timeoutMs ?? 3000;
  const end = performance.now() + (options.maxMs ?? 60_000);
  const records: LoadRecord[] = [];
  let stopping = false;
  const loop = async (): Promise<void> => {
    while (!stopping && performance.now() < end) {
      records.push(await get(url, timeoutMs));
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  const loops = Promise.all(Array.from({ length: concurrency }, loop));
  const load: Load = {
    records,
    failures: () => records.filter((r) => r.status !== 200),
    firstServedBy: (backend, since) =>
      records
        .filter((r) => r.startedAt >= since && r.status === 200 && r.body === backend)
        .reduce<LoadRecord | undefined>((first, r) => (first === undefined || r.endedAt < first.endedAt ? r : first), undefined),
    servedBy: (backend, since) => records.filter((r) => r.startedAt >= since && r.status === 200 && r.body === backend).length,
    async stop() {
      const completed = performance.now() < end;
      stopping = true;
      await loops;
      return { records, completed };
    },
  };
  registerCleanup(() => load.stop());
  return load;
}
